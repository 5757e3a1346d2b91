/**
 * The client factory every provider builds on: openapi-fetch on top of the retrying fetch, plus the
 * provider's auth, user agent, error envelope and rate-limit policy. Knows no provider itself.
 */
import createClient, { type Client, type ClientOptions as OpenApiFetchOptions } from "openapi-fetch";
import {
  ApiError,
  ImportkitError,
  InvalidResponseError,
  RateLimitError,
  apiErrorClassFor,
  type RequestSummary,
} from "./errors.js";
import { redactingLogger, type Logger, type RedactingLogger } from "./logger.js";
import { RateLimitBudget, type RateLimitPolicy } from "./rate-limit.js";
import { Redactor } from "./redact.js";
import { validateCall, type OperationSchema } from "./validate.js";
import { PreparedRequest, type RequestLike } from "./prepared-request.js";
import { ValidationError } from "./errors.js";
import { loadFileHelpers } from "./files.js";
import type { SavedFile } from "./node.js";
import {
  createRetryingFetch,
  ERROR_BODY_CUT,
  EXTRAS_KEY,
  extrasOf,
  retryDelayFromHeaders,
  safeCause,
  summarize,
  type RequestExtras,
} from "./retry.js";

/** Options every provider's factory accepts (DESIGN.md "Common options from core"). */
export interface CommonClientOptions {
  /** Overrides the provider's API origin (e.g. a mock server). */
  baseUrl?: string;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
  /** Retries after the first attempt (default 2). */
  maxRetries?: number;
  /** Per-attempt timeout in ms (default 60 000); for downloads, the longest silence between chunks. */
  timeout?: number;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** Prepended to importkit's own User-Agent. */
  userAgent?: string;
  /** Receives debug/info/warn/error lines, secrets already redacted. */
  logger?: Logger;
  /** Aborts every request and wait of this client. */
  signal?: AbortSignal;
}

/** Per-call options of every high-level method. */
export interface RequestOptions {
  signal?: AbortSignal;
  /** Per-attempt timeout in ms for this call. */
  timeout?: number;
  maxRetries?: number;
  headers?: Record<string, string>;
}

/** Options of a `saveTo`: those of any call, and progress as bytes arrive. */
export interface SaveToOptions extends RequestOptions {
  /** Called as bytes arrive (at most once per chunk); after a download that had to start again, from 0 again. */
  onProgress?: (progress: { bytes: number }) => void;
}

export interface ErrorDetails {
  message?: string | undefined;
  code?: string | number | undefined;
}

/** What a provider package tells core about its API. */
export interface ProviderDefinition {
  /** Package name and version for the User-Agent, e.g. `@importkit/gitbook/0.1.0`. */
  userAgent: string;
  defaultBaseUrl: string;
  /** Adds credentials to each attempt (called per attempt, so a renewed token is used on a retry). */
  authorize?: (url: URL, headers: Headers) => void | Promise<void>;
  /** Secret values to redact everywhere (token, key, secret). */
  secrets?: Array<string | undefined>;
  secretHeaders?: string[];
  secretParams?: string[];
  /** Operations that start work on the server, as `METHOD /path/{template}`. */
  startsWork?: readonly string[];
  /** `METHOD /path/{template}` → operationId, for messages (generated from the spec). */
  operationIds?: Readonly<Record<string, string>>;
  rateLimit?: RateLimitPolicy;
  /**
   * `METHOD /path/{template}` → the operation's parameter and body schemas (generated from the spec). Every
   * call, `raw` included, is checked against them and refused with ValidationError before it is sent.
   */
  validation?: Readonly<Record<string, OperationSchema>>;
  /**
   * The operationIds whose success may come without a body (a 204, an empty 200): `call` returns undefined for
   * them. Any other operation answering 2xx without a body fails with InvalidResponseError instead of handing
   * back `undefined` as its resource. Unset: no operation is checked.
   */
  bodylessOperations?: readonly string[];
  /** Reads the provider's error envelope (some providers explain errors in headers, e.g. SharinPix's X-message). */
  errorDetails?: (body: unknown, status: number, headers: Headers) => ErrorDetails;
  clientOptions?: Omit<OpenApiFetchOptions, "baseUrl" | "fetch" | "headers">;
}

