/**
 * @importkit/document360: a typed client for Document360's Customer API v2 import and export.
 *
 *   const d360 = createDocument360Client({ apiToken: process.env.DOCUMENT360_API_TOKEN!, region: "eu" });
 *   const started = await d360.exports.start({ entity: "Project", version_id: [] });
 *   const finished = await d360.exports.waitFor(started.id);
 *   await (await d360.exports.download(finished)).saveTo("project-export.zip");
 *
 * Document360 answers with an envelope (`success`, `errors[]`, …) whose `success` flag cannot be trusted: its
 * own examples show a 200 with `success: false` and 400s with `success: true`. The outcome here comes from the
 * HTTP status and then the `status` field; `success` is never read.
 */
import {
  createApiClient,
  ImportFailedError,
  InvalidRequestError,
  InvalidResponseError,
  Redactor,
  relativeResetPolicy,
  ValidationError,
  waitFor,
  type CommonClientOptions,
  type RequestOptions,
  type SaveToOptions,
  type ValidationIssue,
  type WaitOptions,
} from "@importkit/core";
import type { SavedFile } from "@importkit/core/node";
import { createExportDownloader, type ExportDownload } from "./download.js";
import { exportLimitErrorFrom } from "./errors.js";
import { operationIds } from "./generated/operations.js";
import { validation } from "./generated/validation.js";
import type { components, paths } from "./generated/schema.js";
import { baseUrlForRegion, REGION_BASE_URLS, type Document360Region } from "./region.js";

export * from "@importkit/core/public";
export type { SaveOptions, SavedFile } from "@importkit/core/node";
export type * from "./generated/schema.js";
export { ExportLimitError } from "./errors.js";
export { baseUrlForRegion, REGION_BASE_URLS, type Document360Region } from "./region.js";
export type { ExportDownload } from "./download.js";
export type { SaveToOptions } from "@importkit/core";

export const VERSION = "0.1.0";
export const DEFAULT_BASE_URL = REGION_BASE_URLS.eu;

type Schemas = components["schemas"];

export type KnownImportStatus = Schemas["KnownImportStatus"];
/**
 * An import's status: one of the known ones, or a value Document360 may add later. openapi-typescript widens the
 * spec's `Known | string` to plain `string`; `string & {}` keeps the known literals in autocomplete.
 * `waitFor` treats an unknown status as still running.
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

export interface Document360ClientOptions extends CommonClientOptions {
  /** A Document360 API token (Settings > Knowledge base portal > API tokens), sent raw in the `api_token` header. */
  apiToken: string;
  /**
   * The project's data center: `eu` (the default), `us`, or `{ privateHost: "acme" }` for
   * `https://apihub.acme.document360.io`. `baseUrl` overrides it (e.g. a mock server).
   */
  region?: Document360Region;
}

export type WaitForOptions = WaitOptions & Pick<RequestOptions, "maxRetries">;

type Envelope = Schemas["CustomerApiBaseResponse"];

/**
 * Query parameters that sign a storage link (Azure SAS `sig`, S3 and GCS signatures). A finished export's
 * `download_url` is such a link; it is as good as a credential until it expires.
 */
const SIGNED_URL_PARAMS = ["sig", "signature", "x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature", "x-goog-credential"];

