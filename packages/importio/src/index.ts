/**
 * @importkit/importio: a typed client for the Import.io API v2 (extractors, crawl runs, reports and their
 * result files).
 *
 *   const importio = createImportIoClient({ apiKey: process.env.IMPORTIO_API_KEY! });
 *   const run = await importio.extractors.run(extractorId, { onProgress: (r) => console.log(r.state) });
 *   for await (const row of importio.crawlruns.rows(run.guid!)) console.log(row.url);
 *
 * The API key travels in the URL (`_apikey`), so it is added per attempt beneath every layer that could
 * show a URL, and redacted from every error, log line and stack.
 */
import {
  createApiClient,
  ImportFailedError,
  InvalidResponseError,
  paginate,
  sleep,
  ValidationError,
  waitFor,
  type CommonClientOptions,
  type PageIterable,
  type RequestExtras,
  type RequestOptions,
  type SaveToOptions,
  type WaitOptions,
} from "@importkit/core";
import type { SavedFile } from "@importkit/core/node";
import { operationIds } from "./generated/operations.js";
import { validation } from "./generated/validation.js";
import type {
  CrawlRunRef,
  Crawlrun,
  Credentials,
  Extractor,
  ExtractorInputs,
  operations,
  paths,
  Report,
  ReportRun,
  ResultRow,
  Subscription,
  User,
} from "./generated/schema.js";
import { parseNdjson } from "./ndjson.js";
import { Validator } from "./validate.js";

export * from "@importkit/core/public";
export type { SavedFile } from "@importkit/core/node";
export type { SaveToOptions } from "@importkit/core";
export type * from "./generated/schema.js";
export { ResultParseError, DEFAULT_MAX_LINE_LENGTH } from "./ndjson.js";

export const VERSION = "0.1.0";
export const DEFAULT_BASE_URL = "https://api.import.io";

export type CrawlrunState = NonNullable<Crawlrun["state"]>;
export type CrawlrunFileType = operations["getCrawlrunFile"]["parameters"]["path"]["fileType"];
export type ReportRunFileType = operations["getReportRunFile"]["parameters"]["path"]["fileType"];
/** `_page`, `_perpage`, `_sort`, `_sortDirection`: the same on every list of the API. */
export type ListQuery = NonNullable<operations["listExtractors"]["parameters"]["query"]>;

export interface ImportIoClientOptions extends CommonClientOptions {
  /** Your Import.io API key (dashboard → User Settings). Sent as the `_apikey` query parameter. */
  apiKey: string;
}

export interface ListParams extends ListQuery {
  /** The page to start from (default 1); the list then follows `_page + 1, + 2, …` until a page is empty. */
  _page?: number;
  /** Stop with PaginationLimitError after this many pages (default 1 000). */
  maxPages?: number;
}

export interface RunOptions extends WaitOptions {
  /** Retries of each request (the start itself is never resent once Import.io may have acted on it). */
  maxRetries?: number;
  onProgress?: (crawlrun: Crawlrun, info: { polls: number; elapsedMs: number }) => void;
}

export interface RowsOptions extends RequestOptions {
  /** A longer line ends the iteration with ResultParseError instead of being buffered (default 64 MiB). */
  maxLineLength?: number;
}

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/** One media type per file type (the spec's `getCrawlrunFile` / `getReportRunFile` responses). */
const CRAWLRUN_MEDIA_TYPES: Readonly<Record<CrawlrunFileType, string>> = {
  csv: "text/csv",
  xlsx: XLSX,
  log: "text/plain",
  sample: "application/json",
  json: "application/x-ndjson",
  files: "application/zip",
};
const REPORT_RUN_MEDIA_TYPES: Readonly<Record<ReportRunFileType, string>> = {
  csv: "text/csv",
  xlsx: XLSX,
  json: "application/json",
};
export const CRAWLRUN_FILE_TYPES = Object.keys(CRAWLRUN_MEDIA_TYPES) as readonly CrawlrunFileType[];
export const REPORT_RUN_FILE_TYPES = Object.keys(REPORT_RUN_MEDIA_TYPES) as readonly ReportRunFileType[];

/**
 * Asks for the file's own type first, and for JSON at a low weight so that an error (401, 404) can still
 * come back as Import.io's `{code, message}` envelope instead of a 406.
 */
function acceptFor(mediaType: string): string {
  return mediaType === "application/json" ? mediaType : `${mediaType}, application/json;q=0.1`;
}