const RESPONSE_INFO = Symbol("importkit.response");
interface ResponseInfo {
  /** Redacted only when an error needs it: redaction is the costliest part of a request's bookkeeping. */
  request: () => RequestSummary;
  operation: string | undefined;
}

export interface ApiClient<Paths extends {}> {
  /** The typed openapi-fetch client: every operation of the spec, `{ data, error, response }`. */
  raw: Client<Paths, `${string}/${string}`>;
  redactor: Redactor;
  logger: RedactingLogger;
  budget: RateLimitBudget | undefined;
  /**
   * Awaits an openapi-fetch call and returns its data, or throws the typed error for its status.
   * `operation` names the call in errors when the response cannot tell (e.g. invalid JSON).
   */
  call<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>, operation?: string): Promise<T>;
  /** Turns an error response into the typed ApiError (used by `call` and by streaming downloads). */
  errorFromResponse(response: Response, body: unknown): ApiError;
  /**
   * Options for a download: the body is handed over as a stream (never buffered), with the per-attempt
   * timeout applied between chunks. Use with `call`; an error status is still read and thrown typed.
   */
  streamInit(options?: RequestOptions, extras?: RequestExtras): { parseAs: "stream"; [key: string]: unknown };
  /** Options for an openapi-fetch call from a high-level method's options. */
  init(options?: RequestOptions, extras?: RequestExtras): { signal?: AbortSignal; headers?: Record<string, string>; [key: string]: unknown };
  /**
   * What every `saveTo` does: streams what `open` downloads to `path` (Node, Bun, Deno; `@importkit/core/node`,
   * loaded only now), downloading again if the body fails midway (saveDownload). `open` is handed the extras to
   * download with: Node's http transport, which the retrying fetch uses unless the client has a fetch of its own.
   * `method` names the call in the error where there is no file system.
   */
  saveTo(
    path: string,
    options: SaveToOptions | undefined,
    open: (extras: RequestExtras) => Promise<ReadableStream<Uint8Array>>,
    method?: string,
  ): Promise<SavedFile>;
}

const MAX_MESSAGE_BODY_CHARS = 500;
const MAX_KEPT_BODY_CHARS = 64 * 1024;

