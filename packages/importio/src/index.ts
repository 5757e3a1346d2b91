/**
 * @importkit/importio: a typed client for the Import.io API v2 (extractors, crawl runs, reports and their result
 * files).
 *
 *   const importio = createImportIoClient({ apiKey: process.env.IMPORTIO_API_KEY! });
 *   const { crawlRunId } = await importio.extractors.start(extractorId);
 *   const run = await importio.crawlRuns.waitFor(crawlRunId, { onProgress: (r) => console.log(r.state) });
 *   for await (const row of importio.crawlRuns.rows(crawlRunId)) console.log(row.url);
 *
 * What is Import.io's own: the API key in the URL (`_apikey`, added per attempt beneath every layer that could show
 * a URL, and redacted everywhere), its `{ code, message }` envelope, the file types of result files, NDJSON rows, and
 * finding the crawl run a start created when the answer does not name it.
 */
import {
  ImportFailedError as CoreImportFailedError,
  InvalidResponseError,
  ValidationError,
  WaitTimeoutError as CoreWaitTimeoutError,
  type APIPromise,
  type CommonClientOptions,
  type DownloadPromise,
  type ListOptions,
  type ListPromise,
  type RequestOptions,
  type WaitForOptions,
} from "@importkit/core";
import { checkCredential, checkWhole, createApiClient, requestOptionsOf, sleep, type TypedErrorClass } from "@importkit/core/internal";
import { operations } from "./generated/operations.js";
import type {
  components,
  CrawlRunRef,
  Crawlrun,
  Credentials,
  Extractor,
  ExtractorInput,
  ExtractorInputs,
  operations as Operations,
  paths,
  Report,
  ReportRun,
  ResultRow,
  Subscription,
  User,
} from "./generated/schema.js";
import { refineStartError } from "./errors.js";
import { parseNdjson } from "./ndjson.js";
import { VERSION } from "./version.js";

export * from "@importkit/core";
/** The spec's types, by their OpenAPI names: `components["schemas"]["Crawlrun"]`, `paths`, `operations`. */
export type { components, paths, Operations };
export type { CrawlRunRef, Crawlrun, Credentials, Extractor, ExtractorInput, ExtractorInputs, Report, ReportRun, ResultRow, Subscription, User };
export { CrawlAlreadyRunningError } from "./errors.js";
export { ResultParseError, DEFAULT_MAX_LINE_LENGTH } from "./ndjson.js";
export { VERSION };

export const DEFAULT_BASE_URL = "https://api.import.io";

export type CrawlrunState = NonNullable<Crawlrun["state"]>;
export type CrawlrunFileType = Operations["getCrawlrunFile"]["parameters"]["path"]["fileType"];
export type ReportRunFileType = Operations["getReportRunFile"]["parameters"]["path"]["fileType"];
/** `_page`, `_perpage`, `_sort`, `_sortDirection`: the same on every list of the API. */
export type ListQuery = NonNullable<Operations["listExtractors"]["parameters"]["query"]>;

/** What Import.io's `waitFor`s poll: crawl runs and report runs. */
export type AwaitedRun = Crawlrun | ReportRun;
/** `ImportFailedError` with its `resource` typed as a crawl run or a report run. The same class as core's. */
export const ImportFailedError = CoreImportFailedError as TypedErrorClass<CoreImportFailedError<AwaitedRun>>;
export type ImportFailedError = CoreImportFailedError<AwaitedRun>;
/** `WaitTimeoutError` with its `lastSeen` typed as a crawl run or a report run. The same class as core's. */
export const WaitTimeoutError = CoreWaitTimeoutError as TypedErrorClass<CoreWaitTimeoutError<AwaitedRun>>;
export type WaitTimeoutError = CoreWaitTimeoutError<AwaitedRun>;

export interface ImportIoClientOptions extends CommonClientOptions {
  /** Your Import.io API key (dashboard → User Settings). Sent as the `_apikey` query parameter. */
  apiKey: string;
}

