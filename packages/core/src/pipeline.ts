/**
 * The request loop every call goes through: attempts with their own time limit, credentials added per attempt (and
 * only on the API's origin), the rate-limit budget, redirects followed by the redirect policy (never by the
 * transport), the body read within the attempt (or handed over as a guarded stream), and retries as the retry policy
 * decides. The decisions live in retry-policy.ts and redirect-policy.ts; this file only carries them out.
 *
 * It sits beneath both ways of calling: the high-level methods build their request straight from the operation
 * table (operation.ts) and call `send`; `raw` (openapi-fetch) reaches it through a fetch adapter (raw.ts).
 */
import { AbortError, ConnectionError, ImportkitError, RateLimitError, RedirectError, TimeoutError, type RequestSummary } from "./errors.js";
import type { RedactingLogger } from "./logger.js";
import type { BudgetRelease, RateLimitBudget } from "./rate-limit.js";
import type { Redactor } from "./redact.js";
import { crossOriginHeaders, decideRedirect, REDIRECT_STATUSES, type CallKind } from "./redirect-policy.js";
import { declaredWithin, MAX_ERROR_BODY_BYTES, NULL_BODY_STATUSES, readBody } from "./response-body.js";
import { decideOnFailure, decideOnStatus, type RetryContext } from "./retry-policy.js";
import { abortErrorFrom, anySignal, sleep } from "./signals.js";
import { guardLowSpeed } from "./low-speed.js";
import { guardStream } from "./stream-guard.js";
import { describeConnectionFailure, errorCode, safeCause } from "./failures.js";

/** A fetch-shaped function that sends one HTTP request (no redirects followed: `redirect: "manual"`). */
export type Transport = (url: string, init: RequestInit) => Promise<Response>;

/** A request as credentials are added to it: the provider's `authorize` may change both. */
export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
}

export type SendBody = string | Uint8Array | FormData | Blob | URLSearchParams | ArrayBuffer;

/** One call, as the pipeline sends it. */
export interface Call {
  method: string;
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body?: SendBody | undefined;
  /** The operationId (or a name such as `downloadExport`), for messages and logs. */
  operation?: string | undefined;
  startsWork: boolean;
  kind: CallKind;
  /** Add the client's credentials (API calls); false for a storage link that must never see them. */
  credentials: boolean;
  /** `buffer`: the body is read within the attempt; `stream`: a success body is handed over as it arrives. */
  read: "buffer" | "stream";
  /** `false` (raw): an error status is returned with its (capped) body instead of thrown. */
  throwOnError: boolean;
  timeout?: number | undefined;
  maxRetries?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Sends this call instead of the client's default transport, unless the client was given a `fetch` of its own. */
  transport?: Transport | undefined;
}

/** What a call came back with. */
export interface Sent {
  response: Response;
  /** The body, read within the attempt (`read: "buffer"`), or the error body's start. */
  bytes: Uint8Array | undefined;
  /** An error body longer than MAX_ERROR_BODY_BYTES: only its start was read. */
  cut: boolean;
  /** The success body as it arrives (`read: "stream"`), with the idle timeout between chunks. */
  stream: ReadableStream<Uint8Array> | undefined;
  summary: () => RequestSummary;
}

export interface PipelineOptions {
  /** The client's own fetch: always used when given (a proxy, a test double, a platform's own). */
  fetch?: typeof fetch | undefined;
  maxRetries: number;
  timeout: number;
  signal?: AbortSignal | undefined;
  redactor: Redactor;
  logger: RedactingLogger;
  budget?: RateLimitBudget | undefined;
  authorize?: ((request: OutgoingRequest) => void | Promise<void>) | undefined;
  /** The origin the credentials are for (the API's). */
  origin: string;
  maxResponseBytes: number;
  /** The low-speed rule of downloads (low-speed.ts), checked at creation. */
  lowSpeed: { lowSpeedLimit?: number | undefined; lowSpeedTime?: number | undefined };
  /** Turns an error answer into the typed error (the provider's envelope, the status's class). */
  errorFor: (sent: Sent, call: Call) => ImportkitError;
  /** For tests: the random source of the backoff's jitter. */
  random?: () => number;
}

const NO_RELEASE: BudgetRelease = () => {};

