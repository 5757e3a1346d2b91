/**
 * @importkit/sharinpix: a typed client for SharinPix image imports (from a URL, a Salesforce Attachment or a
 * Salesforce ContentDocument), with self-minted JWTs and resumable bulk imports.
 *
 *   const sharinpix = createSharinPixClient({ secretUrl: process.env.SHARINPIX_SECRET_URL! });
 *   const started = await sharinpix.imports.start({ album_id, import_type: "salesforce", content_document_id });
 *   const done = await sharinpix.imports.waitFor(started.id, { onProgress });
 *
 * What is SharinPix's own: the secret URL and the JWTs minted from it (`Token token="…"`), the Rails-style form
 * body, the empty 401 that explains itself in `X-message`, and the bulk import's metadata stamping.
 */
import {
  APIPromise,
  ImportFailedError as CoreImportFailedError,
  ValidationError,
  WaitTimeoutError as CoreWaitTimeoutError,
  type CommonClientOptions,
  type RequestOptions,
  type WaitForOptions,
} from "@importkit/core";
import { createApiClient, requestOptionsOf, type TypedErrorClass } from "@importkit/core/internal";
import { baseUrlForHost, checkLifetime, checkReadyToken, claimsFor, parseSecretUrl, TokenMinter } from "./auth.js";
import type { BodyEncoding, BulkOptions, BulkReport } from "./bulk.js";
import { FORM_CONTENT_TYPE, railsFormBytes } from "./form.js";
import { operations } from "./generated/operations.js";
import type { components, operations as Operations, paths } from "./generated/schema.js";
import type { StartImportParams } from "./params.js";
import { VERSION } from "./version.js";

export * from "@importkit/core";
/** The spec's types, by their OpenAPI names: `components["schemas"]["Import"]`, `paths`, `operations`. */
export type { components, paths, Operations };
export type { StartImportParams, UrlImportParams, AttachmentImportParams, ContentDocumentImportParams } from "./params.js";
export type { BulkOptions, BulkReport, BulkProgress, BulkSuccess, BulkFailure, BodyEncoding } from "./bulk.js";
export { fileCheckpoint, type BulkCheckpoint, type CheckpointRecord, type CheckpointState } from "./checkpoint.js";
export { parseSecretUrl, DEFAULT_HOST, DEFAULT_TOKEN_LIFETIME_S } from "./auth.js";
export { VERSION };

export type Import = components["schemas"]["Import"];

/** `ImportFailedError` with its `resource` typed as an import. The same class as core's. */
export const ImportFailedError = CoreImportFailedError as TypedErrorClass<CoreImportFailedError<Import>>;
export type ImportFailedError = CoreImportFailedError<Import>;
/**
 * `WaitTimeoutError` with its `lastSeen` typed as an import. SharinPix reports no failure: an import that fails never
 * gets an `image_id`, so its wait ends here (the spec's default deadline for it is 10 minutes).
 */
export const WaitTimeoutError = CoreWaitTimeoutError as TypedErrorClass<CoreWaitTimeoutError<Import>>;
export type WaitTimeoutError = CoreWaitTimeoutError<Import>;

interface SharedOptions extends CommonClientOptions {
  /**
   * How `imports.start` sends its body: `form` (default: `application/x-www-form-urlencoded` with Rails nested
   * parameters, as SharinPix documents) or `json` (what SharinPix's own clients send). A request with `tags` goes as
   * JSON, which is the only encoding the spec has for them.
   */
  encoding?: BodyEncoding;
}

export interface SharinPixSecretOptions extends SharedOptions {
  /** `sharinpix://<secret id>:<secret>@<host>/api/v1`, from SharinPix admin → Secrets. */
  secretUrl: string;
  /**
   * The `abilities` claim of the minted tokens, e.g. `{ "<album id>": { Access: { image_upload: true } } }`.
   * Default: an admin token (`admin: true`), as SharinPix's own clients mint.
   */
  abilities?: Record<string, unknown>;
  /** Lifetime of each minted JWT in seconds (default 3 600); renewed shortly before it expires. */
  tokenLifetime?: number;
  token?: never;
  host?: never;
}