export function createApiClient<Paths extends {}>(provider: ProviderDefinition, options: CommonClientOptions = {}): ApiClient<Paths> {
  const redactor = new Redactor({
    secrets: provider.secrets ?? [],
    secretHeaders: provider.secretHeaders ?? [],
    secretParams: provider.secretParams ?? [],
  });
  const logger = redactingLogger(options.logger, redactor);
  const budget = provider.rateLimit ? new RateLimitBudget(provider.rateLimit) : undefined;
  const startsWork = new Set(provider.startsWork ?? []);
  const bodyless = provider.bodylessOperations ? new Set(provider.bodylessOperations) : undefined;
  const operationIds = provider.operationIds ?? {};

  const retrying = createRetryingFetch({
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    redactor,
    logger,
    ...(budget ? { budget } : {}),
    authorize: provider.authorize,
  } as Parameters<typeof createRetryingFetch>[0]);

  const fetchWithInfo = async (request: RequestLike): Promise<Response> => {
    const response = await retrying(request);
    let summary: RequestSummary | undefined;
    const info: ResponseInfo = { request: () => (summary ??= summarize(request, redactor)), operation: extrasOf(request).operation };
    Object.defineProperty(response, RESPONSE_INFO, { value: info, enumerable: false });
    return response;
  };

  const userAgent = [options.userAgent, provider.userAgent].filter(Boolean).join(" ");
  const raw = instrument(createClient<Paths>({
    ...provider.clientOptions,
    baseUrl: options.baseUrl ?? provider.defaultBaseUrl,
    fetch: fetchWithInfo as unknown as typeof fetch,
    Request: PreparedRequest as unknown as typeof Request,
    headers: { "User-Agent": userAgent, ...options.headers },
  }), provider.validation ?? {}, operationIds, startsWork);


  function errorFromResponse(response: Response, body: unknown): ApiError {
    const info = (response as unknown as Record<symbol, ResponseInfo | undefined>)[RESPONSE_INFO];
    const status = response.status;
    const safeBody = redactor.value(truncateBody(body));
    const details = provider.errorDetails?.(safeBody, status, response.headers) ?? {};
    const violations = mockViolations(response.headers);
    const detail = details.message ? redactor.text(details.message) : bodySnippet(safeBody) || response.statusText || "no details given";
    const request = info?.request();
    const where = info && request ? `${info.operation ?? request.method} (${request.method} ${request.url})` : "request";
    const cut = (response as unknown as Record<symbol, number | undefined>)[ERROR_BODY_CUT];
    const message =
      `${where} failed with ${status}: ${truncate(detail, MAX_MESSAGE_BODY_CHARS)}` +
      (cut !== undefined ? ` [error body cut at ${Math.round(cut / 1024)} KiB${sizeOf(response.headers)}: only its start was read]` : "") +
      (violations.length ? ` [mock server: ${violations.join("; ")}]` : "");
    const ErrorClass = apiErrorClassFor(status);
    // The code and the request id are the server's text too: servers that quote requests back put them anywhere.
    const requestId = requestIdOf(response.headers);
    const init = {
      status,
      message,
      code: typeof details.code === "string" ? redactor.text(details.code) : details.code,
      requestId: requestId === undefined ? undefined : redactor.text(requestId),
      body: safeBody,
      headers: redactor.headers(response.headers),
      operation: info?.operation,
      request,
    };
    if (ErrorClass === RateLimitError) {
      return new RateLimitError({ ...init, retryAfterMs: retryDelayFromHeaders(response.headers, budget) });
    }
    return new ErrorClass(init);
  }

  async function call<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>, operation?: string): Promise<T> {
    let result: { data?: T; error?: unknown; response: Response };
    try {
      result = await pending;
    } catch (error) {
      if (error instanceof ImportkitError) throw error;
      if (error instanceof SyntaxError) {
        throw new InvalidResponseError(`${operation ?? "The request"} succeeded but its body is not valid JSON: ${redactor.text(error.message)}`, {
          ...(operation ? { operation } : {}),
          cause: safeCause(error, redactor),
        });
      }
      throw new ImportkitError(`${operation ?? "The request"} failed unexpectedly: ${redactor.text(String((error as Error)?.message ?? error))}`, {
        cause: safeCause(error, redactor),
      });
    }
    if (!result.response.ok) throw errorFromResponse(result.response, result.error);
    if (result.data === undefined && bodyless) {
      const info = (result.response as unknown as Record<symbol, ResponseInfo | undefined>)[RESPONSE_INFO];
      const name = info?.operation ?? operation;
      if (name !== undefined && !bodyless.has(name)) {
        const request = info?.request();
        throw new InvalidResponseError(
          `${name}${request ? ` (${request.method} ${request.url})` : ""} answered ${result.response.status} without a body, where the API returns one; ` +
            `it was not resent (the server may have acted on it).`,
          { status: result.response.status, operation: name, ...(request ? { request } : {}) },
        );
      }
    }
    return result.data as T;
  }

  function init(opts: RequestOptions = {}, extras: RequestExtras = {}) {
    const merged: RequestExtras = { ...extras };
    if (opts.timeout !== undefined) merged.timeout = opts.timeout;
    if (opts.maxRetries !== undefined) merged.maxRetries = opts.maxRetries;
    return {
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.headers ? { headers: opts.headers } : {}),
      importkit: merged,
    };
  }

  function streamInit(opts: RequestOptions = {}, extras: RequestExtras = {}) {
    return { ...init(opts, { ...extras, stream: true }), parseAs: "stream" as const };
  }

  async function saveTo(
    path: string,
    saveOptions: SaveToOptions | undefined,
    open: (extras: RequestExtras) => Promise<ReadableStream<Uint8Array>>,
    method = "saveTo",
  ): Promise<SavedFile> {
    const node = await loadFileHelpers(method);
    const transport = node.fileDownloadTransport();
    const maxRetries = saveOptions?.maxRetries ?? options.maxRetries;
    return node.saveDownload(() => open(transport ? { transport } : {}), path, {
      logger,
      ...(maxRetries !== undefined ? { maxRetries } : {}),
      ...(saveOptions?.signal ? { signal: saveOptions.signal } : {}),
      ...(saveOptions?.onProgress ? { onProgress: saveOptions.onProgress } : {}),
    });
  }

  return { raw, redactor, logger, budget, call, errorFromResponse, init, streamInit, saveTo };
}