export function createPipeline(options: PipelineOptions): (call: Call) => Promise<Sent> {
  const { redactor, logger, budget } = options;
  const random = options.random ?? Math.random;
  const clientTransport: Transport | undefined = options.fetch;
  const defaultTransport: Transport = (url, init) => globalThis.fetch(url, init);
  const originSlash = `${options.origin}/`;

  return async function send(call: Call): Promise<Sent> {
    const maxRetries = call.maxRetries ?? options.maxRetries;
    const timeout = call.timeout ?? options.timeout;
    const callerSignal = call.signal && options.signal ? anySignal([call.signal, options.signal]) : (call.signal ?? options.signal);
    const transport = clientTransport ?? call.transport ?? defaultTransport;
    // Redacting a URL costs more than sending a request on loopback: only when a message needs it.
    let summaryCache: RequestSummary | undefined;
    const summary = () => (summaryCache ??= { method: call.method, url: redactor.url(call.url) });
    const label = () => `${summary().method} ${summary().url}`;
    const debug = logger.enabled("debug");
    const ctx: RetryContext = { attempt: 0, maxRetries, startsWork: call.startsWork, budget, random };

    for (let attempt = 0; ; attempt++) {
      ctx.attempt = attempt;
      if (callerSignal?.aborted) throw abortFrom(callerSignal, summary());
      // One controller per attempt, aborted by its timer or by the caller (cheaper than AbortSignal.any). The budget's
      // wait is bounded by the same limit (its deadline); the timer itself starts as the request leaves, so the time
      // spent adding credentials (minting a JWT) is not counted against the server.
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
      let release: BudgetRelease = NO_RELEASE;
      const finish = () => {
        clearTimeout(timer);
        callerSignal?.removeEventListener("abort", onCallerAbort);
        release();
      };
      const started = debug ? Date.now() : 0;

      try {
        const acquired = budget?.acquire(attemptController.signal, { deadline: Date.now() + timeout });
        if (acquired !== undefined) release = acquired instanceof Promise ? await acquired : acquired;
        if (debug) logger.debug(`→ ${label()}${attempt ? ` (retry ${attempt}/${maxRetries})` : ""}`);
        const response = await sendFollowingRedirects(call, transport, attemptController.signal, summary, armTimer);
        budget?.observe(response.headers, undefined, release.seq);
        if (debug) logger.debug(`← ${response.status} ${label()} (${Date.now() - started} ms)`);

        if (!response.ok) {
          const decision = decideOnStatus(response.status, response.headers, ctx);
          if (decision.retry) {
            finish();
            await response.body?.cancel().catch(() => {});
            logger.warn(`${label()} answered ${response.status}; retrying in ${Math.round(decision.delayMs)} ms (retry ${attempt + 1}/${maxRetries})`);
            await sleep(decision.delayMs, callerSignal);
            continue;
          }
          const { bytes, cut } = NULL_BODY_STATUSES.has(response.status)
            ? { bytes: new Uint8Array(0), cut: false }
            : await readBody(response, MAX_ERROR_BODY_BYTES, "cut", () => ({ operation: call.operation, request: summary() }));
          finish();
          const sent: Sent = { response, bytes, cut, stream: undefined, summary };
          if (call.throwOnError) throw options.errorFor(sent, call);
          return sent;
        }

        if (call.read === "stream" && response.body && !NULL_BODY_STATUSES.has(response.status)) {
          // Downloads: hand the stream over, with an idle timeout between chunks instead of a total one.
          clearTimeout(timer);
          release();
          const stop = () => {
            clearTimeout(timer);
            callerSignal?.removeEventListener("abort", onCallerAbort);
          };
          const guarded = guardStream(response.body, {
            timeout,
            armTimer,
            clear: () => clearTimeout(timer),
            stop,
            isTimedOut: () => timedOut,
            callerSignal,
            summary,
            redactor,
          });
          // The idle timeout re-arms on every chunk, so a trickle never trips it: the low-speed rule does.
          const stream = guardLowSpeed(guarded, { ...options.lowSpeed, request: summary() });
          return { response, bytes: undefined, cut: false, stream, summary };
        }
        // The usual body (length declared, within the cap) is read here: one async step less per call than readBody.
        const bytes = NULL_BODY_STATUSES.has(response.status)
          ? new Uint8Array(0)
          : response.body && declaredWithin(response, options.maxResponseBytes)
            ? new Uint8Array(await response.arrayBuffer())
            : (await readBody(response, options.maxResponseBytes, "throw", () => ({ operation: call.operation, request: summary() }))).bytes;
        finish();
        return { response, bytes, cut: false, stream: undefined, summary };
      } catch (error) {
        finish();
        if (callerSignal?.aborted) throw abortFrom(callerSignal, summary());
        // The budget refused at once (its wait is past the ceiling): the error names this call, as any of ours does.
        if (error instanceof RateLimitError && error.request === undefined) throw withCall(error, call, summary());
        if (error instanceof TimeoutError && error.request === undefined) {
          throw new TimeoutError(`${label()}: ${error.message}`, { request: summary(), timeoutMs: error.timeoutMs });
        }
        // Our own verdicts (a refused redirect, a body over the cap, an error status) are final.
        if (error instanceof ImportkitError && !(error instanceof AbortError && timedOut)) throw error;
        const code = timedOut ? undefined : errorCode(error);
        const failure = timedOut
          ? new TimeoutError(`${label()} timed out after ${timeout} ms (attempt ${attempt + 1} of ${maxRetries + 1}).`, {
              request: summary(),
              timeoutMs: timeout,
            })
          : new ConnectionError(`${label()} failed: ${describeConnectionFailure(error, code, redactor)}.`, {
              request: summary(),
              ...(code ? { code } : {}),
              cause: safeCause(error, redactor),
            });
        const decision = decideOnFailure(code, ctx);
        if (!decision.retry) throw failure;
        logger.warn(`${failure.message} Retrying in ${Math.round(decision.delayMs)} ms (retry ${attempt + 1}/${maxRetries}).`);
        await sleep(decision.delayMs, callerSignal);
      }
    }
  };

  /**
   * One attempt: sends the call and follows redirects as the policy allows, adding credentials on each hop that is
   * on the API's origin. Every transport is asked not to follow redirects itself.
   */
  async function sendFollowingRedirects(
    call: Call,
    transport: Transport,
    signal: AbortSignal,
    summary: () => RequestSummary,
    armTimer: () => void,
  ): Promise<Response> {
    let url = call.url;
    let method = call.method;
    let body = call.body;
    let headers = call.headers;
    for (let hops = 0; ; hops++) {
      const out: OutgoingRequest = { url, headers: { ...headers } };
      // Most hops are URLs the client built from its base URL (serialized by the URL parser, so on the API's origin
      // exactly when they start with it and a `/`): a prefix test instead of a URL parse per hop.
      const onApiOrigin = call.credentials && (url.startsWith(originSlash) || originOf(url) === options.origin);
      if (onApiOrigin && options.authorize) {
        const authorized = options.authorize(out);
        if (authorized instanceof Promise) await authorized;
      }
      // The attempt's time limit runs from the first byte sent, across every hop.
      if (hops === 0) armTimer();
      const response = await transport(out.url, { method, headers: out.headers, body: body as BodyInit | undefined, signal, redirect: "manual" });
      const opaque = response.type === "opaqueredirect";
      if (!opaque && !(REDIRECT_STATUSES.has(response.status) && response.headers.has("location"))) return response;
      await response.body?.cancel().catch(() => {});
      if (opaque) {
        // A browser hides where a redirect leads. A download that carries no credential header may let the browser
        // follow it (its URL-borne key stays behind: the next URL is the server's); anything else stops here.
        const carriesCredentials = Object.keys(out.headers).some((name) => redactor.isSecretHeader(name));
        if (call.kind === "download" && !carriesCredentials) {
          return transport(out.url, { method, headers: out.headers, body: body as BodyInit | undefined, signal, redirect: "follow" });
        }
        throw new RedirectError(`${call.operation ?? summary().method} (${summary().method} ${summary().url}) was redirected; the browser hides where to, so it was not followed.`, {
          status: response.status,
          operation: call.operation,
          request: summary(),
        });
      }
      const location = response.headers.get("location")!;
      const verdict = decideRedirect({
        kind: call.kind,
        status: response.status,
        method,
        from: new URL(url),
        location,
        configuredOrigin: options.origin,
        hops,
        holdsSecret: (text) => redactor.hasSecret(text),
      });
      if (!verdict.follow) {
        const shown = redactor.cut(redactor.url(safeResolve(location, url)), 300);
        throw new RedirectError(
          `${call.operation ?? summary().method} (${summary().method} ${summary().url}) answered ${response.status} redirecting to ${shown}; not followed: ${verdict.reason}.`,
          { status: response.status, location: shown, operation: call.operation, request: summary() },
        );
      }
      url = verdict.url.href;
      method = verdict.method;
      if (verdict.dropBody) {
        body = undefined;
        headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith("content-")));
      }
      if (verdict.crossOrigin) headers = crossOriginHeaders(headers);
    }
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "";
  }
}

function safeResolve(location: string, base: string): string {
  try {
    return new URL(location, base).href;
  } catch {
    return location;
  }
}

function abortFrom(signal: AbortSignal, request: RequestSummary): Error {
  const abort = abortErrorFrom(signal);
  return abort instanceof AbortError && abort.request === undefined ? new AbortError(undefined, { request }) : abort;
}

/** The budget's RateLimitError, naming the call it refused. */
function withCall(error: RateLimitError, call: Call, request: RequestSummary): RateLimitError {
  return new RateLimitError({
    status: error.status,
    code: error.code,
    message: `${call.operation ?? request.method} (${request.method} ${request.url}): ${error.message}`,
    retryAfterMs: error.retryAfterMs,
    operation: call.operation,
    request,
  });
}
