/**
 * The client every provider builds on: from a provider's definition (its auth, error envelope, rate-limit policy,
 * body encoders and generated operation table) and the caller's options, the primitives its resources are made of:
 * `call` (an APIPromise), `list` (a ListPromise), `waitFor` (the poller), `download` (a DownloadPromise), and `raw`
 * (plain openapi-fetch). Knows no provider itself.
 */
import type { Client } from "openapi-fetch";
import { APIPromise, requestIdOf } from "./api-promise.js";
import { DownloadPromise } from "./download.js";
import { ApiError, apiErrorClassFor, ImportkitError, InvalidResponseError, RateLimitError, ValidationError, type ValidationIssue } from "./errors.js";
import { DEFAULT_MAX_PAGES, ListPromise } from "./list.js";
import { redactingLogger, type RedactingLogger } from "./logger.js";
import {
  buildRequest,
  DEFAULT_ENCODERS,
  readPath,
  type BodyEncoder,
  type OperationData,
  type OperationInput,
  type OperationSpec,
  type OperationTable,
  type PageItem,
} from "./operation.js";
import { checkClientOptions, checkDuration, checkRequestOptions, checkWhole, type CommonClientOptions, type RequestOptions } from "./options.js";
import { createPipeline, type Call, type OutgoingRequest, type Sent } from "./pipeline.js";
import { pollUntilDone, type WaitForOptions } from "./poll.js";
import { RateLimitBudget, type RateLimitPolicy } from "./rate-limit.js";
import { createRawClient } from "./raw.js";
import { Redactor } from "./redact.js";
import { DEFAULT_MAX_RESPONSE_BYTES, decodeError, decodeSuccess } from "./response-body.js";
import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, retryDelayFromHeaders } from "./retry-policy.js";
import { validateCall, type CallCheck, type ValidationMode } from "./validate.js";

export interface ErrorDetails {
  /** The server's explanation; anything but a string is shown as JSON. */
  message?: unknown;
  /** The provider's own error code (a string or a number; anything else is dropped). */
  code?: unknown;
}

/** What a provider package tells core about its API. */
export interface ProviderDefinition<Ops> {
  /** The API's name in messages, e.g. `GitBook`. */
  name: string;
  /** Package name and version for the User-Agent, e.g. `@importkit/gitbook/0.2.0`. */
  userAgent: string;
  defaultBaseUrl: string;
  /** The generated operation table (`generated/operations.ts`). */
  operations: OperationTable<Ops>;
  /**
   * Adds credentials to an attempt: headers and/or the URL (called per attempt, so a renewed token is used on a
   * retry, and only for requests to the API's own origin).
   */
  authorize?: (request: OutgoingRequest) => void | Promise<void>;
  /** Secret values to redact everywhere (token, key, secret). */
  secrets?: Array<string | undefined>;
  secretHeaders?: string[];
  secretParams?: string[];
  rateLimit?: RateLimitPolicy;
  /** Reads the provider's error envelope (of any shape: it is the server's) into a message and a code. */
  errorDetails?: (body: unknown, status: number, headers: Headers) => ErrorDetails;
  /** Body encoders by lower-case media type (SharinPix's Rails-style form), beside JSON and JSON lines. */
  encoders?: Readonly<Record<string, BodyEncoder>>;
  /** Turns an ApiError into a more specific one the provider knows (Document360's daily export cap). */
  refineError?: (error: ApiError) => ApiError;
  /**
   * Looks at every success body before the caller gets it (Document360 moves the `errors` a 200 may list into
   * `warnings`, and refuses a start answer without the id to follow); may return a replacement or throw.
   */
  onData?: (data: unknown, operation: string) => unknown;
}

/** Options of a list: those of a call, and the page cap. */
export interface ListOptions extends RequestOptions {
  /** Stop with PaginationLimitError after this many pages (default 1 000). */
  maxPages?: number | undefined;
}

/** How a resource's `waitFor` names and explains what it waits for. */
export interface WaitHow<T> {
  label: string;
  describeFailure?: (resource: T) => string | undefined;
}

export interface DownloadHow {
  /** The Accept header (e.g. the file's own media type, and JSON at a low weight for the error envelope). */
  accept?: string;
  /** Names the call in errors (e.g. `importio.crawlRuns.download`). */
  method?: string;
}