export interface RowsOptions extends RequestOptions {
  /** A longer line ends the iteration with ResultParseError instead of being buffered (default 64 MiB). */
  maxLineLength?: number;
}

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/** The media type of each result file type (the spec's `getCrawlrunFile` / `getReportRunFile` responses). */
const CRAWLRUN_MEDIA_TYPES: Readonly<Record<CrawlrunFileType, string>> = {
  csv: "text/csv",
  xlsx: XLSX,
  // The log as the seed labels it, and as Import.io's own swagger does.
  log: "text/plain, text/csv",
  sample: "application/json",
  // JSON lines as the seed labels them. Import.io's own swagger labels them `application/json; boundary=NL`: such an
  // answer is read the same (a download does not depend on its label), but asking for it would match `sample`'s
  // plain `application/json` wherever media-type parameters are ignored.
  json: "application/x-ndjson",
  files: "application/zip",
};
const REPORT_RUN_MEDIA_TYPES: Readonly<Record<ReportRunFileType, string>> = { csv: "text/csv", xlsx: XLSX, json: "application/json" };
export const CRAWLRUN_FILE_TYPES = Object.keys(CRAWLRUN_MEDIA_TYPES) as readonly CrawlrunFileType[];
export const REPORT_RUN_FILE_TYPES = Object.keys(REPORT_RUN_MEDIA_TYPES) as readonly ReportRunFileType[];

/**
 * Asks for the file's own type first, and for JSON at a low weight so that an error (401, 404) can still come back as
 * Import.io's `{code, message}` envelope instead of a 406.
 */
function acceptFor(mediaType: string | undefined): string | undefined {
  if (mediaType === undefined) return undefined;
  return mediaType === "application/json" ? mediaType : `${mediaType}, application/json;q=0.1`;
}

const IN_PROGRESS_STATES: ReadonlySet<string> = new Set<CrawlrunState>(["PENDING", "STARTED"]);
/** When a start answer lacks the crawl run id: how often, and how far apart, to look for the new run. */
const LOCATE_ATTEMPTS = 3;
const LOCATE_INTERVAL_MS = 500;
const LOCATE_PAGE_SIZE = 20;

/**
 * An extractor's inputs as a list, from either form Import.io answers: line-separated JSON (one input object per line,
 * which the client reads into a list) or the seed's single object whose `_url` holds newline-separated URLs.
 */
function inputList(answer: unknown): ExtractorInput[] {
  const objects = (Array.isArray(answer) ? answer : answer === undefined || answer === null ? [] : [answer]) as ExtractorInput[];
  return objects.flatMap((input) => {
    const urls = typeof input?._url === "string" ? input._url.split(/\r?\n/).map((url) => url.trim()).filter(Boolean) : [];
    return urls.length > 1 ? urls.map((_url) => ({ ...input, _url })) : [input];
  });
}