const IN_PROGRESS_STATES: ReadonlySet<string> = new Set<CrawlrunState>(["PENDING", "STARTED"]);
const FAILED_STATES: ReadonlySet<string> = new Set<CrawlrunState>(["FAILED", "CANCELLED"]);
const SORT_DIRECTIONS: readonly NonNullable<ListQuery["_sortDirection"]>[] = ["ASC", "DESC"];
/** When a start answer lacks the crawl run id: how often, and how far apart, to look for the new run. */
const LOCATE_ATTEMPTS = 3;
const LOCATE_INTERVAL_MS = 500;
const LOCATE_PAGE_SIZE = 20;

/**
 * The inputs body as the seed's single object: line-separated JSON (one input object per line, what the spec
 * now says the API answers) or the seed's `{"_url": "a\nb"}`, folded into one newline-separated `_url`.
 * A stopgap until the client models inputs as a list of objects with attributes.
 */
function foldInputLines(text: string): ExtractorInputs {
  const urls: string[] = [];
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === "") continue;
    let input: unknown;
    try {
      input = JSON.parse(line);
    } catch {
      throw new InvalidResponseError(`Import.io answered inputs whose line ${index + 1} is not JSON.`, { operation: "getExtractorInputs" });
    }
    const url = (input as { _url?: unknown } | null)?._url;
    if (typeof url === "string") urls.push(url);
  }
  return { _url: urls.join("\n") };
}

