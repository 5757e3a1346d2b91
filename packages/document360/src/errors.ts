import { InvalidRequestError, type ApiError } from "@importkit/core";
import { refinedErrorInit } from "@importkit/core/internal";

// The vendor's wording: "Export API request limit(2) is reached for the day."
const DAILY_LIMIT = /request limit\s*\(\s*(\d+)\s*\)\s*is reached for the day/i;

/**
 * Document360's daily export cap is reached (2 export requests a day). The API answers it with a 400, not a
 * 429, and no reset header: retrying the same day cannot succeed, so nothing retries it.
 */
export class ExportLimitError extends InvalidRequestError {
  /** The cap the server named (2 today), when it named one. */
  readonly dailyLimit: number | undefined;

  constructor(from: ApiError, dailyLimit: number | undefined) {
    super(
      refinedErrorInit(
        from,
        `Document360's daily export limit${dailyLimit === undefined ? "" : ` (${dailyLimit} export requests a day)`} is reached; ` +
        `it resets the next day, retrying today will not help. ${from.message}`,
      ),
    );
    this.dailyLimit = dailyLimit;
  }
}

/** The daily-cap error for an exportDocumentation 400 that says so, else undefined. */
export function exportLimitErrorFrom(error: ApiError, descriptions: readonly string[]): ExportLimitError | undefined {
  if (error.status !== 400) return undefined;
  for (const description of descriptions) {
    const match = DAILY_LIMIT.exec(description);
    if (match) return new ExportLimitError(error, match[1] === undefined ? undefined : Number(match[1]));
  }
  return undefined;
}
