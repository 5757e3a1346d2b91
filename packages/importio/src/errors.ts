import { InvalidRequestError, type ApiError } from "@importkit/core";
import { refinedErrorInit } from "@importkit/core/internal";

// The vendor's wording (Import.io's legacy swagger): "Extractor is archived or a crawl already in progress."
const ALREADY_RUNNING = /already in progress|archived/i;

/**
 * Starting an extractor that is already crawling (or archived: Import.io gives one message for both) is a 400. Only
 * the running crawl ending, or a stop, helps: wait for it with `crawlRuns.waitFor`, or `extractors.stop` it.
 */
export class CrawlAlreadyRunningError extends InvalidRequestError {
  constructor(from: ApiError) {
    super(
      refinedErrorInit(
        from,
        `${from.message} (a crawl of this extractor is already running, or the extractor is archived: wait for the running crawl or stop it)`,
      ),
    );
  }
}

/** The typed error for a startExtractor 400 that says the extractor is busy (or archived), else the error itself. */
export function refineStartError(error: ApiError): ApiError {
  return error.operation === "startExtractor" && error.status === 400 && ALREADY_RUNNING.test(error.message) ? new CrawlAlreadyRunningError(error) : error;
}