// RFC 3986 never allows these unencoded; the vendor's placeholder `https://document.com//exp/<document_name>.zip`
// has them, and WHATWG URL parsing would quietly percent-encode it into a fetchable URL.
const NOT_IN_URIS = /[\s<>"{}|\\^`]/;

const IMPORT_FINAL_FAILURE = "Error";
const FINAL_SUCCESS = "Completed";

/** Creates a Document360 client. Every option but `apiToken` is optional. */
export function createDocument360Client(options: Document360ClientOptions) {
  const { apiToken, region, ...common } = options ?? ({} as Document360ClientOptions);
  if (typeof apiToken !== "string" || apiToken.trim() === "") {
    throw new ValidationError("a Document360 API token is required (a non-empty string)", "apiToken");
  }
  if (/[\u0000-\u001f\u007f]/.test(apiToken)) {
    throw new ValidationError("contains a control character (a stray newline?); it is sent as a header value", "apiToken");
  }
  const defaultBaseUrl = baseUrlForRegion(region, new Redactor({ secrets: [apiToken] }));
  const userAgent = `@importkit/document360/${VERSION}`;
  const api = createApiClient<paths>(
    {
      userAgent,
      defaultBaseUrl,
      authorize: (_url, headers) => headers.set("api_token", apiToken),
      secrets: [apiToken],
      secretParams: SIGNED_URL_PARAMS,
      startsWork: ["POST /v2/Project/Import", "POST /v2/Project/Export"],
      // Every operation answers with an envelope: an empty 2xx is an InvalidResponseError.
      bodylessOperations: [],
      operationIds,
      validation,
      // X-RateLimit-Remaining on every response; X-RateLimit-Reset is seconds until the window resets (on 429).
      rateLimit: relativeResetPolicy(),
      errorDetails: (body) => ({ message: errorDescriptions(body).join("; ") || undefined, code: firstErrorCode(body) }),
    },
    common,
  );
  const { raw, call, init, redactor, logger, saveTo } = api;
  const streamZip = createExportDownloader(api, {
    fetch: common.fetch,
    maxRetries: common.maxRetries,
    timeout: common.timeout,
    signal: common.signal,
    userAgent: [common.userAgent, userAgent].filter(Boolean).join(" "),
  });

  /** Returns a 2xx body; any `errors[]` it carries are added to its `warnings` and logged, never thrown. */
  async function succeeded<T extends Envelope>(pending: Promise<{ data?: T; error?: unknown; response: Response }>, operation: string): Promise<T> {
    const data = await call(pending, operation);
    if (data === null || typeof data !== "object") {
      throw new InvalidResponseError(`${operation} succeeded but its body is not a JSON object.`, { operation });
    }
    const errors = Array.isArray(data.errors) ? data.errors : [];
    if (errors.length === 0) return data;
    const described = errorDescriptions(data);
    logger.warn(`${operation} succeeded but its body lists errors; they are returned as warnings: ${described.join("; ") || "(no description)"}`);
    const asWarnings = errors.map((e) => ({ description: e?.description ?? null, warning_code: e?.error_code ?? null }));
    return { ...data, warnings: [...(Array.isArray(data.warnings) ? data.warnings : []), ...asWarnings] };
  }

  function importFailure(importId: string, status: ImportDocumentationStatusResponse): ImportFailedError {
    // The log's messages explain a failed import; errors (0) before warnings (1) before information (2).
    const messages = [...(status.import_documentation_log?.messages ?? [])]
      .sort((a, b) => (a?.message_type ?? 3) - (b?.message_type ?? 3))
      .map((m) => m?.message)
      .filter((m): m is string => typeof m === "string" && m.trim() !== "");
    const reasons = [...messages, ...errorDescriptions(status)];
    const reason = reasons.length ? redactor.text(reasons.join("; ")) : undefined;
    return new ImportFailedError(`Document360 import ${importId} ended in Error${reason ? `: ${reason}` : " (its log gives no message)."}`, {
      status: IMPORT_FINAL_FAILURE,
      reason,
      resource: redactor.value(status),
    });
  }

  function exportFailure(label: string, status: ExportDocumentationStatusResponse): ImportFailedError {
    const reasons = errorDescriptions(status);
    const reason = reasons.length ? redactor.text(reasons.join("; ")) : undefined;
    return new ImportFailedError(`${label} ended in Error${reason ? `: ${reason}` : " (Document360 gives no reason)."}`, {
      status: IMPORT_FINAL_FAILURE,
      reason,
      resource: redactor.value(status),
    });
  }

  function validateImport(body: ImportDocumentationRequest): void {
    if (body === null || typeof body !== "object") throw new ValidationError("the import request is required", "body");
    const issues: ValidationIssue[] = [];
    const source = body.source_documentation_url;
    if (typeof source !== "string" || source.trim() === "") {
      issues.push({ path: "source_documentation_url", message: "is required: the URL of a Document360 project export (.zip) that Document360 downloads" });
    } else {
      const url = parseHttpUrl(source);
      if (!url) issues.push({ path: "source_documentation_url", message: `must be an absolute http(s) URL, got ${JSON.stringify(redactor.url(source))}` });
      else if (!url.pathname.toLowerCase().endsWith(".zip")) {
        issues.push({
          path: "source_documentation_url",
          message: `Document360 only imports .zip files: the URL's path must end in .zip (got ${JSON.stringify(redactor.url(url))})`,
        });
      }
    }
    if (typeof body.import_by !== "string" || body.import_by.trim() === "") {
      issues.push({ path: "import_by", message: "is required: the id of the Document360 team account that performs the import" });
    }
    if (body.publish_article !== undefined && typeof body.publish_article !== "boolean") {
      issues.push({ path: "publish_article", message: "must be a boolean" });
    }
    if (issues.length) throw new ValidationError(issues);
  }

  function validateExport(body: ExportDocumentationRequest): void {
    if (body === null || typeof body !== "object") throw new ValidationError("the export request is required", "body");
    if (typeof body.entity !== "string" || body.entity.trim() === "") {
      throw new ValidationError('is required: "Project" for the whole project, or "Version" with version_id', "entity");
    }
  }

  const imports = {
    /**
     * Starts an import of a Document360 project export that Document360 downloads from
     * `source_documentation_url` (a .zip). Returns the queued import; poll it with `get` or `waitFor`.
     * Not resent after a failure the server may have acted on.
     */
    async start(body: ImportDocumentationRequest, options?: RequestOptions): Promise<Started<ImportDocumentationResponse>> {
      validateImport(body);
      const started = await succeeded(raw.POST("/v2/Project/Import", { body, ...init(options) }), "importDocumentation");
      return withId(started, "importDocumentation", "import", redactor);
    },

    /** The import's status and, once there, its log. Errors listed in a 200 body come back as `warnings`. */
    async get(importId: string, options?: RequestOptions): Promise<ImportDocumentationStatusResponse> {
      requireId(importId, "importId");
      return succeeded(raw.GET("/v2/Project/Import/{importId}", { params: { path: { importId } }, ...init(options) }), "getImportStatus");
    },

    /**
     * Polls until the import is `Completed` (returned, even when Document360 adds errors such as a missing log:
     * those are in `warnings`). Throws ImportFailedError on `Error` with the log's messages, WaitTimeoutError
     * after `timeout`, AbortError on `signal`. Any other status, known or not, counts as still running. Polls
     * share the client's rate-limit budget, so they slow down before the per-token limit is hit.
     */
    async waitFor(importId: string, options: WaitForOptions = {}): Promise<ImportDocumentationStatusResponse> {
      requireId(importId, "importId");
      const { maxRetries, ...wait } = options;
      return waitFor<ImportDocumentationStatusResponse>({
        redactor,
        ...wait,
        label: `Document360 import ${importId}`,
        poll: (signal) => imports.get(importId, { signal, ...(maxRetries !== undefined ? { maxRetries } : {}) }),
        state: (s) => (s.status === FINAL_SUCCESS ? "succeeded" : s.status === IMPORT_FINAL_FAILURE ? "failed" : "pending"),
        failure: (s) => importFailure(importId, s),
      });
    },
  };

  const exportsApi = {
    /**
     * Starts an export of the whole project (`entity: "Project", version_id: []`) or of chosen versions,
     * languages or categories. Document360 allows 2 a day: the third is an ExportLimitError (never retried).
     */
    async start(body: ExportDocumentationRequest, options?: RequestOptions): Promise<Started<ExportDocumentationResponse>> {
      validateExport(body);
      try {
        const started = await succeeded(raw.POST("/v2/Project/Export", { body, ...init(options) }), "exportDocumentation");
        return withId(started, "exportDocumentation", "export", redactor);
      } catch (error) {
        if (error instanceof InvalidRequestError) throw exportLimitErrorFrom(error, errorDescriptions(error.body)) ?? error;
        throw error;
      }
    },

    /** The export's status and, once `Completed`, its `download_url`. */
    async get(exportId: string, options?: RequestOptions): Promise<ExportDocumentationStatusResponse> {
      requireId(exportId, "exportId");
      return succeeded(raw.GET("/v2/Project/Export/{exportId}", { params: { path: { exportId } }, ...init(options) }), "getExportStatus");
    },

    /**
     * Polls until the export is `Completed` (returned, with its `download_url`). Throws ImportFailedError on
     * `Error`, WaitTimeoutError after `timeout`, AbortError on `signal`; any other status counts as running.
     */
    async waitFor(exportId: string, options: WaitForOptions = {}): Promise<ExportDocumentationStatusResponse> {
      requireId(exportId, "exportId");
      const { maxRetries, ...wait } = options;
      const label = `Document360 export ${exportId}`;
      return waitFor<ExportDocumentationStatusResponse>({
        redactor,
        ...wait,
        label,
        poll: (signal) => exportsApi.get(exportId, { signal, ...(maxRetries !== undefined ? { maxRetries } : {}) }),
        state: (s) => (s.status === FINAL_SUCCESS ? "succeeded" : s.status === IMPORT_FINAL_FAILURE ? "failed" : "pending"),
        failure: (s) => exportFailure(label, s),
      });
    },

    /**
     * Streams a finished export's zip from its `download_url`. Give the export's id (its status is fetched and
     * must be `Completed`) or a status you already have (from `get` or `waitFor`; no API request then). The
     * zip comes from a storage host, not the API: the api_token and the client's `headers` are never sent
     * there; `options.headers` are. Retries and the idle `timeout` apply as for API calls.
     */
    async download(exportOrId: string | ExportDocumentationStatusResponse, options: RequestOptions = {}): Promise<ExportDownload> {
      return streamZip(await finishedExportUrl(exportOrId, options), options);
    },

    /**
     * Saves a finished export's zip to `path` (Node, Bun, Deno): to a temporary file first, renamed into place
     * once every byte arrived; a zip that fails midway (reset, stalled) is downloaded again, up to `maxRetries`
     * times. Takes what `download` takes. In Node it downloads over node:http rather than Node's fetch, which
     * holds a large zip in far less memory (unless the client was given its own `fetch`).
     */
    async saveTo(exportOrId: string | ExportDocumentationStatusResponse, path: string, options: SaveToOptions = {}): Promise<SavedFile> {
      const { onProgress: _progress, ...requestOptions } = options;
      // Looked up once, on the first download (after the path was checked); a download that starts again reuses it.
      let url: URL | undefined;
      return saveTo(path, options, async (extras) => (await streamZip((url ??= await finishedExportUrl(exportOrId, requestOptions)), requestOptions, extras)).body, "exports.saveTo");
    },
  };

  /** The `download_url` of a finished export, given its id (status fetched) or its status. */
  async function finishedExportUrl(exportOrId: string | ExportDocumentationStatusResponse, options: RequestOptions): Promise<URL> {
    let status: ExportDocumentationStatusResponse;
    let label: string;
    if (typeof exportOrId === "string") {
      const { headers: _forTheStorageHost, ...apiOptions } = options;
      status = await exportsApi.get(exportOrId, apiOptions);
      label = `Document360 export ${exportOrId}`;
    } else if (exportOrId !== null && typeof exportOrId === "object") {
      status = exportOrId;
      label = "The Document360 export";
    } else {
      throw new ValidationError("pass the export's id, or its status from exports.get() or exports.waitFor()", "export");
    }
    if (status.status === IMPORT_FINAL_FAILURE) throw exportFailure(label, status);
    if (status.status !== FINAL_SUCCESS) {
      const now = typeof status.status === "string" ? JSON.stringify(status.status) : "without a status";
      throw new ValidationError(`${label} is ${now}, not "Completed": wait for it with exports.waitFor() first`, "export.status");
    }
    return downloadUrlOf(status, label);
  }

  function downloadUrlOf(status: ExportDocumentationStatusResponse, label: string): URL {
    const value = status.download_url;
    const problem =
      typeof value !== "string" || value.trim() === ""
        ? "has no download_url"
        : NOT_IN_URIS.test(value.trim()) || !parseHttpUrl(value.trim())
          ? `has a download_url that is not a valid http(s) URL: ${JSON.stringify(redactor.text(value).slice(0, 200))}`
          : undefined;
    if (problem) throw new InvalidResponseError(`${label} is Completed but ${problem}.`, { operation: "getExportStatus" });
    return parseHttpUrl((value as string).trim())!;
  }

  return {
    imports,
    exports: exportsApi,
    /** The typed openapi-fetch client: every operation of the spec, `{ data, error, response }`. */
    raw,
  };
}

export type Document360Client = ReturnType<typeof createDocument360Client>;

function requireId(id: unknown, path: string): void {
  if (typeof id !== "string" || id.trim() === "") throw new ValidationError("is required (a non-empty string)", path);
}

function withId<T extends { id?: string | null }>(started: T, operation: string, what: string, redactor: Redactor): Started<T> {
  if (typeof started.id !== "string" || started.id === "") {
    const described = errorDescriptions(started).map((d) => redactor.text(d));
    throw new InvalidResponseError(
      `${operation} succeeded but returned no ${what} id, so the ${what} cannot be followed${described.length ? `: ${described.join("; ")}` : "."}`,
      { operation },
    );
  }
  return started as Started<T>;
}

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
