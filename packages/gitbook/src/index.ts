/**
 * @importkit/gitbook: a typed client for the GitBook Imports API.
 *
 *   const gitbook = createGitBookClient({ token: process.env.GITBOOK_TOKEN! });
 *   const run = await gitbook.imports.start({ organizationId, source: { type: "website", url }, target: { space } });
 *   const done = await gitbook.imports.waitFor(run.id, { organizationId }, { onProgress });
 *
 * What is GitBook's own: bearer auth, the `{ error: { code, message } }` envelope, the epoch-seconds rate-limit reset.
 * Everything else (retries, paging, waiting, validation) is core's, driven by the generated operation table.
 */
import {
  ImportFailedError as CoreImportFailedError,
  WaitTimeoutError as CoreWaitTimeoutError,
  type APIPromise,
  type CommonClientOptions,
  type ListOptions,
  type ListPromise,
  type RequestOptions,
  type WaitForOptions,
} from "@importkit/core";
import { checkCredential, createApiClient, epochResetPolicy, requestOptionsOf, type TypedErrorClass } from "@importkit/core/internal";
import { operations } from "./generated/operations.js";
import type { components, operations as Operations, paths } from "./generated/schema.js";
import { VERSION } from "./version.js";

export * from "@importkit/core";
/** The spec's types, by their OpenAPI names: `components["schemas"]["ContentImportRun"]`, `paths`, `operations`. */
export type { components, paths, Operations };
export { VERSION };

export const DEFAULT_BASE_URL = "https://api.gitbook.com/v1";

export type ImportRun = components["schemas"]["ContentImportRun"];
export type ImportRunStatus = ImportRun["status"];
export type ImportRunList = Operations["listImportRuns"]["responses"][200]["content"]["application/json"];
export type ListImportRunsQuery = NonNullable<Operations["listImportRuns"]["parameters"]["query"]>;
export type StartImportRunBody = NonNullable<Operations["startImportRun"]["requestBody"]>["content"]["application/json"];

/** `ImportFailedError` with its `resource` typed as an import run. The same class as core's. */
export const ImportFailedError = CoreImportFailedError as TypedErrorClass<CoreImportFailedError<ImportRun>>;
export type ImportFailedError = CoreImportFailedError<ImportRun>;
/** `WaitTimeoutError` with its `lastSeen` typed as an import run. The same class as core's. */
export const WaitTimeoutError = CoreWaitTimeoutError as TypedErrorClass<CoreWaitTimeoutError<ImportRun>>;
export type WaitTimeoutError = CoreWaitTimeoutError<ImportRun>;

export interface GitBookClientOptions extends CommonClientOptions {
  /** A GitBook personal access token (or OAuth access token), sent as `Authorization: Bearer …`. */
  token: string;
}

/** The organization an import run belongs to: every call but `start` and `list` takes it beside the run's id. */
export interface OrganizationParams {
  organizationId: string;
}

export interface ListImportRunsParams extends ListImportRunsQuery, OrganizationParams {}

export interface StartImportRunParams extends StartImportRunBody, OrganizationParams {}

/** Creates a GitBook client. Every option but `token` is optional. */
export function createGitBookClient(options: GitBookClientOptions) {
  const { token, ...common } = (options ?? {}) as GitBookClientOptions;
  checkCredential(token, "token", "a GitBook access token");
  const api = createApiClient<Operations, paths>(
    {
      name: "GitBook",
      userAgent: `@importkit/gitbook/${VERSION}`,
      defaultBaseUrl: DEFAULT_BASE_URL,
      operations,
      authorize: (request) => void (request.headers["authorization"] = `Bearer ${token}`),
      secrets: [token],
      // X-RateLimit-Reset is a UTC epoch in seconds; no Retry-After is documented.
      rateLimit: epochResetPolicy(),
      errorDetails: (body) => {
        const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
        return { message: error?.message, code: error?.code };
      },
    },
    common,
  );

  const imports = {
    /** Every import run of the organization, most recent first: await it for the first page, `for await` for all. */
    list(params: ListImportRunsParams, options?: ListOptions): ListPromise<ImportRun, ImportRunList> {
      const { organizationId, ...query } = params ?? ({} as ListImportRunsParams);
      return api.list("listImportRuns", { path: { organizationId }, query }, options);
    },

    /** Starts an import run (it begins `pending`). Never resent after a failure the server may have acted on. */
    start(params: StartImportRunParams, options?: RequestOptions): APIPromise<ImportRun> {
      const { organizationId, ...body } = params ?? ({} as StartImportRunParams);
      return api.call("startImportRun", { path: { organizationId }, body }, options);
    },

    get(importRunId: string, params: OrganizationParams, options?: RequestOptions): APIPromise<ImportRun> {
      return api.call("getImportRun", { path: { organizationId: params?.organizationId, importRunId } }, options);
    },

    /** Cancels a run. GitBook answers 200 (today) or 201 (older API versions); both return the run. */
    cancel(importRunId: string, params: OrganizationParams, options?: RequestOptions): APIPromise<ImportRun> {
      return api.call("cancelImportRun", { path: { organizationId: params?.organizationId, importRunId } }, options);
    },

    /**
     * Polls the run until it is `completed` (returned). Throws ImportFailedError when it ends `failed` (with
     * GitBook's `reason`) or `cancelled`, WaitTimeoutError after `deadline` (default 30 minutes), AbortError on
     * `signal`.
     */
    waitFor(importRunId: string, params: OrganizationParams, options?: WaitForOptions<ImportRun>): Promise<ImportRun> {
      return api.waitFor("getImportRun", { path: { organizationId: params?.organizationId, importRunId } }, options, {
        label: `GitBook import run ${importRunId}`,
      });
    },

    /** `start`, then `waitFor` the run it started. */
    async startAndWait(params: StartImportRunParams, options?: WaitForOptions<ImportRun>): Promise<ImportRun> {
      const run = await imports.start(params, requestOptionsOf(options));
      return imports.waitFor(run.id, { organizationId: params.organizationId }, options);
    },
  };

  return {
    imports,
    /** The typed openapi-fetch client: every operation of the spec, `{ data, error, response }`, middleware. */
    raw: api.raw,
  };
}

export type GitBookClient = ReturnType<typeof createGitBookClient>;
