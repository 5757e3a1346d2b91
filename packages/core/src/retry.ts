/**
 * A fetch that retries, times out and honours rate limits. It sits *beneath* openapi-fetch (as its `fetch`),
 * because a middleware cannot resend a consumed body (openapi-fetch #1122).
 *
 * Defaults follow Stainless / Azure / AWS (DESIGN.md "Reliability defaults"):
 * - retried: connection errors, timeouts, 408, 409, 429, 500, 502, 503, 504;
 * - wait: `retry-after-ms`, `Retry-After` (seconds or HTTP date), the provider's rate-limit reset header,
 *   else exponential backoff with jitter (0.5 s doubling, 8 s cap); never more than 60 s: a longer hint is
 *   not waited out but surfaced (RateLimitError.retryAfterMs) so the caller decides;
 * - a request that starts work is retried only when the server cannot have acted on it (connection refused,
 *   429, 503);
 * - each attempt has its own timeout; for a streamed body it is an idle timeout between chunks;
 * - the caller's signal aborts everything, the waits between attempts included.
 */
import { AbortError, ApiError, ConnectionError, RateLimitError, TimeoutError, type RequestSummary } from "./errors.js";
import type { RedactingLogger } from "./logger.js";
import type { BudgetRelease, RateLimitBudget } from "./rate-limit.js";
import type { Redactor } from "./redact.js";
import { abortErrorFrom, anySignal, sleep } from "./signals.js";
import { bufferedResponse, replayableBody, type RequestLike } from "./prepared-request.js";

export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_TIMEOUT_MS = 60_000;
/** No wait between attempts is ever longer than this. */
export const MAX_RETRY_DELAY_MS = 60_000;
const BACKOFF_INITIAL_MS = 500;
const BACKOFF_MAX_MS = 8_000;

const RETRYABLE_STATUSES = new Set([408, 409, 429, 500, 502, 503, 504]);
/** Statuses that prove the server did not act on the request, so even work-starting requests may be resent. */
const NOT_ACTED_STATUSES = new Set([429, 503]);
/** Connection failures that happen before a request byte reaches the server. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EADDRNOTAVAIL", "ENETUNREACH", "EHOSTUNREACH"]);

/**
 * Whether a request that failed with `error` certainly did not act on the server: it never reached it (refused,
 * unresolvable host, …) or the server answered 429 or 503. The retrying fetch resends work-starting requests
 * only then; a caller deciding whether to resend one itself (SharinPix's bulk import) uses the same rule.
 */
export function certainlyNotActed(error: unknown): boolean {
  if (error instanceof RateLimitError) return true;
  if (error instanceof ApiError) return NOT_ACTED_STATUSES.has(error.status);
  return error instanceof ConnectionError && error.code !== undefined && NOT_SENT_CODES.has(error.code);
}

/** Per-request options, carried on the Request object (openapi-fetch copies unknown init keys onto it). */
export interface RequestExtras {
  /** Per-attempt timeout in ms for this request. */
  timeout?: number;
  maxRetries?: number;
  /** The request starts work on the server (start an import): resend only when it cannot have acted. */
  startsWork?: boolean;
  /** Hand the body over as a stream (downloads) instead of reading it within the attempt. */
  stream?: boolean;
  /** Name of the operation, for logs and errors. */
  operation?: string;
  /**
   * Sends this request instead of the client's fetch, unless the client was given a `fetch` of its own (which
   * then always wins: it may be a proxy, a test double or a platform's own). saveTo passes Node's http transport.
   */
  transport?: (url: string, init: RequestInit) => Promise<Response>;
}

export const EXTRAS_KEY = "importkit";

export function extrasOf(request: RequestLike): RequestExtras {
  return ((request as unknown as Record<string, unknown>)[EXTRAS_KEY] as RequestExtras | undefined) ?? {};
}

export function setExtras(request: RequestLike, extras: RequestExtras): void {
  (request as unknown as Record<string, unknown>)[EXTRAS_KEY] = { ...extrasOf(request), ...extras };
}

export interface RetryingFetchOptions {
  fetch?: typeof fetch;
  maxRetries?: number;
  timeout?: number;
  /** Aborts every request of the client. */
  signal?: AbortSignal;
  redactor: Redactor;
  logger: RedactingLogger;
  budget?: RateLimitBudget;
  /** Adds credentials to each attempt's URL or headers (per attempt, so a renewed token is used on a retry). */
  authorize?: ((url: URL, headers: Headers) => void | Promise<void>) | undefined;
  /** For tests: the random source used for jitter. */
  random?: () => number;
}