export interface ApiClient<Ops, Paths extends {} = {}> {
  /** One operation: resolves to its data, or rejects with the typed error; `.withResponse()` for the response too. */
  call<K extends keyof Ops & string>(operation: K, input: OperationInput<Ops[K]>, options?: RequestOptions): APIPromise<OperationData<Ops[K]>>;
  /** A list operation, as its spec's pagination rule pages it. */
  list<K extends keyof Ops & string>(
    operation: K,
    input: OperationInput<Ops[K]>,
    options?: ListOptions,
  ): ListPromise<PageItem<OperationData<Ops[K]>>, OperationData<Ops[K]>>;
  /** Polls a get operation until its spec's wait rule says the work is over. */
  waitFor<K extends keyof Ops & string>(
    operation: K,
    input: OperationInput<Ops[K]>,
    options: WaitForOptions<OperationData<Ops[K]>> | undefined,
    how: WaitHow<OperationData<Ops[K]>>,
  ): Promise<OperationData<Ops[K]>>;
  /** A file operation, streamed. */
  download<K extends keyof Ops & string>(operation: K, input: OperationInput<Ops[K]>, options?: RequestOptions, how?: DownloadHow): DownloadPromise;
  /**
   * A file at a URL outside the API (a storage link): never sent the client's credentials or headers. `url` may be
   * looked up when the download starts (and is looked up once, however often it starts again).
   */
  downloadUrl(url: string | URL | (() => Promise<string | URL>), options: RequestOptions | undefined, how: DownloadHow & { method: string; operation: string }): DownloadPromise;
  /** The typed openapi-fetch client: every operation of the spec, `{ data, error, response }`, middleware. */
  raw: Client<Paths, `${string}/${string}`>;
  redactor: Redactor;
  logger: RedactingLogger;
  /** Checks one call's options (for a resource method that takes its own). */
  checkOptions(options: RequestOptions | undefined): void;
}

const MAX_MESSAGE_DETAIL_CHARS = 500;
const MAX_MESSAGE_CHARS = 2_000;