/** Creates an Import.io client. Every option but `apiKey` is optional. */
export function createImportIoClient(options: ImportIoClientOptions) {
  const { apiKey, ...common } = (options ?? {}) as ImportIoClientOptions;
  checkCredential(apiKey, "apiKey", "an Import.io API key");
  const encodedKey = encodeURIComponent(apiKey);
  const api = createApiClient<Operations, paths>(
    {
      name: "Import.io",
      userAgent: `@importkit/importio/${VERSION}`,
      defaultBaseUrl: DEFAULT_BASE_URL,
      operations,
      // Per attempt and beneath everything that logs, so the URLs errors and logs describe never held the key.
      authorize: (request) => void (request.url += `${request.url.includes("?") ? "&" : "?"}_apikey=${encodedKey}`),
      secrets: [apiKey],
      secretParams: ["_apikey"],
      refineError: refineStartError,
      // `{ code, message, error }`, or a gateway's `{ "error": { "message": … } }`.
      errorDetails: (body) => {
        if (body === null || typeof body !== "object") return {};
        const envelope = body as { code?: unknown; message?: unknown; error?: unknown };
        const nested = envelope.error !== null && typeof envelope.error === "object" ? (envelope.error as { message?: unknown; code?: unknown }) : undefined;
        return { message: envelope.message ?? nested?.message ?? envelope.error, code: envelope.code ?? nested?.code };
      },
    },
    common,
  );

  const users = {
    /** The user who owns the API key. */
    current(options?: RequestOptions): APIPromise<User> {
      return api.call("getCurrentUser", {}, options);
    },
    /** Plan, usage and billing of that user. */
    subscription(options?: RequestOptions): APIPromise<Subscription> {
      return api.call("getCurrentUserSubscription", {}, options);
    },
  };

  function crawlRunFile(crawlRunId: string, fileType: CrawlrunFileType, options?: RequestOptions): DownloadPromise {
    return api.download("getCrawlrunFile", { path: { crawlrunId: crawlRunId, fileType } }, options, {
      accept: acceptFor(CRAWLRUN_MEDIA_TYPES[fileType]),
      method: "importio.crawlRuns.download",
    });
  }

  const crawlRuns = {
    /** Every recent crawl run, following `_page` until a page comes back empty. */
    list(query?: ListQuery, options?: ListOptions): ListPromise<Crawlrun, Crawlrun[]> {
      return api.list("listCrawlruns", { query }, options);
    },

    get(crawlRunId: string, options?: RequestOptions): APIPromise<Crawlrun> {
      return api.call("getCrawlrun", { path: { crawlrunId: crawlRunId } }, options);
    },

    /**
     * One result file: await it for its body as a stream (never buffered), or call `.saveTo(path)` on it. `json` is
     * newline-delimited JSON (see `rows`), `sample` a JSON array, `xlsx` and `files` (zip) binary. `timeout` is the
     * longest silence allowed between two chunks.
     */
    download(crawlRunId: string, fileType: CrawlrunFileType, options?: RequestOptions): DownloadPromise {
      return crawlRunFile(crawlRunId, fileType, options);
    },

    /**
     * The rows of the `json` result file, parsed line by line as they arrive. A line that is not a JSON object ends
     * the iteration with ResultParseError naming its line number. Each iteration downloads anew.
     */
    rows<T = ResultRow>(crawlRunId: string, options?: RowsOptions): AsyncIterable<T> {
      const { maxLineLength, ...requestOptions } = options ?? {};
      return {
        async *[Symbol.asyncIterator]() {
          checkWhole(maxLineLength, "maxLineLength", 1);
          const download = await crawlRunFile(crawlRunId, "json", requestOptions);
          yield* parseNdjson<T>(download.body, {
            label: `the json result file of crawl run ${crawlRunId}`,
            operation: "getCrawlrunFile",
            redactor: api.redactor,
            ...(maxLineLength !== undefined ? { maxLineLength } : {}),
          });
        },
      };
    },

    /**
     * Polls the crawl run until it is `FINISHED` (returned). Throws ImportFailedError when it ends `FAILED` or
     * `CANCELLED`, WaitTimeoutError after `deadline` (default 30 minutes), AbortError on `signal`.
     */
    waitFor(crawlRunId: string, options?: WaitForOptions<Crawlrun>): Promise<Crawlrun> {
      return api.waitFor("getCrawlrun", { path: { crawlrunId: crawlRunId } }, options, {
        label: `Import.io crawl run ${crawlRunId}`,
        describeFailure: (run) => {
          if (run.state === "CANCELLED") return "the crawl run was stopped (stopExtractor or the dashboard)";
          const counts = run.totalUrlCount !== undefined ? ` (${run.successUrlCount ?? 0} of ${run.totalUrlCount} URLs succeeded, ${run.failedUrlCount ?? 0} failed)` : "";
          return `the crawl run failed${counts}`;
        },
      });
    },
  };

  /**
   * The crawl run a start created, for a start answer without `crawlRunId` (the seed documents no body): the newest
   * run of this extractor that is still in progress or was created after the server's own `Date` for the start (so
   * local clock skew cannot pick an older run).
   */
  async function locateStartedCrawlRun(extractorId: string, serverStartMs: number | undefined, options: RequestOptions | undefined): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const page = await crawlRuns.list({ _page: 1, _perpage: LOCATE_PAGE_SIZE, _sort: "_meta.creationTimestamp", _sortDirection: "DESC" }, options);
      const match = page.items.find((run) => {
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
            `The extractor is running: do not start it again; find its run with crawlRuns.list().`,
          { operation: "startExtractor" },
        );
      }
      await sleep(LOCATE_INTERVAL_MS, options?.signal);
    }
  }

  const extractors = {
    /** Every extractor of the user, following `_page` until a page comes back empty. */
    list(query?: ListQuery, options?: ListOptions): ListPromise<Extractor, Extractor[]> {
      return api.list("listExtractors", { query }, options);
    },

    get(extractorId: string, options?: RequestOptions): APIPromise<Extractor> {
      return api.call("getExtractor", { path: { extractorId } }, options);
    },

    /** Archives (deletes) the extractor: hidden and no longer runnable; returns it, now `archived`. */
    archive(extractorId: string, options?: RequestOptions): APIPromise<Extractor> {
      return api.call("deleteExtractor", { path: { extractorId } }, options);
    },

    /**
     * The extractor's inputs, one object per input: `_url` and any attributes (`"Max Screens": 50`). Read from the
     * line-separated JSON Import.io answers, or from the seed's single object with newline-separated URLs.
     */
    async getInputs(extractorId: string, options?: RequestOptions): Promise<ExtractorInput[]> {
      const headers = { Accept: "application/x-ndjson, application/json;q=0.5", ...options?.headers };
      return inputList(await api.call("getExtractorInputs", { path: { extractorId } }, { ...options, headers }));
    },

    /**
     * Replaces the extractor's inputs, sent as line-separated JSON (one object per line). Give input objects
     * (`{ _url, ...attributes }`) or plain URLs.
     */
    async setInputs(extractorId: string, inputs: ReadonlyArray<ExtractorInput | string | URL>, options?: RequestOptions): Promise<void> {
      // The spec types the wire body as its text (no OpenAPI 3.1 schema describes JSON lines); the table checks and
      // encodes the list of input objects (its x-itemSchema).
      const body = inputObjects(inputs) as unknown as string;
      await api.call("updateExtractorInputs", { path: { extractorId }, body }, options);
    },

    /**
     * Starts a crawl run (never resent once Import.io may have acted on it) and returns its id. Should the answer
     * lack the id, the new run is looked up among the newest crawl runs.
     */
    async start(extractorId: string, options?: RequestOptions): Promise<CrawlRunRef & { crawlRunId: string }> {
      const { data, response } = await api.call("startExtractor", { path: { extractorId } }, options).withResponse();
      if (typeof data?.crawlRunId === "string" && data.crawlRunId !== "") return data as CrawlRunRef & { crawlRunId: string };
      const date = Date.parse(response.headers.get("date") ?? "");
      return { crawlRunId: await locateStartedCrawlRun(extractorId, Number.isNaN(date) ? undefined : date, options) };
    },

    /** Halts the running crawl run (it ends `CANCELLED`); returns its id when Import.io names it. */
    async stop(extractorId: string, options?: RequestOptions): Promise<CrawlRunRef | undefined> {
      return (await api.call("stopExtractor", { path: { extractorId } }, options)) ?? undefined;
    },

    /** Creates a copy of the extractor and returns it (not resent after a failure: it could copy twice). */
    duplicate(extractorId: string, options?: RequestOptions): APIPromise<Extractor> {
      return api.call("duplicateExtractor", { path: { extractorId } }, options);
    },

    /** Sets the site login the extractor uses. The password is redacted from errors and logs like the key. */
    async setCredentials(extractorId: string, credentials: Credentials, options?: RequestOptions): Promise<void> {
      if (typeof credentials?.password === "string") api.redactor.addSecret(credentials.password);
      const body = credentials === null || typeof credentials !== "object" ? credentials : { username: credentials.username, password: credentials.password };
      await api.call("updateExtractorCredentials", { path: { extractorId }, body }, options);
    },

    /** `start`, then `crawlRuns.waitFor` the crawl run it started. */
    async startAndWait(extractorId: string, options?: WaitForOptions<Crawlrun>): Promise<Crawlrun> {
      const { crawlRunId } = await extractors.start(extractorId, requestOptionsOf(options));
      return crawlRuns.waitFor(crawlRunId, options);
    },
  };

  const reports = {
    list(query?: ListQuery, options?: ListOptions): ListPromise<Report, Report[]> {
      return api.list("listReports", { query }, options);
    },

    get(reportId: string, options?: RequestOptions): APIPromise<Report> {
      return api.call("getReport", { path: { reportId } }, options);
    },

    async delete(reportId: string, options?: RequestOptions): Promise<void> {
      await api.call("deleteReport", { path: { reportId } }, options);
    },

    /**
     * Executes the report. Import.io returns no body, so no run id: the new run is the newest of
     * `reportRuns.listForReport(reportId)`. Not resent once Import.io may have acted on it.
     */
    async start(reportId: string, options?: RequestOptions): Promise<void> {
      await api.call("startReport", { path: { reportId } }, options);
    },
  };

  const reportRuns = {
    /** Every report run across all reports, following `_page` until a page comes back empty. */
    list(query?: ListQuery, options?: ListOptions): ListPromise<ReportRun, ReportRun[]> {
      return api.list("listReportRuns", { query }, options);
    },

    /** Every run of one report, following `_page` until a page comes back empty. */
    listForReport(reportId: string, query?: ListQuery, options?: ListOptions): ListPromise<ReportRun, ReportRun[]> {
      return api.list("listReportRunsForReport", { path: { reportId }, query }, options);
    },

    get(reportRunId: string, options?: RequestOptions): APIPromise<ReportRun> {
      return api.call("getReportRun", { path: { reportRunId } }, options);
    },

    /**
     * Polls the report run until it is `FINISHED`. Import.io does not document report-run statuses: the spec models
     * them as the crawl runs' (marked inferred), so `FAILED` and `CANCELLED` end it in ImportFailedError.
     */
    waitFor(reportRunId: string, options?: WaitForOptions<ReportRun>): Promise<ReportRun> {
      return api.waitFor("getReportRun", { path: { reportRunId } }, options, { label: `Import.io report run ${reportRunId}` });
    },

    /** One result file (`csv`, `xlsx`, or `json` for Change reports): await it for its stream, or `.saveTo(path)`. */
    download(reportRunId: string, fileType: ReportRunFileType, options?: RequestOptions): DownloadPromise {
      return api.download("getReportRunFile", { path: { reportRunId, fileType } }, options, {
        accept: acceptFor(REPORT_RUN_MEDIA_TYPES[fileType]),
        method: "importio.reportRuns.download",
      });
    },
  };

  return {
    users,
    extractors,
    crawlRuns,
    reports,
    reportRuns,
    /** The typed openapi-fetch client: every operation of the spec, `{ data, error, response }`, middleware. */
    raw: api.raw,
  };
}

export type ImportIoClient = ReturnType<typeof createImportIoClient>;

/**
 * Input objects from what `setInputs` was given. The one rule the spec cannot state: a URL holds no line break (on the
 * wire a line is one input, and the seed's form would read it as two).
 */
function inputObjects(inputs: unknown): ExtractorInput[] {
  if (!Array.isArray(inputs)) throw new ValidationError("expected a list of inputs (input objects or URLs)", "inputs");
  return inputs.map((item: unknown, index) => {
    const input = (typeof item === "string" ? { _url: item } : item instanceof URL ? { _url: item.href } : item) as ExtractorInput;
    const url = input?._url;
    // Two `includes` rather than a regex test: half the cost, for a list of 10 000 inputs (bench/body-encoding.ts).
    if (typeof url === "string" && (url.includes("\n") || url.includes("\r"))) {
      throw new ValidationError("a URL may not contain a line break (it would become two inputs)", `inputs[${index}]._url`);
    }
    return input;
  });
}
