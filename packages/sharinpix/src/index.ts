/**
 * @importkit/sharinpix: a typed client for SharinPix image imports (from a URL, a Salesforce Attachment or a
 * Salesforce ContentDocument), with self-minted JWTs and resumable bulk imports.
 *
 *   const sharinpix = createSharinPixClient({ secretUrl: process.env.SHARINPIX_SECRET_URL! });
 *   const created = await sharinpix.imports.create({ album_id, import_type: "salesforce", content_document_id });
 *   const done = await sharinpix.imports.waitFor(created.id, { onProgress });
 */
import {
  createApiClient,
  ImportFailedError,
  ValidationError,
  waitFor,
  type CommonClientOptions,
  type RequestOptions,
  type WaitOptions,
} from "@importkit/core";
import {
  baseUrlForHost,
  checkLifetime,
  checkReadyToken,
  claimsFor,
  parseSecretUrl,
  TokenMinter,
} from "./auth.js";
import { runBulk, type BodyEncoding, type BulkOptions, type BulkReport } from "./bulk.js";
import { FORM_CONTENT_TYPE, serializeBody } from "./form.js";
import { operationIds } from "./generated/operations.js";
import { validation } from "./generated/validation.js";
import type { components, paths } from "./generated/schema.js";
import { checkCreateParams, type CreateImportParams } from "./params.js";

export * from "@importkit/core/public";
export type * from "./generated/schema.js";
export type { CreateImportParams, UrlImportParams, AttachmentImportParams, ContentDocumentImportParams, ImportKind } from "./params.js";
export type { BulkOptions, BulkReport, BulkProgress, BulkSuccess, BulkFailure, BodyEncoding } from "./bulk.js";
export { fileCheckpoint, type BulkCheckpoint, type CheckpointRecord, type CheckpointState } from "./checkpoint.js";
export { parseSecretUrl, DEFAULT_HOST, DEFAULT_TOKEN_LIFETIME_S } from "./auth.js";

export const VERSION = "0.1.0";
/** SharinPix has no failure state: an import that fails never gets an image_id, so waits end at this. */
export const DEFAULT_WAIT_TIMEOUT_MS = 10 * 60_000;

export type Import = components["schemas"]["Import"];

