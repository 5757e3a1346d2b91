/**
 * @importkit/document360: a typed client for Document360's Customer API v2 import and export.
 *
 *   const d360 = createDocument360Client({ apiToken: process.env.DOCUMENT360_API_TOKEN!, region: "eu" });
 *   const started = await d360.exports.start({ entity: "Project", version_id: [] });
 *   const finished = await d360.exports.waitFor(started.id);
 *   await d360.exports.download(finished).saveTo("project-export.zip");
 *
 * What is Document360's own: the `api_token` header, regions, the envelope (`success`, `errors[]`, …) whose
 * `success` flag cannot be trusted — its own examples show a 200 with `success: false` and 400s with
 * `success: true`, so the outcome comes from the HTTP status and then the `status` field, never from `success` —,
 * the daily export cap, the import log, and exports served from a storage link that must never see the token.
 */
import {
  ExportFailedError as CoreExportFailedError,
  ImportFailedError as CoreImportFailedError,
  InvalidResponseError,
  ValidationError,
  WaitTimeoutError as CoreWaitTimeoutError,
  type APIPromise,
  type CommonClientOptions,
  type DownloadPromise,
  type RequestOptions,
  type WaitForOptions,
} from "@importkit/core";
import { checkCredential, createApiClient, Redactor, relativeResetPolicy, requestOptionsOf, type TypedErrorClass } from "@importkit/core/internal";
import { exportLimitErrorFrom } from "./errors.js";
import { operations } from "./generated/operations.js";
import type { components, operations as Operations, paths } from "./generated/schema.js";
import { baseUrlForRegion, REGION_BASE_URLS, type Document360Region } from "./region.js";
import { VERSION } from "./version.js";

export * from "@importkit/core";
/** The spec's types, by their OpenAPI names: `components["schemas"]["ImportDocumentationRequest"]`, `paths`, `operations`. */
export type { components, paths, Operations };
export { ExportLimitError } from "./errors.js";
export { baseUrlForRegion, REGION_BASE_URLS, type Document360Region } from "./region.js";
export { VERSION };

export const DEFAULT_BASE_URL = REGION_BASE_URLS.eu;

type Schemas = components["schemas"];

export type KnownImportStatus = Schemas["KnownImportStatus"];
/**
 * An import's status: one of the known ones, or a value Document360 may add later. openapi-typescript widens the
 * spec's `Known | string` to plain `string`; `string & {}` keeps the known literals in autocomplete. `waitFor` treats
 * an unknown status as still running.
 */
export type ImportStatus = KnownImportStatus | (string & {});
export type KnownExportStatus = Schemas["KnownExportStatus"];
/** An export's status: one of the known ones, or a value Document360 may add later (see ImportStatus). */
export type ExportStatus = KnownExportStatus | (string & {});

type WithStatus<T, S> = Omit<T, "status"> & { status?: S | null };

export type ImportDocumentationRequest = Schemas["ImportDocumentationRequest"];
export type ImportDocumentationResponse = WithStatus<Schemas["ImportDocumentationResponse"], ImportStatus>;
export type ImportDocumentationStatusResponse = WithStatus<Schemas["ImportDocumentationStatusResponse"], ImportStatus>;
export type ExportDocumentationRequest = Schemas["ExportDocumentationRequest"];
export type ExportDocumentationResponse = WithStatus<Schemas["ExportDocumentationResponse"], ExportStatus>;
export type ExportDocumentationStatusResponse = WithStatus<Schemas["ExportDocumentationStatusResponse"], ExportStatus>;
/** The answer to a start: the new import's or export's `id` is always there (the client checks). */
export type Started<T> = T & { id: string };

/** `ImportFailedError` with its `resource` typed as an import's status. The same class as core's. */
export const ImportFailedError = CoreImportFailedError as TypedErrorClass<CoreImportFailedError<ImportDocumentationStatusResponse>>;
export type ImportFailedError = CoreImportFailedError<ImportDocumentationStatusResponse>;
/** `ExportFailedError` with its `resource` typed as an export's status. The same class as core's. */
export const ExportFailedError = CoreExportFailedError as TypedErrorClass<CoreExportFailedError<ExportDocumentationStatusResponse>>;
export type ExportFailedError = CoreExportFailedError<ExportDocumentationStatusResponse>;
/** `WaitTimeoutError` with its `lastSeen` typed as an import's or an export's status. The same class as core's. */
export const WaitTimeoutError = CoreWaitTimeoutError as TypedErrorClass<CoreWaitTimeoutError<ImportDocumentationStatusResponse | ExportDocumentationStatusResponse>>;
export type WaitTimeoutError = CoreWaitTimeoutError<ImportDocumentationStatusResponse | ExportDocumentationStatusResponse>;