/** The URLs of an extractor's inputs, from the newline-separated `_url` the API returns. */
export function inputUrls(inputs: ExtractorInputs | undefined): string[] {
  return (inputs?._url ?? "")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** Creates an Import.io client. Every option but `apiKey` is optional. */
export function createImportIoClient(options: ImportIoClientOptions) {
  const { apiKey, ...common } = options ?? ({} as ImportIoClientOptions);
  if (typeof apiKey !== "string" || apiKey.trim() === "") {
    throw new ValidationError("an Import.io API key is required (a non-empty string)", "apiKey");
  }
  const api = createApiClient<paths>(
    {
      userAgent: `@importkit/importio/${VERSION}`,
      defaultBaseUrl: DEFAULT_BASE_URL,
      // Per attempt and beneath openapi-fetch, so the URLs that errors and logs describe never held the key.
      authorize: (url) => url.searchParams.set("_apikey", apiKey),
      secrets: [apiKey],
      secretParams: ["_apikey"],
      // Each of these creates something on Import.io (a crawl run, a report run, a copy of an extractor):
      // resent only when the server cannot have acted on the first try.
      startsWork: ["POST /extractors/{extractorId}/start", "POST /reports/{reportId}/start", "POST /extractors/{extractorId}/duplicate"],
      // Documented without a body (or with one only inferred, which the methods do without), and files that may be
      // empty. Any other operation answering 2xx without a body is an InvalidResponseError, not an undefined resource.
      bodylessOperations: [
        "updateExtractorInputs",
        "updateExtractorCredentials",
        "deleteReport",
        "startReport",
        "startExtractor",
        "stopExtractor",
        "getCrawlrunFile",
        "getReportRunFile",
      ],
      operationIds,
      validation,
      errorDetails: (body) => {
        const envelope = body as { code?: number | string; message?: string; error?: string } | undefined;
        return typeof envelope === "object" && envelope !== null
          ? { message: envelope.message ?? envelope.error, code: envelope.code }
          : {};
      },
    },
    common,
  );
  const { raw, call, init, streamInit, redactor, saveTo } = api;
  const check: Validator = new Validator((text) => redactor.text(text));

  function list<T>(
    label: string,
    params: ListParams | undefined,
    fetchPage: (query: ListQuery, options: RequestOptions | undefined) => Promise<T[] | undefined>,
    options: RequestOptions | undefined,
  ): PageIterable<T, T[]> {
    const { maxPages, ...query } = params ?? {};
    check.positiveInteger(query._page, "_page");
    check.positiveInteger(query._perpage, "_perpage");
    check.positiveInteger(maxPages, "maxPages");
    check.oneOf(query._sortDirection, SORT_DIRECTIONS, "_sortDirection");
    const first = query._page ?? 1;
    return paginate<T[], T, number>({
      label,
      ...(maxPages !== undefined ? { maxPages } : {}),
      fetchPage: async (page) => {
        const items = await fetchPage({ ...query, _page: page ?? first }, options);
        if (!Array.isArray(items)) throw new InvalidResponseError(`${label}: page ${page ?? first} is not a JSON array.`);
        return items;
      },
      items: (page) => page,
      // No total or next link is documented. A short page is not trusted to be the last (the server may cap
      // `_perpage` below what was asked): only an empty page ends the list, at the cost of one request.
      next: (page, cursor) => (page.length === 0 ? undefined : (cursor ?? first) + 1),
    });
  }

  async function download(
    pending: () => Promise<{ data?: ReadableStream<Uint8Array> | null; error?: unknown; response: Response }>,
    operation: string,
  ): Promise<ReadableStream<Uint8Array>> {
    const body = await call(pending(), operation);
    // openapi-fetch hands back no body at all for an empty file (Content-Length: 0).
    return body ?? new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
  }

  function streamOptions(mediaType: string, options: RequestOptions | undefined, extras?: RequestExtras) {
    return streamInit({ ...options, headers: { Accept: acceptFor(mediaType), ...options?.headers } }, extras);
  }

  async function crawlrunFile(crawlrunId: string, fileType: CrawlrunFileType, options?: RequestOptions, extras?: RequestExtras) {
    check.id(crawlrunId, "crawlrunId");
    check.fileType(fileType, CRAWLRUN_FILE_TYPES);
    return download(
      () => raw.GET("/crawlruns/{crawlrunId}/{fileType}", { params: { path: { crawlrunId, fileType } }, ...streamOptions(CRAWLRUN_MEDIA_TYPES[fileType], options, extras) }),
      "getCrawlrunFile",
    );
  }

  async function reportRunFile(reportRunId: string, fileType: ReportRunFileType, options?: RequestOptions, extras?: RequestExtras) {
    check.id(reportRunId, "reportRunId");
    check.fileType(fileType, REPORT_RUN_FILE_TYPES);
    return download(
      () =>
        raw.GET("/reportruns/{reportRunId}/{fileType}", {
          params: { path: { reportRunId, fileType } },
          ...streamOptions(REPORT_RUN_MEDIA_TYPES[fileType], options, extras),
        }),
      "getReportRunFile",
    );
  }

  const users = {
    /** The user who owns the API key. */
    current(options?: RequestOptions): Promise<User> {
      return call(raw.GET("/users/current", init(options)), "getCurrentUser");
    },
    /** Plan, usage and billing of that user. */
    subscription(options?: RequestOptions): Promise<Subscription> {
      return call(raw.GET("/users/current/subscription", init(options)), "getCurrentUserSubscription");
    },
  };

  const crawlruns = {
    /** Every recent crawl run, following `_page` until a page comes back empty. */
    list(params?: ListParams, options?: RequestOptions): PageIterable<Crawlrun, Crawlrun[]> {
      return list("importio.crawlruns.list", params, (query, o) => call(raw.GET("/crawlruns", { params: { query }, ...init(o) }), "listCrawlruns"), options);
    },

    async get(crawlrunId: string, options?: RequestOptions): Promise<Crawlrun> {
      check.id(crawlrunId, "crawlrunId");
      return call(raw.GET("/crawlruns/{crawlrunId}", { params: { path: { crawlrunId } }, ...init(options) }), "getCrawlrun");
    },

    /**
     * One result file as a web ReadableStream, never buffered whole: `json` is newline-delimited JSON
     * (see `rows`), `sample` a JSON array, `xlsx` and `files` (zip) binary. `timeout` is the longest
     * silence allowed between two chunks.
     */
    async download(crawlrunId: string, fileType: CrawlrunFileType, options?: RequestOptions): Promise<ReadableStream<Uint8Array>> {
      return crawlrunFile(crawlrunId, fileType, options);
    },

    /** Streams a result file to `path` (Node, Bun, Deno); the file appears only once complete. */
    async saveTo(crawlrunId: string, fileType: CrawlrunFileType, path: string, options?: SaveToOptions): Promise<SavedFile> {
      check.id(crawlrunId, "crawlrunId");
      check.fileType(fileType, CRAWLRUN_FILE_TYPES);
      return saveTo(path, options, (extras) => crawlrunFile(crawlrunId, fileType, options, extras));
    },

    /**
     * The rows of the `json` result file, parsed line by line as they arrive. A line that is not a JSON
     * object ends the iteration with ResultParseError naming its line number. Each iteration downloads anew.
     */
    rows<T = ResultRow>(crawlrunId: string, options?: RowsOptions): AsyncIterable<T> {
      check.id(crawlrunId, "crawlrunId");
      const { maxLineLength, ...requestOptions } = options ?? {};
      check.positiveInteger(maxLineLength, "maxLineLength");
      return {
        async *[Symbol.asyncIterator]() {
          const stream = await crawlruns.download(crawlrunId, "json", requestOptions);
          yield* parseNdjson<T>(stream, {
            label: `the json result file of crawl run ${crawlrunId}`,
            operation: "getCrawlrunFile",
            redactor,
            ...(maxLineLength !== undefined ? { maxLineLength } : {}),
          });
        },
      };
    },

    /**
     * Polls the crawl run until it is `FINISHED` (returned). Throws ImportFailedError when it ends `FAILED`
     * or `CANCELLED`, WaitTimeoutError after `timeout`, AbortError on `signal`.
     */
    async waitFor(crawlrunId: string, options: RunOptions = {}): Promise<Crawlrun> {
      check.id(crawlrunId, "crawlrunId");
      const { signal, timeout, interval, maxInterval, onProgress, maxRetries } = options;
      const waiting = waitFor<Crawlrun>({
        redactor,
        label: `Import.io crawl run ${crawlrunId}`,
        ...(signal ? { signal } : {}),
        ...(timeout !== undefined ? { timeout } : {}),
        ...(interval !== undefined ? { interval } : {}),
        ...(maxInterval !== undefined ? { maxInterval } : {}),
        ...(onProgress ? { onProgress } : {}),
        poll: (pollSignal) => crawlruns.get(crawlrunId, { signal: pollSignal, ...(maxRetries !== undefined ? { maxRetries } : {}) }),
        state: (run) => (run.state === "FINISHED" ? "succeeded" : run.state && FAILED_STATES.has(run.state) ? "failed" : "pending"),
        failure: (run) => {
          const counts =
            run.totalUrlCount !== undefined ? ` (${run.successUrlCount ?? 0} of ${run.totalUrlCount} URLs succeeded, ${run.failedUrlCount ?? 0} failed)` : "";
          const reason =
            run.state === "CANCELLED"
              ? "the crawl run was stopped (stopExtractor or the dashboard)"
              : `the crawl run failed${counts}`;
          return new ImportFailedError(redactor.text(`Import.io crawl run ${run.guid ?? crawlrunId} ended ${run.state}: ${reason}.`), {
            status: run.state ?? "unknown",
            reason,
            resource: redactor.value(run),
          });
        },
      });
      return waiting;
    },
  };

  /**
   * The crawl run a start created, for a start answer without `crawlRunId` (the seed documents no body):
   * the newest run of this extractor that is still in progress or was created after the server's own
   * `Date` for the start (so local clock skew cannot pick an older run).
   */
  async function locateStartedCrawlrun(extractorId: string, serverStartMs: number | undefined, options: RequestOptions | undefined): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const page = await call(
        raw.GET("/crawlruns", {
          params: { query: { _page: 1, _perpage: LOCATE_PAGE_SIZE, _sort: "_meta.creationTimestamp", _sortDirection: "DESC" } },
          ...init(options),
        }),
        "listCrawlruns",
      );
      const match = (Array.isArray(page) ? page : []).find((run) => {
        if (run.extractorId !== extractorId || !run.guid) return false;
        if (run.state && IN_PROGRESS_STATES.has(run.state)) return true;
        const created = run._meta?.creationTimestamp ?? run.startedAt;
        // `Date` has whole seconds: allow the second it was cut from.
        return serverStartMs !== undefined && created !== undefined && created >= serverStartMs - 1_000;
      });
      if (match?.guid) return match.guid;
      if (attempt >= LOCATE_ATTEMPTS) {
        throw new InvalidResponseError(
          `Import.io started extractor ${extractorId} but named no crawl run, and none could be found among the newest crawl runs. ` +
            `The extractor is running: do not start it again; find its run with crawlruns.list().`,
          { operation: "startExtractor" },
        );
      }
      await sleep(LOCATE_INTERVAL_MS, options?.signal);
    }
  }

  const extractors = {
    /** Every extractor of the user, following `_page` until a page comes back empty. */
    list(params?: ListParams, options?: RequestOptions): PageIterable<Extractor, Extractor[]> {
      return list("importio.extractors.list", params, (query, o) => call(raw.GET("/extractors", { params: { query }, ...init(o) }), "listExtractors"), options);
    },

    async get(extractorId: string, options?: RequestOptions): Promise<Extractor> {
      check.id(extractorId, "extractorId");
      return call(raw.GET("/extractors/{extractorId}", { params: { path: { extractorId } }, ...init(options) }), "getExtractor");
    },

    /** Archives (deletes) the extractor: hidden and no longer runnable; returns it, now `archived`. */
    async archive(extractorId: string, options?: RequestOptions): Promise<Extractor> {
      check.id(extractorId, "extractorId");
      return call(raw.DELETE("/extractors/{extractorId}", { params: { path: { extractorId } }, ...init(options) }), "deleteExtractor");
    },

    /** The inputs' URLs as one newline-separated `_url` (split it with `inputUrls()`), from the line-separated answer. */
    async getInputs(extractorId: string, options?: RequestOptions): Promise<ExtractorInputs> {
      check.id(extractorId, "extractorId");
      const request = init({ ...options, headers: { Accept: "application/x-ndjson, application/json;q=0.5", ...options?.headers } });
      const text = await call(raw.GET("/extractors/{extractorId}/inputs", { params: { path: { extractorId } }, ...request, parseAs: "text" }), "getExtractorInputs");
      return foldInputLines(text ?? "");
    },

    /** Replaces the extractor's input URLs (at least one absolute http(s) URL), sent as one JSON object per line. */
    async updateInputs(extractorId: string, urls: ReadonlyArray<string | URL>, options?: RequestOptions): Promise<void> {
      check.id(extractorId, "extractorId");
      // inputUrls refuses whitespace inside a URL, so splitting its newline-joined result is exact.
      const body = check.inputUrls(urls).split("\n").map((url) => JSON.stringify({ _url: url })).join("\n");
      const request = init(options);
      await call(
        raw.PUT("/extractors/{extractorId}/inputs", {
          params: { path: { extractorId } },
          body,
          ...request,
          headers: { ...request.headers, "Content-Type": "application/x-ndjson" },
          bodySerializer: (lines: string) => lines,
        }),
        "updateExtractorInputs",
      );
    },

    /**
     * Starts a crawl run (never resent once Import.io may have acted on it) and returns its id. Should the
     * answer lack the id, the new run is looked up among the newest crawl runs.
     */
    async start(extractorId: string, options?: RequestOptions): Promise<CrawlRunRef> {
      check.id(extractorId, "extractorId");
      let response: Response | undefined;
      const started = await call(
        raw.POST("/extractors/{extractorId}/start", { params: { path: { extractorId } }, ...init(options) }).then((result) => {
          response = result.response;
          return result;
        }),
        "startExtractor",
      );
      if (typeof started?.crawlRunId === "string" && started.crawlRunId !== "") return started;
      const date = Date.parse(response?.headers.get("date") ?? "");
      return { crawlRunId: await locateStartedCrawlrun(extractorId, Number.isNaN(date) ? undefined : date, options) };
    },

    /** Halts the running crawl run (it ends `CANCELLED`); returns its id when Import.io names it. */
    async stop(extractorId: string, options?: RequestOptions): Promise<CrawlRunRef | undefined> {
      check.id(extractorId, "extractorId");
      const stopped = await call(raw.POST("/extractors/{extractorId}/stop", { params: { path: { extractorId } }, ...init(options) }), "stopExtractor");
      return stopped ?? undefined;
    },

    /** Creates a copy of the extractor and returns it (not resent after a failure: it could copy twice). */
    async duplicate(extractorId: string, options?: RequestOptions): Promise<Extractor> {
      check.id(extractorId, "extractorId");
      return call(raw.POST("/extractors/{extractorId}/duplicate", { params: { path: { extractorId } }, ...init(options) }), "duplicateExtractor");
    },

    /** Sets the site login the extractor uses. The password is redacted from errors and logs like the key. */
    async updateCredentials(extractorId: string, credentials: Credentials, options?: RequestOptions): Promise<void> {
      check.id(extractorId, "extractorId");
      check.nonEmptyString(credentials?.username, "credentials.username", "a username");
      // Any password, spaces included and empty too (some sites log in with a username only): only the site
      // decides what a valid password is.
      if (typeof credentials?.password !== "string") {
        throw new ValidationError("a password is required (a string, which may be empty)", "credentials.password");
      }
      redactor.addSecret(credentials.password);
      const body: Credentials = { username: credentials.username, password: credentials.password };
      await call(
        raw.POST("/extractors/{extractorId}/credentials", { params: { path: { extractorId } }, body, ...init(options) }),
        "updateExtractorCredentials",
      );
    },

    /**
     * Starts the extractor, finds its crawl run and polls it until `FINISHED` (returned). Throws
     * ImportFailedError on `FAILED` or `CANCELLED`, WaitTimeoutError after `timeout` (default 30 min),
     * AbortError on `signal`. `onProgress` gets the crawl run after every poll.
     */
    async run(extractorId: string, options: RunOptions = {}): Promise<Crawlrun> {
      check.id(extractorId, "extractorId");
      const { signal, maxRetries } = options;
      const { crawlRunId } = await extractors.start(extractorId, {
        ...(signal ? { signal } : {}),
        ...(maxRetries !== undefined ? { maxRetries } : {}),
      });
      return crawlruns.waitFor(crawlRunId, options);
    },
  };

  const reports = {
    list(params?: ListParams, options?: RequestOptions): PageIterable<Report, Report[]> {
      return list("importio.reports.list", params, (query, o) => call(raw.GET("/reports", { params: { query }, ...init(o) }), "listReports"), options);
    },

    async get(reportId: string, options?: RequestOptions): Promise<Report> {
      check.id(reportId, "reportId");
      return call(raw.GET("/reports/{reportId}", { params: { path: { reportId } }, ...init(options) }), "getReport");
    },

    async delete(reportId: string, options?: RequestOptions): Promise<void> {
      check.id(reportId, "reportId");
      await call(raw.DELETE("/reports/{reportId}", { params: { path: { reportId } }, ...init(options) }), "deleteReport");
    },

    /**
     * Executes the report. Import.io returns no body, so no run id: the new run is the newest of
     * `reports.runs(reportId)`. Not resent once Import.io may have acted on it.
     */
    async start(reportId: string, options?: RequestOptions): Promise<void> {
      check.id(reportId, "reportId");
      await call(raw.POST("/reports/{reportId}/start", { params: { path: { reportId } }, ...init(options) }), "startReport");
    },

    /** Every run of one report, following `_page` until a page comes back empty. */
    runs(reportId: string, params?: ListParams, options?: RequestOptions): PageIterable<ReportRun, ReportRun[]> {
      check.id(reportId, "reportId");
      return list(
        "importio.reports.runs",
        params,
        (query, o) => call(raw.GET("/reports/{reportId}/reportruns", { params: { path: { reportId }, query }, ...init(o) }), "listReportRunsForReport"),
        options,
      );
    },
  };

  const reportRuns = {
    /** Every report run across all reports, following `_page` until a page comes back empty. */
    list(params?: ListParams, options?: RequestOptions): PageIterable<ReportRun, ReportRun[]> {
      return list("importio.reportRuns.list", params, (query, o) => call(raw.GET("/reportruns", { params: { query }, ...init(o) }), "listReportRuns"), options);
    },

    async get(reportRunId: string, options?: RequestOptions): Promise<ReportRun> {
      check.id(reportRunId, "reportRunId");
      return call(raw.GET("/reportruns/{reportRunId}", { params: { path: { reportRunId } }, ...init(options) }), "getReportRun");
    },

    /** One result file (`csv`, `xlsx`, or `json` for Change reports) as a web ReadableStream. */
    async download(reportRunId: string, fileType: ReportRunFileType, options?: RequestOptions): Promise<ReadableStream<Uint8Array>> {
      return reportRunFile(reportRunId, fileType, options);
    },

    /** Streams a result file to `path` (Node, Bun, Deno); the file appears only once complete. */
    async saveTo(reportRunId: string, fileType: ReportRunFileType, path: string, options?: SaveToOptions): Promise<SavedFile> {
      check.id(reportRunId, "reportRunId");
      check.fileType(fileType, REPORT_RUN_FILE_TYPES);
      return saveTo(path, options, (extras) => reportRunFile(reportRunId, fileType, options, extras));
    },
  };

  return {
    users,
    extractors,
    crawlruns,
    reports,
    reportRuns,
    /** The typed openapi-fetch client: every operation of the spec, `{ data, error, response }`. */
    raw,
  };
}

export type ImportIoClient = ReturnType<typeof createImportIoClient>;