export interface SharinPixTokenOptions extends SharedOptions {
  /** A ready SharinPix JWT (e.g. from the Salesforce package's `/sharinpix/Token`); sent as `Token token="…"`. */
  token: string;
  /** The API host (default `api.sharinpix.com`); requests go to `https://<host>/api/v1`. */
  host?: string;
  secretUrl?: never;
  abilities?: never;
  tokenLifetime?: never;
}

export type SharinPixClientOptions = SharinPixSecretOptions | SharinPixTokenOptions;

export interface StartImportOptions extends RequestOptions {
  encoding?: BodyEncoding;
}

/** Creates a SharinPix client from a secret URL (tokens minted here) or a ready JWT. */
export function createSharinPixClient(options: SharinPixClientOptions) {
  // Read loosely: callers from plain JavaScript get a ValidationError, not a TypeError, for a wrong shape.
  const { secretUrl, abilities, tokenLifetime, token, host, encoding: defaultEncoding, ...common } = (options ?? {}) as SharedOptions & {
    [K in "secretUrl" | "abilities" | "tokenLifetime" | "token" | "host"]?: unknown;
  };
  checkEncoding(defaultEncoding, "encoding");

  let credentials: { baseUrl: string; secret: string; header: () => string | Promise<string> };
  if (secretUrl === undefined && token === undefined) {
    throw new ValidationError("give secretUrl (sharinpix://<secret id>:<secret>@<host>/api/v1) or token (a ready JWT)", "secretUrl");
  }
  if (secretUrl !== undefined && token !== undefined) {
    throw new ValidationError("give either secretUrl (the client mints tokens) or token (a ready JWT), not both", "secretUrl");
  }
  if (token !== undefined) {
    if (abilities !== undefined || tokenLifetime !== undefined) {
      throw new ValidationError("abilities and tokenLifetime shape minted tokens; they need secretUrl, not a ready token", "abilities");
    }
    const header = `Token token="${checkReadyToken(token)}"`;
    credentials = { baseUrl: baseUrlForHost(host), secret: checkReadyToken(token), header: () => header };
  } else {
    if (host !== undefined) throw new ValidationError("the host comes from the secret URL; host goes with a ready token", "host");
    const parsed = parseSecretUrl(secretUrl);
    const minter = new TokenMinter({
      secretId: parsed.secretId,
      secret: parsed.secret,
      claims: claimsFor(abilities),
      lifetimeS: checkLifetime(tokenLifetime),
      // Registered before first use, so no error or log line made with this token can show it.
      onMint: (jwt) => api.redactor.addSecret(jwt),
    });
    credentials = {
      baseUrl: parsed.baseUrl,
      secret: parsed.secret,
      // Per attempt: a retry after a long wait gets a fresh token when the old one is about to expire.
      header: () => {
        const jwt = minter.token();
        return typeof jwt === "string" ? `Token token="${jwt}"` : jwt.then((fresh) => `Token token="${fresh}"`);
      },
    };
  }

  const api = createApiClient<Operations, paths>(
    {
      name: "SharinPix",
      userAgent: `@importkit/sharinpix/${VERSION}`,
      defaultBaseUrl: credentials.baseUrl,
      operations,
      authorize: (request) => {
        const header = credentials.header();
        if (typeof header === "string") return void (request.headers["authorization"] = header);
        return header.then((value) => void (request.headers["authorization"] = value));
      },
      secrets: [credentials.secret, typeof secretUrl === "string" ? secretUrl : undefined],
      // SharinPix's 401 has an empty body and says why in `X-message` ("Access denied").
      errorDetails: (_body, _status, headers) => ({ message: headers.get("x-message") ?? undefined }),
      encoders: { [FORM_CONTENT_TYPE]: (body) => railsFormBytes(body as Record<string, unknown>) },
    },
    common,
  );

  const imports = {
    /**
     * Queues the import of one image and returns it (`image_id: null` until processed). Never resent after a failure
     * the server may have acted on.
     */
    start(params: StartImportParams, options: StartImportOptions = {}): APIPromise<Import> {
      const { encoding: requested, ...requestOptions } = options ?? {};
      // The headers are for SharinPix's fetch of `url`, usually credentials, and the API echoes them back.
      const headers = (params as { headers?: unknown } | undefined)?.headers;
      if (headers !== null && typeof headers === "object") for (const value of Object.values(headers)) if (typeof value === "string") api.redactor.addSecret(value);
      let contentType: string;
      try {
        checkEncoding(requested, "options.encoding");
        contentType = encodingFor(params, requested ?? defaultEncoding) === "form" ? FORM_CONTENT_TYPE : "application/json";
      } catch (error) {
        return new APIPromise<Import>(Promise.reject(error));
      }
      return api.call("createImport", { body: params, contentType: contentType as "application/json" }, requestOptions);
    },

    /** Gets an import; `image_id` is set once the image exists. */
    get(id: string, options?: RequestOptions): APIPromise<Import> {
      return api.call("getImport", { path: { id } }, options);
    },

    /**
     * Polls until `image_id` is set and returns the import. SharinPix reports no failure, so a failed import ends in
     * WaitTimeoutError after `deadline` (default 10 minutes); AbortError on `signal`.
     */
    waitFor(id: string, options?: WaitForOptions<Import>): Promise<Import> {
      return api.waitFor("getImport", { path: { id } }, options, { label: `SharinPix import ${id}` });
    },

    /** `start`, then `waitFor` the import it started. */
    async startAndWait(params: StartImportParams, options?: WaitForOptions<Import> & { encoding?: BodyEncoding }): Promise<Import> {
      const started = await imports.start(params, { ...requestOptionsOf(options), ...(options?.encoding ? { encoding: options.encoding } : {}) });
      return imports.waitFor(started.id, options);
    },

    /**
     * Imports many images (an array, iterable or async iterable) at bounded concurrency, with retries per item and an
     * optional checkpoint file that makes a second run skip what the first imported. Never sends an item twice when
     * the first answer was lost: see BulkOptions.wasImported and BulkReport.uncertain.
     */
    bulk(items: Iterable<StartImportParams> | AsyncIterable<StartImportParams>, options?: BulkOptions): Promise<BulkReport> {
      // The batch runner is loaded on the first bulk run, not with the client (pnpm bench import-time).
      return import("./bulk.js").then(({ runBulk }) =>
        runBulk({ create: (params, o) => imports.start(params, o), redactor: api.redactor, logger: api.logger }, items, options),
      );
    },
  };

  return {
    imports,
    /** The typed openapi-fetch client: every operation of the spec, `{ data, error, response }`, middleware. */
    raw: api.raw,
  };
}

export type SharinPixClient = ReturnType<typeof createSharinPixClient>;

function checkEncoding(encoding: unknown, path: string): asserts encoding is BodyEncoding | undefined {
  if (encoding !== undefined && encoding !== "form" && encoding !== "json") throw new ValidationError('must be "form" or "json"', path);
}

/** Tags have no form encoding in the spec (Rails' `tags[]=` has none in OpenAPI), so a request with tags goes as JSON. */
function encodingFor(params: StartImportParams, requested: BodyEncoding | undefined): BodyEncoding {
  const hasTags = (params as { tags?: unknown } | undefined)?.tags !== undefined;
  if (hasTags && requested === "form") {
    throw new ValidationError('tags have no form encoding in the SharinPix spec; use encoding "json" (the default when tags are given)', "tags");
  }
  return hasTags ? "json" : (requested ?? "form");
}