/** How long a response asks us to wait before trying again, in ms, or undefined when it does not say. */
export function retryDelayFromHeaders(headers: Headers, budget?: RateLimitBudget, now = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null) {
    const value = Number.parseFloat(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = headers.get("retry-after");
  if (after !== null) {
    const trimmed = after.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return Number.parseFloat(trimmed) * 1000;
    const date = Date.parse(trimmed);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  return budget?.resetDelay(headers, now);
}

export function backoffDelay(retryIndex: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_INITIAL_MS * 2 ** retryIndex, BACKOFF_MAX_MS);
  return base * (1 - random() * 0.25);
}

export function summarize(request: RequestLike, redactor: Redactor): RequestSummary {
  return { method: request.method, url: redactor.url(request.url) };
}

/** The system error code behind a fetch failure (undici nests it in `cause`). */
function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A copy of an error safe to keep as `cause`: redacted message, no foreign properties. */
export function safeCause(error: unknown, redactor: Redactor, depth = 0): Error | undefined {
  if (!(error instanceof Error) || depth > 4) return undefined;
  const copy = new Error(redactor.text(error.message), {
    cause: safeCause((error as { cause?: unknown }).cause, redactor, depth + 1),
  });
  copy.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") Object.assign(copy, { code });
  copy.stack = error.stack ? redactor.text(error.stack) : copy.stack;
  return copy;
}

function describeConnectionFailure(error: unknown, code: string | undefined): string {
  switch (code) {
    case "ECONNREFUSED":
      return "the connection was refused";
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return "the connection was reset";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "the host name could not be resolved";
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return message === "terminated" ? "the connection closed before the response was complete" : message;
    }
  }
}

/** Statuses whose response has no body, whatever the server sends (as fetch treats them). */
export const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);
const NO_RELEASE: BudgetRelease = () => {};

/**
 * An error body is read up to this many bytes and the rest is never downloaded: what explains an error is at
 * its start, and a 10 MB error page must not be held in memory (nor end up in a message or a log).
 */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** Set on a response whose error body was cut at MAX_ERROR_BODY_BYTES; the value is the number of bytes kept. */
export const ERROR_BODY_CUT = Symbol("importkit.errorBodyCut");

