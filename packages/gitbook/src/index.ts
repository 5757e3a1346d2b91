/**
 * @importkit/gitbook: a typed client for the GitBook Imports API.
 *
 *   const gitbook = createGitBookClient({ token: process.env.GITBOOK_TOKEN! });
 *   const run = await gitbook.imports.start({ organizationId, source: { type: "website", url }, target: { space } });
 *   const done = await gitbook.imports.waitFor({ organizationId, importRunId: run.id }, { onProgress });
 */
import {
  createApiClient,
  epochResetPolicy,
  ImportFailedError,
  paginate,
  ValidationError,
  waitFor,
  type CommonClientOptions,
  type PageIterable,
  type RequestOptions,
  type WaitOptions,
} from "@importkit/core";
import { operationIds } from "./generated/operations.js";
import { validation } from "./generated/validation.js";
import type { components, operations, paths } from "./generated/schema.js";

export * from "@importkit/core/public";
export type * from "./generated/schema.js";

export const VERSION = "0.1.0";
export const DEFAULT_BASE_URL = "https://api.gitbook.com/v1";

export type ImportRun = components["schemas"]["ContentImportRun"];
export type ImportRunStatus = ImportRun["status"];
export type ImportRunList = operations["listImportRuns"]["responses"][200]["content"]["application/json"];
export type ListImportRunsQuery = NonNullable<operations["listImportRuns"]["parameters"]["query"]>;
export type StartImportRunBody = NonNullable<operations["startImportRun"]["requestBody"]>["content"]["application/json"];

export interface GitBookClientOptions extends CommonClientOptions {
  /** A GitBook personal access token (or OAuth access token), sent as `Authorization: Bearer …`. */
  token: string;
}

export interface ImportRunRef {
  organizationId: string;
  importRunId: string;
}

export interface ListImportRunsParams extends Omit<ListImportRunsQuery, "page"> {
  organizationId: string;
  /** Stop with PaginationLimitError after this many pages (default 1 000). */
  maxPages?: number;
}

export interface StartImportRunParams extends StartImportRunBody {
  organizationId: string;
}

/** Statuses after which a run never changes again. */
const FAILED_STATUSES: ReadonlySet<ImportRunStatus> = new Set(["failed", "cancelled"]);

/** Creates a GitBook client. Every option but `token` is optional. */
export function createGitBookClient(options: GitBookClientOptions) {
  const { token, ...common } = options ?? ({} as GitBookClientOptions);
  if (typeof token !== "string" || token.trim() === "") {
    throw new ValidationError("a GitBook access token is required (a non-empty string)", "token");
  }
  const api = createApiClient<paths>(
    {
      userAgent: `@importkit/gitbook/${VERSION}`,
      defaultBaseUrl: DEFAULT_BASE_URL,
      authorize: (_url, headers) => headers.set("Authorization", `Bearer ${token}`),
      secrets: [token],
      startsWork: ["POST /org/{organizationId}/imports"],
      // Every operation answers with the run (or the list): an empty 2xx is an InvalidResponseError.
      bodylessOperations: [],
      operationIds,
      validation,
      // GitBook: X-RateLimit-Reset is a UTC epoch in seconds; no Retry-After is documented.
      rateLimit: epochResetPolicy(),
      errorDetails: (body) => {
        const error = (body as { error?: { code?: number; message?: string } } | undefined)?.error;
        return { message: error?.message, code: error?.code };
      },
    },
    common,
  );
  const { raw, call, init } = api;

  const imports = {
    /** Every import run of the organization, most recent first, following `next.page` to the end. */
    list(params: ListImportRunsParams, options?: RequestOptions): PageIterable<ImportRun, ImportRunList> {
      const { organizationId, maxPages, ...query } = params;
      return paginate<ImportRunList, ImportRun, string>({
        label: "gitbook.imports.list",
        ...(maxPages !== undefined ? { maxPages } : {}),
        fetchPage: (page) =>
          call(
            raw.GET("/org/{organizationId}/imports", {
              params: { path: { organizationId }, query: { ...query, ...(page !== undefined ? { page } : {}) } },
              ...init(options),
            }),
            "listImportRuns",
          ),
        items: (page) => page.items,
        next: (page) => page.next?.page,
      });
    },

    /** Starts an import run (it begins `pending`). Not resent after a failure the server may have acted on. */
    start(params: StartImportRunParams, options?: RequestOptions): Promise<ImportRun> {
      const { organizationId, ...body } = params;
      return call(raw.POST("/org/{organizationId}/imports", { params: { path: { organizationId } }, body, ...init(options) }), "startImportRun");
    },

    get(ref: ImportRunRef, options?: RequestOptions): Promise<ImportRun> {
      return call(
        raw.GET("/org/{organizationId}/imports/{importRunId}", {
          params: { path: { organizationId: ref.organizationId, importRunId: ref.importRunId } },
          ...init(options),
        }),
        "getImportRun",
      );
    },

    /** Cancels a run. GitBook answers 200 (today) or 201 (older API versions); both return the run. */
    cancel(ref: ImportRunRef, options?: RequestOptions): Promise<ImportRun> {
      return call(
        raw.POST("/org/{organizationId}/imports/{importRunId}/cancel", {
          params: { path: { organizationId: ref.organizationId, importRunId: ref.importRunId } },
          ...init(options),
        }),
        "cancelImportRun",
      );
    },

    /**
     * Polls the run until it is `completed` (returned). Throws ImportFailedError when it ends `failed`
     * (with GitBook's `reason`) or `cancelled`, WaitTimeoutError after `timeout`, AbortError on `signal`.
     */
    waitFor(ref: ImportRunRef, options: WaitOptions<ImportRun> & Pick<RequestOptions, "maxRetries"> = {}): Promise<ImportRun> {
      const { signal, timeout, interval, maxInterval, onProgress, maxRetries } = options;
      return waitFor<ImportRun>({
        redactor: api.redactor,
        label: `GitBook import run ${ref.importRunId}`,
        ...(signal ? { signal } : {}),
        ...(timeout !== undefined ? { timeout } : {}),
        ...(interval !== undefined ? { interval } : {}),
        ...(maxInterval !== undefined ? { maxInterval } : {}),
        ...(onProgress ? { onProgress } : {}),
        poll: (pollSignal) => imports.get(ref, { signal: pollSignal, ...(maxRetries !== undefined ? { maxRetries } : {}) }),
        state: (run) => (run.status === "completed" ? "succeeded" : FAILED_STATUSES.has(run.status) ? "failed" : "pending"),
        failure: (run) =>
          new ImportFailedError(
            run.status === "cancelled"
              ? `GitBook import run ${run.id} was cancelled.`
              : `GitBook import run ${run.id} failed${run.reason ? `: ${api.redactor.text(run.reason)}` : "."}`,
            // The reason is the server's text, and servers quote requests back: redacted like the message.
            { status: run.status, reason: run.reason === undefined ? undefined : api.redactor.text(run.reason), resource: api.redactor.value(run) },
          ),
      });
    },
  };

  return {
    imports,
    /** The typed openapi-fetch client: every operation of the spec, `{ data, error, response }`. */
    raw,
  };
}

export type GitBookClient = ReturnType<typeof createGitBookClient>;