interface SharedOptions extends CommonClientOptions {
  /**
   * How `imports.create` sends its body: `form` (default: `application/x-www-form-urlencoded` with Rails
   * nested parameters, as SharinPix documents) or `json` (what SharinPix's own clients send). A request with
   * `tags` goes as JSON, which is the only encoding the spec has for them.
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

export interface CreateImportOptions extends RequestOptions {
  encoding?: BodyEncoding;
}

/** Creates a SharinPix client from a secret URL (tokens minted here) or a ready JWT. */
export function createSharinPixClient(options: SharinPixClientOptions) {
  // Read loosely: callers from plain JavaScript get a ValidationError, not a TypeError, for a wrong shape.
  const { secretUrl, abilities, tokenLifetime, token, host, encoding: defaultEncoding, ...common } = (options ?? {}) as SharedOptions & {
    [K in "secretUrl" | "abilities" | "tokenLifetime" | "token" | "host"]?: unknown;
  };
  checkEncoding(defaultEncoding, "encoding");

  let credentials: { baseUrl: string; secret: string; authorize: (url: URL, headers: Headers) => void | Promise<void> };
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
    const jwt = checkReadyToken(token);
    const header = `Token token="${jwt}"`;
    credentials = { baseUrl: baseUrlForHost(host), secret: jwt, authorize: (_url, headers) => headers.set("Authorization", header) };
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
      // Called per attempt: a retry after a long wait gets a fresh token when the old one is about to expire.
      authorize: (_url, headers) => {
        const jwt = minter.token();
        if (typeof jwt === "string") return void headers.set("Authorization", `Token token="${jwt}"`);
        return jwt.then((fresh) => void headers.set("Authorization", `Token token="${fresh}"`));
      },
    };
  }

  const api = createApiClient<paths>(
    {
      userAgent: `@importkit/sharinpix/${VERSION}`,
      defaultBaseUrl: credentials.baseUrl,
      authorize: credentials.authorize,
      secrets: [credentials.secret, typeof secretUrl === "string" ? secretUrl : undefined],
      startsWork: ["POST /imports"],
      // Both operations answer with the Import: an empty 2xx is an InvalidResponseError.
      bodylessOperations: [],
      operationIds,
      validation,
      // SharinPix's 401 has an empty body and says why in `X-message` ("Access denied").
      errorDetails: (_body, _status, headers) => ({ message: headers.get("x-message") ?? undefined }),
      clientOptions: { bodySerializer: serializeBody },
    },
    common,
  );
  const { raw, init, call } = api;

  const imports = {
    /**
     * Queues the import of one image and returns it (`image_id: null` until processed). Refuses bad input
     * before sending (a rejected ValidationError). Never resent after a failure the server may have acted on.
     */
    async create(params: CreateImportParams, options: CreateImportOptions = {}): Promise<Import> {
      const { encoding: requested, ...requestOptions } = options;
      checkCreateParams(params);
      checkEncoding(requested, "options.encoding");
      const encoding = encodingFor(params, requested ?? defaultEncoding);
      // The headers are for SharinPix's fetch of `url`, usually credentials, and the API echoes them back.
      for (const value of Object.values((params as { headers?: Record<string, string> }).headers ?? {})) api.redactor.addSecret(value);
      const request = init(requestOptions);
      return call(
        raw.POST("/imports", {
          body: params,
          ...request,
          headers: { ...request.headers, "Content-Type": encoding === "form" ? FORM_CONTENT_TYPE : "application/json" },
        }),
        "createImport",
      );
    },

    /** Gets an import; `image_id` is set once the image exists. */
    async get(id: string, options?: RequestOptions): Promise<Import> {
      checkId(id);
      return call(raw.GET("/imports/{id}", { params: { path: { id } }, ...init(options) }), "getImport");
    },

    /**
     * Polls until `image_id` is set and returns the import. SharinPix reports no failure, so a failed import
     * ends in WaitTimeoutError after `timeout` (default 10 minutes); AbortError on `signal`.
     */
    async waitFor(id: string, options: WaitOptions & Pick<RequestOptions, "maxRetries"> = {}): Promise<Import> {
      checkId(id);
      const { signal, timeout, interval, maxInterval, onProgress, maxRetries } = options;
      return waitFor<Import>({
        label: `SharinPix import ${id}`,
        redactor: api.redactor,
        timeout: timeout ?? DEFAULT_WAIT_TIMEOUT_MS,
        ...(signal ? { signal } : {}),
        ...(interval !== undefined ? { interval } : {}),
        ...(maxInterval !== undefined ? { maxInterval } : {}),
        ...(onProgress ? { onProgress } : {}),
        poll: (pollSignal) => imports.get(id, { signal: pollSignal, ...(maxRetries !== undefined ? { maxRetries } : {}) }),
        state: (found) => (found.image_id != null ? "succeeded" : "pending"),
        // Unreachable (state is never "failed"); PollSpec needs one.
        failure: (found) => new ImportFailedError(`SharinPix import ${found.id} failed.`, { status: "failed" }),
      });
    },

    /**
     * Imports many images (an array, iterable or async iterable) at bounded concurrency, with retries per
     * item and an optional checkpoint file that makes a second run skip what the first imported. Never sends
     * an item twice when the first answer was lost: see BulkOptions.wasImported and BulkReport.uncertain.
     */
    bulk(items: Iterable<CreateImportParams> | AsyncIterable<CreateImportParams>, options?: BulkOptions): Promise<BulkReport> {
      return runBulk({ create: imports.create, redactor: api.redactor, logger: api.logger }, items, options);
    },
  };

  return {
    imports,
    /** The typed openapi-fetch client: every operation of the spec, `{ data, error, response }`. */
    raw,
  };
}

export type SharinPixClient = ReturnType<typeof createSharinPixClient>;

function checkEncoding(encoding: unknown, path: string): asserts encoding is BodyEncoding | undefined {
  if (encoding !== undefined && encoding !== "form" && encoding !== "json") throw new ValidationError('must be "form" or "json"', path);
}

function encodingFor(params: CreateImportParams, requested: BodyEncoding | undefined): BodyEncoding {
  const hasTags = params.tags !== undefined;
  if (hasTags && requested === "form") {
    throw new ValidationError('tags have no form encoding in the SharinPix spec; use encoding "json" (the default when tags are given)', "tags");
  }
  return hasTags ? "json" : (requested ?? "form");
}

function checkId(id: unknown): asserts id is string {
  if (typeof id !== "string" || id.trim() === "") throw new ValidationError("the import id is required (Import.id, a UUID)", "id");
}