/** Reads at most `max` bytes of the body, cancelling the rest (which closes the connection instead of draining it). */
async function readCapped(response: Response, max: number): Promise<{ bytes: ArrayBuffer; cut: boolean }> {
  const reader = response.body?.getReader();
  if (!reader) return { bytes: new ArrayBuffer(0), cut: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  let cut = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = max - size;
    if (value.byteLength > room) {
      if (room > 0) chunks.push(value.subarray(0, room));
      size += Math.max(room, 0);
      cut = true;
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  if (cut) await reader.cancel().catch(() => {});
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes: bytes.buffer, cut };
}

export function createRetryingFetch(options: RetryingFetchOptions): (input: RequestLike) => Promise<Response> {
  const baseFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const { redactor, logger, budget } = options;
  const random = options.random ?? Math.random;

  return async function retryingFetch(input: RequestLike): Promise<Response> {
    const extras = extrasOf(input);
    const maxRetries = Math.max(0, extras.maxRetries ?? options.maxRetries ?? DEFAULT_MAX_RETRIES);
    const timeout = extras.timeout ?? options.timeout ?? DEFAULT_TIMEOUT_MS;
    const callerSignal = anySignal([input.signal, options.signal]);
    // Redacting a URL costs more than sending a request on loopback: do it only when a message needs it.
    let summaryCache: RequestSummary | undefined;
    const summary = () => (summaryCache ??= summarize(input, redactor));
    const label = () => `${summary().method} ${summary().url}`;
    const debug = logger.enabled("debug");
    // A body every attempt can resend (openapi-fetch's are strings or small buffers, kept as they are).
    const pendingBody = replayableBody(input);
    const body = pendingBody instanceof Promise ? await pendingBody : pendingBody;

    for (let attempt = 0; ; attempt++) {
      if (callerSignal?.aborted) throw new AbortError(undefined, { request: summary() });
      const url = new URL(input.url);
      const headers = new Headers(input.headers);
      const authorized = options.authorize?.(url, headers);
      if (authorized instanceof Promise) await authorized;
      const acquired = budget?.acquire(callerSignal);
      const release: BudgetRelease = acquired === undefined ? NO_RELEASE : acquired instanceof Promise ? await acquired : acquired;
      // One controller per attempt, aborted by its timer or by the caller (cheaper than AbortSignal.any).
      const attemptController = new AbortController();
      const onCallerAbort = () => attemptController.abort();
      callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
      let timedOut = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const armTimer = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          attemptController.abort();
        }, timeout);
      };
      const finish = () => {
        clearTimeout(timer);
        callerSignal?.removeEventListener("abort", onCallerAbort);
        release();
      };
      const started = debug ? Date.now() : 0;
      const canRetry = attempt < maxRetries;

      let response: Response;
      try {
        armTimer();
        if (debug) logger.debug(`→ ${label()}${attempt ? ` (retry ${attempt}/${maxRetries})` : ""}`);
        response = await (extras.transport && !options.fetch ? extras.transport : baseFetch)(url.href, {
          method: input.method,
          headers,
          body,
          signal: attemptController.signal,
          redirect: input.redirect,
          ...(input.credentials ? { credentials: input.credentials } : {}),
        });
        budget?.observe(response.headers, undefined, release.seq);
        if (debug) logger.debug(`← ${response.status} ${label()} (${Date.now() - started} ms)`);

        if (RETRYABLE_STATUSES.has(response.status) && (!extras.startsWork || NOT_ACTED_STATUSES.has(response.status))) {
          const hinted = retryDelayFromHeaders(response.headers, budget);
          const delay = hinted ?? backoffDelay(attempt, random);
          if (canRetry && delay <= MAX_RETRY_DELAY_MS) {
            finish();
            await response.body?.cancel().catch(() => {});
            logger.warn(`${label()} answered ${response.status}; retrying in ${Math.round(delay)} ms (retry ${attempt + 1}/${maxRetries})`);
            await sleep(delay, callerSignal);
            continue;
          }
        }

        if (extras.stream && response.ok && response.body) {
          // Downloads: hand the stream over, with an idle timeout between chunks instead of a total one.
          clearTimeout(timer);
          release();
          const stop = () => {
            clearTimeout(timer);
            callerSignal?.removeEventListener("abort", onCallerAbort);
          };
          return new Response(
            guardStream(response.body, { timeout, armTimer, clear: () => clearTimeout(timer), stop, isTimedOut: () => timedOut, callerSignal, summary, redactor }),
            { status: response.status, statusText: response.statusText, headers: response.headers },
          );
        }
        // Everything else is read within the attempt, so a stalled, reset or truncated body is caught
        // (and retried) here instead of surfacing later from a JSON parse.
        let buffered: ArrayBuffer | null = null;
        if (NULL_BODY_STATUSES.has(response.status)) buffered = null;
        else if (response.ok) buffered = await response.arrayBuffer();
        else {
          const { bytes, cut } = await readCapped(response, MAX_ERROR_BODY_BYTES);
          buffered = bytes;
          if (cut) Object.defineProperty(response, ERROR_BODY_CUT, { value: bytes.byteLength, enumerable: false });
        }
        finish();
        return bufferedResponse(response, buffered);
      } catch (error) {
        finish();
        if (callerSignal?.aborted) {
          const abort = abortErrorFrom(callerSignal);
          throw abort instanceof AbortError && abort.request === undefined ? new AbortError(undefined, { request: summary() }) : abort;
        }
        // Whether the server may have seen the request: only if the failure came after connecting.
        const code = timedOut ? undefined : errorCode(error);
        const notSent = code !== undefined && NOT_SENT_CODES.has(code);
        const failure = timedOut
          ? new TimeoutError(`${label()} timed out after ${timeout} ms (attempt ${attempt + 1} of ${maxRetries + 1}).`, {
              request: summary(),
              timeoutMs: timeout,
            })
          : new ConnectionError(`${label()} failed: ${describeConnectionFailure(error, code)}.`, {
              request: summary(),
              ...(code ? { code } : {}),
              cause: safeCause(error, redactor),
            });
        if (canRetry && (!extras.startsWork || notSent)) {
          const delay = backoffDelay(attempt, random);
          logger.warn(`${failure.message} Retrying in ${Math.round(delay)} ms (retry ${attempt + 1}/${maxRetries}).`);
          await sleep(delay, callerSignal);
          continue;
        }
        throw failure;
      }
    }
  };
}

interface GuardOptions {
  timeout: number;
  armTimer: () => void;
  clear: () => void;
  /** Releases the attempt's timer and signal listener once the stream ends, fails or is cancelled. */
  stop: () => void;
  isTimedOut: () => boolean;
  callerSignal: AbortSignal | undefined;
  summary: () => RequestSummary;
  redactor: Redactor;
}

/** Re-exposes a body stream with an idle timeout and typed errors; pulls only on demand (backpressure). */
function guardStream(source: ReadableStream<Uint8Array>, g: GuardOptions): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const label = () => `${g.summary().method} ${g.summary().url}`;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      g.armTimer();
      try {
        const { done, value } = await reader.read();
        g.clear();
        if (done) {
          g.stop();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        g.stop();
        if (g.callerSignal?.aborted) controller.error(new AbortError(undefined, { request: g.summary() }));
        else if (g.isTimedOut())
          controller.error(new TimeoutError(`${label()}: no data for ${g.timeout} ms while reading the body.`, { request: g.summary(), timeoutMs: g.timeout }));
        else
          controller.error(
            new ConnectionError(`${label()} failed while reading the body: ${describeConnectionFailure(error, errorCode(error))}.`, {
              request: g.summary(),
              cause: safeCause(error, g.redactor),
            }),
          );
      }
    },
    async cancel(reason) {
      g.stop();
      await reader.cancel(reason).catch(() => {});
    },
  }, { highWaterMark: 0 });
}