export function createApiClient<Ops, Paths extends {} = {}>(provider: ProviderDefinition<Ops>, options: CommonClientOptions = {}): ApiClient<Ops, Paths> {
  if (options === null || typeof options !== "object") throw new ValidationError("the client's options must be an object", "options");
  const baseUrl = checkClientOptions(options, provider.defaultBaseUrl);
  const clientOptions = options;
  const origin = new URL(baseUrl).origin;
  const table = provider.operations as Readonly<Record<string, OperationSpec>>;
  const redactor = new Redactor({
    secrets: provider.secrets ?? [],
    secretHeaders: provider.secretHeaders ?? [],
    secretParams: provider.secretParams ?? [],
  });
  const logger = redactingLogger(options.logger, redactor);
  const budget = provider.rateLimit ? new RateLimitBudget(provider.rateLimit) : undefined;
  const mode: ValidationMode = options.validate ?? "documented";
  const encoders = { ...DEFAULT_ENCODERS, ...provider.encoders };
  const userAgent = [options.userAgent, provider.userAgent].filter(Boolean).join(" ");
  const baseHeaders: Record<string, string> = { "user-agent": userAgent };
  for (const [name, value] of Object.entries(options.headers ?? {})) baseHeaders[name.toLowerCase()] = value;

  const send = createPipeline({
    fetch: options.fetch,
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    timeout: options.timeout ?? DEFAULT_TIMEOUT_MS,
    signal: options.signal,
    redactor,
    logger,
    budget,
    authorize: provider.authorize,
    origin,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    lowSpeed: { lowSpeedLimit: options.lowSpeedLimit, lowSpeedTime: options.lowSpeedTime },
    errorFor,
  });

  /** Warned once per operation, field and rule: a loop of a thousand calls logs one line. */
  const warned = new Set<string>();
  function onCheck(check: CallCheck, operation: string): void {
    if (check.refused.length) throw new ValidationError(shown(check.refused), { operation });
    for (const issue of check.warnings) {
      const key = `${operation}\u0000${issue.path}\u0000${issue.keyword}`;
      if (warned.has(key)) continue;
      warned.add(key);
      logger.warn(
        `${operation}: ${issue.path || "input"} ${issue.message}. importkit only inferred this rule (the vendor does not document it), so the request ` +
          `is sent anyway; validate: "strict" refuses it.`,
      );
    }
  }

  /** Issues as a ValidationError shows them: redacted, bounded (they may quote what the caller passed). */
  function shown(issues: readonly ValidationIssue[]): ValidationIssue[] {
    return issues.map((issue) => ({ path: redactor.cut(issue.path, 200), message: redactor.cut(issue.message, 300) }));
  }

  function spec(operation: string): OperationSpec {
    const found = table[operation];
    if (!found) throw new ImportkitError(`${provider.name}: no operation named ${operation} in the spec.`);
    return found;
  }

  function headersFor(options: RequestOptions | undefined, accept: string | undefined, contentType: string | undefined): Record<string, string> {
    const headers: Record<string, string> = { ...baseHeaders };
    if (accept) headers["accept"] = accept;
    if (contentType) headers["content-type"] = contentType;
    if (options?.headers) for (const name in options.headers) headers[name.toLowerCase()] = options.headers[name]!;
    return headers;
  }

  function prepare(operation: string, input: unknown, options: RequestOptions | undefined, read: Call["read"], accept?: string): Call {
    checkRequestOptions(options);
    const entry = spec(operation);
    const given = (input ?? {}) as { path?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown; contentType?: string };
    onCheck(validateCall(entry.validation, given, options?.validate ?? mode), entry.operationId);
    const built = buildRequest(entry, baseUrl, given, encoders);
    return {
      method: built.method,
      url: built.url,
      headers: headersFor(options, accept ?? acceptOf(entry), built.contentType),
      body: built.body,
      operation: entry.operationId,
      startsWork: entry.startsWork === true,
      kind: entry.download ? "download" : "api",
      credentials: true,
      read,
      throwOnError: true,
      timeout: options?.timeout,
      maxRetries: options?.maxRetries,
      signal: options?.signal,
    };
  }

  async function run<T>(operation: string, input: unknown, options: RequestOptions | undefined): Promise<{ data: T; response: Response }> {
    const prepared = prepare(operation, input, options, "buffer");
    const sent = await send(prepared);
    const entry = table[operation]!;
    const describe = () => ({ operation: entry.operationId, request: sent.summary(), status: sent.response.status });
    const data = decodeSuccess(sent.bytes!, sent.response.headers.get("content-type"), entry.responseMediaTypes, describe, (error) => redactor.engineMessage(error));
    if (data === undefined && !entry.bodyless) {
      const request = sent.summary();
      throw new InvalidResponseError(
        `${entry.operationId} (${request.method} ${request.url}) answered ${sent.response.status} without a body, where the API returns one; ` +
          `it was not resent (the server may have acted on it).`,
        { status: sent.response.status, operation: entry.operationId, request },
      );
    }
    return { data: (provider.onData ? provider.onData(data, entry.operationId) : data) as T, response: sent.response };
  }

  function call<K extends keyof Ops & string>(operation: K, input: OperationInput<Ops[K]>, options?: RequestOptions): APIPromise<OperationData<Ops[K]>> {
    // A promise even for bad input: a method never throws synchronously (`run` is async: what it throws rejects).
    return new APIPromise(run<OperationData<Ops[K]>>(operation, input, options));
  }

  function list<K extends keyof Ops & string>(operation: K, input: OperationInput<Ops[K]>, options?: ListOptions) {
    type Body = OperationData<Ops[K]>;
    type Item = PageItem<Body>;
    const entry = spec(operation);
    const rule = entry.pagination;
    const { maxPages, ...requestOptions } = options ?? {};
    let refusal: Error | undefined;
    try {
      if (!rule) throw new ImportkitError(`${entry.operationId} is not a list operation (its spec has no x-importkit-pagination).`);
      checkWhole(maxPages, "maxPages", 1);
    } catch (error) {
      refusal = error as Error;
    }
    const given = (input ?? {}) as { path?: Record<string, unknown>; query?: Record<string, unknown> };
    const start = given.query?.[rule?.param ?? ""] ?? (rule?.style === "page" ? (rule.start ?? 1) : undefined);
    return new ListPromise<Item, Body>(
      {
        label: entry.operationId,
        maxPages: maxPages ?? DEFAULT_MAX_PAGES,
        fetchPage: async (cursor) => {
          const at = cursor ?? start;
          const query = { ...given.query, ...(at !== undefined ? { [rule!.param]: at } : {}) };
          return (await run<Body>(operation, { ...given, query }, requestOptions)).data;
        },
        items: (body) => {
          const items = readPath(body, rule!.items);
          if (!Array.isArray(items)) {
            throw new InvalidResponseError(`${entry.operationId}: a page ${rule!.items ? `has no \`${rule!.items}\` array` : "is not a JSON array"}.`, {
              operation: entry.operationId,
            });
          }
          return items as Item[];
        },
        next: (body, cursor) => {
          if (rule!.style === "page") {
            const items = readPath(body, rule!.items);
            return Array.isArray(items) && items.length > 0 ? Number(cursor ?? start) + 1 : undefined;
          }
          const next = readPath(body, rule!.next ?? "");
          return typeof next === "string" && next !== "" ? next : typeof next === "number" ? next : undefined;
        },
      },
      refusal,
    );
  }

  async function waitFor<K extends keyof Ops & string>(
    operation: K,
    input: OperationInput<Ops[K]>,
    options: WaitForOptions<OperationData<Ops[K]>> | undefined,
    how: WaitHow<OperationData<Ops[K]>>,
  ): Promise<OperationData<Ops[K]>> {
    const entry = spec(operation);
    if (!entry.wait) throw new ImportkitError(`${entry.operationId} has no wait rule (x-importkit-wait) in its spec.`);
    const given = options ?? {};
    const { onProgress, deadline, interval, maxInterval, ...requestOptions } = given;
    checkRequestOptions(requestOptions);
    checkDuration(deadline, "options.deadline");
    checkDuration(interval, "options.interval");
    checkDuration(maxInterval, "options.maxInterval");
    if (onProgress !== undefined && typeof onProgress !== "function") throw new ValidationError("must be a function", "options.onProgress");
    // Refuse bad input once, before the first poll.
    onCheck(validateCall(entry.validation, (input ?? {}) as object, requestOptions.validate ?? mode), entry.operationId);
    return pollUntilDone<OperationData<Ops[K]>>({
      poll: async (signal) => (await run<OperationData<Ops[K]>>(operation, input, { ...requestOptions, signal })).data,
      rule: entry.wait,
      label: how.label,
      describeFailure: how.describeFailure,
      redactor,
      options: given,
    });
  }

  function download<K extends keyof Ops & string>(operation: K, input: OperationInput<Ops[K]>, options?: RequestOptions, how: DownloadHow = {}): DownloadPromise {
    return new DownloadPromise({
      redact: (text) => redactor.text(text),
      method: how.method ?? operation,
      maxRetries: options?.maxRetries ?? clientOptions.maxRetries,
      logger,
      open: async (transport, saving) => {
        const merged = saving ? { ...options, ...saving } : options;
        const prepared = prepare(operation, input, merged, "stream", how.accept);
        return send({ ...prepared, kind: "download", transport });
      },
    });
  }

  function downloadUrl(
    url: string | URL | (() => Promise<string | URL>),
    options: RequestOptions | undefined,
    how: DownloadHow & { method: string; operation: string },
  ): DownloadPromise {
    let resolved: Promise<string | URL> | undefined;
    return new DownloadPromise({
      redact: (text) => redactor.text(text),
      method: how.method,
      maxRetries: options?.maxRetries ?? clientOptions.maxRetries,
      logger,
      open: async (transport, saving) => {
        const merged = saving ? { ...options, ...saving } : options;
        checkRequestOptions(merged);
        // Not the client's headers (they are for the API and may carry credentials): the caller's own for this call.
        const headers: Record<string, string> = { "user-agent": userAgent, ...(how.accept ? { accept: how.accept } : {}) };
        if (merged?.headers) for (const name in merged.headers) headers[name.toLowerCase()] = merged.headers[name]!;
        const target = String(await (resolved ??= typeof url === "function" ? url() : Promise.resolve(url)));
        return send({
          method: "GET",
          url: target,
          headers,
          operation: how.operation,
          startsWork: false,
          kind: "download",
          credentials: false,
          read: "stream",
          throwOnError: true,
          timeout: merged?.timeout,
          maxRetries: merged?.maxRetries,
          signal: merged?.signal,
          transport,
        });
      },
    });
  }

  function errorFor(sent: Sent, call: Call): ImportkitError {
    const { response } = sent;
    const status = response.status;
    const { text, parsed } = decodeError(sent.bytes ?? new Uint8Array(0));
    // A body cut at the cap may end inside a secret: `cut` masks what is left of one at its end.
    const body = sent.cut && typeof parsed === "string" ? redactor.cut(parsed, parsed.length) : redactor.value(parsed);
    let details: ErrorDetails = {};
    try {
      details = provider.errorDetails?.(body, status, response.headers) ?? {};
    } catch {
      // An envelope of a shape the provider did not expect: the status still says what happened.
    }
    const given = typeof details.message === "string" ? details.message : details.message === undefined || details.message === null ? "" : jsonOrString(details.message);
    // A JSON body is shown from its redacted copy, never from its raw text: in JSON text a secret is escaped
    // (`Token token=\"…\"`), so neither its known value nor the Authorization shape matches there, and APIs echo
    // credentials back (SharinPix's `params.headers.Authorization`). The redacted copy also hides secret-named keys.
    const shownBody = parsed !== undefined && typeof parsed !== "string" ? jsonOrString(body) : text;
    const detail = given.trim() || snippet(shownBody) || response.statusText || "no details given";
    const request = sent.summary();
    const where = `${call.operation ?? request.method} (${request.method} ${request.url})`;
    const message = redactor.cut(
      `${where} failed with ${status}: ${redactor.cut(detail, MAX_MESSAGE_DETAIL_CHARS)}` +
        (sent.cut ? ` [error body cut at ${Math.round((sent.bytes?.byteLength ?? 0) / 1024)} KiB${declaredSize(response.headers)}: only its start was read]` : ""),
      MAX_MESSAGE_CHARS,
    );
    const code = typeof details.code === "string" ? redactor.cut(details.code, 200) : typeof details.code === "number" && Number.isFinite(details.code) ? details.code : undefined;
    const requestId = requestIdOf(response.headers);
    const init = {
      status,
      message,
      code,
      requestId: requestId === undefined ? undefined : redactor.cut(requestId, 200),
      body,
      headers: redactor.headers(response.headers),
      operation: call.operation,
      request,
    };
    const ErrorClass = apiErrorClassFor(status);
    const error = ErrorClass === RateLimitError ? new RateLimitError({ ...init, retryAfterMs: retryDelayFromHeaders(response.headers, budget) }) : new ErrorClass(init);
    return provider.refineError ? provider.refineError(error) : error;
  }

  const raw = createRawClient<Paths>({
    baseUrl,
    headers: baseHeaders,
    table,
    send,
    mode,
    onCheck,
    ...(provider.encoders ? { encoders: provider.encoders } : {}),
  });

  return {
    call,
    list,
    waitFor,
    download,
    downloadUrl,
    raw,
    redactor,
    logger,
    checkOptions: checkRequestOptions,
  };
}

/** The Accept header of an operation, computed once (it was rebuilt on every call). */
const accepts = new WeakMap<OperationSpec, string | undefined>();
function acceptOf(entry: OperationSpec): string | undefined {
  if (accepts.has(entry)) return accepts.get(entry);
  const accept = defaultAccept(entry);
  accepts.set(entry, accept);
  return accept;
}

/**
 * The Accept header of an API call: the success media types first, then anything at a low weight. The table lists
 * only the success types, and error answers are often of another type (SharinPix's 401 and 404 are empty
 * `text/html`): an Accept that names JSON alone tells the server those are unacceptable, and a server that honours it
 * (Prism, the specs' own mock) then answers 200 instead of the documented error, or 406.
 */
function defaultAccept(entry: OperationSpec): string | undefined {
  const types = entry.responseMediaTypes;
  if (types.length === 0) return undefined;
  return `${types.includes("application/json") ? "application/json" : types.join(", ")}, */*;q=0.1`;
}

function declaredSize(headers: Headers): string {
  const length = Number(headers.get("content-length"));
  return Number.isFinite(length) && length > 0 ? ` of ${(length / 1024 / 1024).toFixed(1)} MiB` : "";
}

function jsonOrString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** What an error body says, briefly: an HTML page's <title>, an XML <Code>, else the text itself. */
function snippet(text: string): string {
  if (text === "") return "";
  const head = text.length > 64 * 1024 ? text.slice(0, 64 * 1024) : text;
  const title = /<title>([^<]*)<\/title>/i.exec(head)?.[1];
  const code = /<Code>([^<]*)<\/Code>/.exec(head)?.[1];
  return (title ?? code ?? head).replace(/\s+/g, " ").trim();
}

export type { Sent };