export interface Document360ClientOptions extends CommonClientOptions {
  /** A Document360 API token (Settings > Knowledge base portal > API tokens), sent raw in the `api_token` header. */
  apiToken: string;
  /**
   * The project's data center: `eu` (the default), `us`, or `{ privateHost: "acme" }` for
   * `https://apihub.acme.document360.io`. `baseUrl` overrides it (e.g. a twin or a mock server).
   */
  region?: Document360Region;
}

type Envelope = Schemas["CustomerApiBaseResponse"];

/**
 * Query parameters that sign a storage link (Azure SAS `sig`, S3 and GCS signatures). A finished export's
 * `download_url` is such a link; it is as good as a credential until it expires.
 */
const SIGNED_URL_PARAMS = ["sig", "signature", "x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature", "x-goog-credential"];

// RFC 3986 never allows these unencoded; the vendor's placeholder `https://document.com//exp/<document_name>.zip`
// has them, and WHATWG URL parsing would quietly percent-encode it into a fetchable URL.
const NOT_IN_URIS = /[\s<>"{}|\\^`]/;
const STARTS = new Set(["importDocumentation", "exportDocumentation"]);

/** Creates a Document360 client. Every option but `apiToken` is optional. */
export function createDocument360Client(options: Document360ClientOptions) {
  const { apiToken, region, ...common } = (options ?? {}) as Document360ClientOptions;
  checkCredential(apiToken, "apiToken", "a Document360 API token");
  const api = createApiClient<Operations, paths>(
    {
      name: "Document360",
      userAgent: `@importkit/document360/${VERSION}`,
      defaultBaseUrl: baseUrlForRegion(region, new Redactor({ secrets: [apiToken] })),
      operations,
      authorize: (request) => void (request.headers["api_token"] = apiToken),
      secrets: [apiToken],
      secretParams: SIGNED_URL_PARAMS,
      // X-RateLimit-Remaining on every response; X-RateLimit-Reset is seconds until the window resets (on 429).
      rateLimit: relativeResetPolicy(),
      errorDetails: (body) => ({ message: errorDescriptions(body).join("; ") || undefined, code: firstErrorCode(body) }),
      refineError: (error) => (error.operation === "exportDocumentation" ? (exportLimitErrorFrom(error, errorDescriptions(error.body)) ?? error) : error),
      onData: (data, operation) => {
        if (data === null || typeof data !== "object") {
          throw new InvalidResponseError(`${operation} succeeded but its body is not a JSON object.`, { operation });
        }
        const checked = STARTS.has(operation) ? withId(data as Envelope & { id?: string | null }, operation) : data;
        return errorsAsWarnings(checked as Envelope, operation);
      },
    },
    common,
  );

  /** A 2xx body's `errors[]` are added to its `warnings` and logged, never thrown. */
  function errorsAsWarnings<T extends Envelope>(data: T, operation: string): T {
    const errors = Array.isArray(data.errors) ? data.errors : [];
    if (errors.length === 0) return data;
    const described = errorDescriptions(data);
    api.logger.warn(`${operation} succeeded but its body lists errors; they are returned as warnings: ${described.join("; ") || "(no description)"}`);
    const asWarnings = errors.map((e) => ({ description: e?.description ?? null, warning_code: e?.error_code ?? null }));
    return { ...data, warnings: [...(Array.isArray(data.warnings) ? data.warnings : []), ...asWarnings] };
  }

  function withId<T extends { id?: string | null }>(started: T, operation: string): T {
    if (typeof started.id !== "string" || started.id === "") {
      const what = operation === "importDocumentation" ? "import" : "export";
      const described = errorDescriptions(started).map((d) => api.redactor.cut(d, 300));
      throw new InvalidResponseError(
        `${operation} succeeded but returned no ${what} id, so the ${what} cannot be followed${described.length ? `: ${described.join("; ")}` : "."}`,
        { operation },
      );
    }
    return started;
  }

  /** The import log's messages explain a failed import: errors (0) before warnings (1) before information (2). */
  function importFailureReason(status: ImportDocumentationStatusResponse): string | undefined {
    const messages = [...(status.import_documentation_log?.messages ?? [])]
      .sort((a, b) => (a?.message_type ?? 3) - (b?.message_type ?? 3))
      .map((m) => m?.message)
      .filter((m): m is string => typeof m === "string" && m.trim() !== "");
    const reasons = [...messages, ...errorDescriptions(status)];
    return reasons.length ? reasons.join("; ") : "its log gives no message";
  }

  const imports = {
    /**
     * Starts an import of a Document360 project export that Document360 downloads from `source_documentation_url`
     * (a .zip). Returns the queued import; poll it with `get` or `waitFor`. Never resent after a failure the server
     * may have acted on.
     */
    start(body: ImportDocumentationRequest, options?: RequestOptions): APIPromise<Started<ImportDocumentationResponse>> {
      return api.call("importDocumentation", { body }, options) as APIPromise<Started<ImportDocumentationResponse>>;
    },

    /** The import's status and, once there, its log. Errors listed in a 200 body come back as `warnings`. */
    get(importId: string, options?: RequestOptions): APIPromise<ImportDocumentationStatusResponse> {
      return api.call("getImportStatus", { path: { importId } }, options) as APIPromise<ImportDocumentationStatusResponse>;
    },

    /**
     * Polls until the import is `Completed` (returned, even when Document360 adds errors such as a missing log: those
     * are in `warnings`). Throws ImportFailedError on `Error` with the log's messages, WaitTimeoutError after
     * `deadline`, AbortError on `signal`. Any other status, known or not, counts as still running. Polls share the
     * client's rate-limit budget, so they slow down before the per-token limit is hit.
     */
    waitFor(importId: string, options?: WaitForOptions<ImportDocumentationStatusResponse>): Promise<ImportDocumentationStatusResponse> {
      return api.waitFor("getImportStatus", { path: { importId } }, options as WaitForOptions<unknown>, {
        label: `Document360 import ${importId}`,
        describeFailure: (status) => importFailureReason(status as ImportDocumentationStatusResponse),
      }) as Promise<ImportDocumentationStatusResponse>;
    },

    /** `start`, then `waitFor` the import it started. */
    async startAndWait(body: ImportDocumentationRequest, options?: WaitForOptions<ImportDocumentationStatusResponse>): Promise<ImportDocumentationStatusResponse> {
      const started = await imports.start(body, requestOptionsOf(options));
      return imports.waitFor(started.id, options);
    },
  };

  const exportsApi = {
    /**
     * Starts an export of the whole project (`entity: "Project", version_id: []`) or of chosen versions, languages or
     * categories. Document360 allows 2 a day: the third is an ExportLimitError (never retried).
     */
    start(body: ExportDocumentationRequest, options?: RequestOptions): APIPromise<Started<ExportDocumentationResponse>> {
      return api.call("exportDocumentation", { body }, options) as APIPromise<Started<ExportDocumentationResponse>>;
    },

    /** The export's status and, once `Completed`, its `download_url`. */
    get(exportId: string, options?: RequestOptions): APIPromise<ExportDocumentationStatusResponse> {
      return api.call("getExportStatus", { path: { exportId } }, options) as APIPromise<ExportDocumentationStatusResponse>;
    },

    /**
     * Polls until the export is `Completed` (returned, with its `download_url`). Throws ExportFailedError on `Error`,
     * WaitTimeoutError after `deadline`, AbortError on `signal`; any other status counts as running.
     */
    waitFor(exportId: string, options?: WaitForOptions<ExportDocumentationStatusResponse>): Promise<ExportDocumentationStatusResponse> {
      return api.waitFor("getExportStatus", { path: { exportId } }, options as WaitForOptions<unknown>, {
        label: `Document360 export ${exportId}`,
        describeFailure: (status) => errorDescriptions(status).join("; ") || "Document360 gives no reason",
      }) as Promise<ExportDocumentationStatusResponse>;
    },

    /** `start`, then `waitFor` the export it started. */
    async startAndWait(body: ExportDocumentationRequest, options?: WaitForOptions<ExportDocumentationStatusResponse>): Promise<ExportDocumentationStatusResponse> {
      const started = await exportsApi.start(body, requestOptionsOf(options));
      return exportsApi.waitFor(started.id, options);
    },

    /**
     * A finished export's zip, from its `download_url`: await it for the stream, or call `.saveTo(path)` on it. Give
     * the export's id (its status is fetched and must be `Completed`) or a status you already have (from `get` or
     * `waitFor`; no API request then). The zip comes from a storage host, not the API: the api_token and the client's
     * `headers` are never sent there; `options.headers` are. Retries and the idle `timeout` apply as for API calls.
     */
    download(exportOrId: string | ExportDocumentationStatusResponse, options?: RequestOptions): DownloadPromise {
      return api.downloadUrl(() => finishedExportUrl(exportOrId, options), options, {
        method: "document360.exports.download",
        operation: "downloadExport",
      });
    },
  };

  /** The `download_url` of a finished export, given its id (status fetched) or its status. */
  async function finishedExportUrl(exportOrId: string | ExportDocumentationStatusResponse, options: RequestOptions | undefined): Promise<URL> {
    let status: ExportDocumentationStatusResponse;
    let label: string;
    if (typeof exportOrId === "string") {
      // The caller's headers are for the storage host; the status comes from the API with the client's own.
      const { headers: _forTheStorageHost, ...apiOptions } = options ?? {};
      status = await exportsApi.get(exportOrId, apiOptions);
      label = `Document360 export ${exportOrId}`;
    } else if (exportOrId !== null && typeof exportOrId === "object") {
      status = exportOrId;
      label = "The Document360 export";
    } else {
      throw new ValidationError("pass the export's id, or its status from exports.get() or exports.waitFor()", "export");
    }
    if (status.status === "Error") {
      const reason = errorDescriptions(status).join("; ") || undefined;
      throw new CoreExportFailedError<ExportDocumentationStatusResponse>(api.redactor.cut(`${label} ended Error${reason ? `: ${reason}` : "."}`, 2000), {
        status: "Error",
        reason: reason === undefined ? undefined : api.redactor.cut(reason, 2000),
        resource: api.redactor.value(status),
      });
    }
    if (status.status !== "Completed") {
      const now = typeof status.status === "string" ? JSON.stringify(api.redactor.cut(status.status, 60)) : "without a status";
      throw new ValidationError(`${label} is ${now}, not "Completed": wait for it with exports.waitFor() first`, "export.status");
    }
    const value = status.download_url;
    const problem =
      typeof value !== "string" || value.trim() === ""
        ? "has no download_url"
        : NOT_IN_URIS.test(value.trim()) || !parseHttpUrl(value.trim())
          ? `has a download_url that is not a valid http(s) URL: ${JSON.stringify(api.redactor.cut(value, 200))}`
          : undefined;
    if (problem) throw new InvalidResponseError(`${label} is Completed but ${problem}.`, { operation: "getExportStatus" });
    return parseHttpUrl((value as string).trim())!;
  }

  return {
    imports,
    exports: exportsApi,
    /** The typed openapi-fetch client: every operation of the spec, `{ data, error, response }`, middleware. */
    raw: api.raw,
  };
}

export type Document360Client = ReturnType<typeof createDocument360Client>;

function parseHttpUrl(value: string | URL): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The `errors[].description`s of a Document360 envelope (any body: error bodies are not always envelopes). */
function errorDescriptions(body: unknown): string[] {
  const errors = (body as { errors?: unknown } | null | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .map((e) => (e as { description?: unknown } | null)?.description)
    .filter((d): d is string => typeof d === "string" && d.trim() !== "");
}

function firstErrorCode(body: unknown): string | undefined {
  const errors = (body as { errors?: unknown } | null | undefined)?.errors;
  if (!Array.isArray(errors)) return undefined;
  for (const e of errors) {
    const code = (e as { error_code?: unknown } | null)?.error_code;
    if (typeof code === "string" && code !== "") return code;
  }
  return undefined;
}