const METHOD_NAMES = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"] as const;

/**
 * Wraps openapi-fetch's methods: each call is checked against its operation's schemas first (a refused call
 * rejects with ValidationError and sends nothing), then tagged with its operation name and whether it starts
 * work, which openapi-fetch copies onto the Request for the retrying fetch. A wrapper instead of a middleware:
 * it knows the method and path template already, and a middleware pass costs every request.
 */
function instrument<C extends Client<any, any>>(
  client: C,
  schemas: Readonly<Record<string, OperationSchema>>,
  operationIds: Readonly<Record<string, string>>,
  startsWork: ReadonlySet<string>,
): C {
  const prepare = (method: string, path: string, init: unknown) => {
    const key = `${method.toUpperCase()} ${path}`;
    const operation = operationIds[key] ?? key;
    const schema = schemas[key];
    if (schema) {
      const issues = validateCall(schema, (init ?? {}) as Parameters<typeof validateCall>[1]);
      if (issues.length) throw new ValidationError(issues, { operation });
    }
    const given = (init ?? {}) as { [EXTRAS_KEY]?: RequestExtras };
    return {
      ...given,
      [EXTRAS_KEY]: { operation, ...(startsWork.has(key) ? { startsWork: true } : {}), ...given[EXTRAS_KEY] },
    };
  };
  const wrapped: Record<string, unknown> = { ...(client as Record<string, unknown>) };
  for (const method of METHOD_NAMES) {
    const original = client[method] as (path: string, init?: unknown) => Promise<unknown>;
    wrapped[method] = async (path: string, init?: unknown) => original(path, prepare(method, path, init));
  }
  const request = client.request as (method: string, path: string, init?: unknown) => Promise<unknown>;
  wrapped.request = async (method: string, path: string, init?: unknown) => request(method, path, prepare(method, path, init));
  return wrapped as C;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

function truncateBody(body: unknown): unknown {
  return typeof body === "string" && body.length > MAX_KEPT_BODY_CHARS ? truncate(body, MAX_KEPT_BODY_CHARS) : body;
}

function bodySnippet(body: unknown): string {
  if (body === undefined || body === null || body === "") return "";
  if (typeof body === "string") {
    // An HTML error page says little; its <title> says most.
    const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1];
    return (title ?? body).replace(/\s+/g, " ").trim();
  }
  try {
    return JSON.stringify(body);
  } catch {
    return String(body);
  }
}

function sizeOf(headers: Headers): string {
  const length = Number(headers.get("content-length"));
  return Number.isFinite(length) && length > 0 ? ` of ${(length / 1024 / 1024).toFixed(1)} MiB` : "";
}

function requestIdOf(headers: Headers): string | undefined {
  for (const name of ["x-request-id", "request-id", "x-correlation-id", "x-amzn-requestid", "cf-ray"]) {
    const value = headers.get(name);
    if (value) return value;
  }
  return undefined;
}

/**
 * Prism (the mock servers) explains a rejected request in its `sl-violations` header; surfacing it makes a
 * contract-test failure say exactly which field broke the spec. Real APIs never send it.
 */
function mockViolations(headers: Headers): string[] {
  const raw = headers.get("sl-violations");
  if (!raw) return [];
  try {
    const parsed = JSON.parse(raw) as Array<{ location?: string[]; message?: string }>;
    return parsed.map((v) => `${(v.location ?? []).join(".")}: ${v.message ?? "invalid"}`);
  } catch {
    return [raw];
  }
}
