/**
 * Retry decisions, apart from the loop that carries them out (pipeline.ts), as Azure's retry strategies and
 * openai-node's `shouldRetry` are kept apart from their loops. Defaults follow Stainless, Azure and AWS
 * (docs/reliability.md):
 *
 * - retried: connection failures, timeouts, 408, 409, 429, 500, 502, 503, 504;
 * - the wait: `retry-after-ms`, `Retry-After` (seconds or an HTTP date), the provider's rate-limit reset header, else
 *   exponential backoff with jitter (0.5 s doubling, 8 s cap); never more than MAX_RETRY_DELAY_MS: a longer hint is
 *   not waited out but handed to the caller (RateLimitError.retryAfterMs);
 * - a request that starts work is resent only when the server cannot have acted on it (the connection was refused
 *   or the host unknown, or the server answered 429 or 503).
 */
import { ApiError, ConnectionError, RateLimitError } from "./errors.js";
import type { RateLimitBudget } from "./rate-limit.js";

export const DEFAULT_MAX_RETRIES = 2;
/** The most retries a client or call may ask for: past it a storm of 429s becomes a flood of requests. */
export const MAX_RETRIES_LIMIT = 10;
export const DEFAULT_TIMEOUT_MS = 60_000;
/** No wait between attempts is ever longer than this; a server asking for more gets a RateLimitError at once. */
export const MAX_RETRY_DELAY_MS = 60_000;
const BACKOFF_INITIAL_MS = 500;
const BACKOFF_MAX_MS = 8_000;

const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 409, 429, 500, 502, 503, 504]);
/** Statuses that prove the server did not act on the request, so even work-starting requests may be resent. */
const NOT_ACTED_STATUSES: ReadonlySet<number> = new Set([429, 503]);
/** Connection failures that happen before a request byte reaches the server. */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EADDRNOTAVAIL", "ENETUNREACH", "EHOSTUNREACH"]);

/**
 * Whether a request that failed with `error` certainly did not act on the server: it never reached it (refused,
 * unresolvable host, …) or the server answered 429 or 503. The pipeline resends work-starting requests only then;
 * a caller deciding whether to resend one itself (the batch runner) uses the same rule.
 */
export function certainlyNotActed(error: unknown): boolean {
  if (error instanceof RateLimitError) return true;
  if (error instanceof ApiError) return NOT_ACTED_STATUSES.has(error.status);
  return error instanceof ConnectionError && error.code !== undefined && NOT_SENT_CODES.has(error.code);
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

/** Exponential backoff with up to 25 % jitter: 0.5 s, 1 s, 2 s, … capped at 8 s. */
export function backoffDelay(retryIndex: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_INITIAL_MS * 2 ** retryIndex, BACKOFF_MAX_MS);
  return base * (1 - random() * 0.25);
}

export interface RetryContext {
  /** 0 for the first attempt. */
  attempt: number;
  maxRetries: number;
  startsWork: boolean;
  budget?: RateLimitBudget | undefined;
  random: () => number;
}

/** What to do after an answer or a failure: retry after `delayMs`, or stop (the caller then throws). */
export type RetryDecision = { retry: true; delayMs: number } | { retry: false; hintMs?: number | undefined };

/** After an answer: whether its status is worth another attempt, and when. */
export function decideOnStatus(status: number, headers: Headers, ctx: RetryContext): RetryDecision {
  if (!RETRYABLE_STATUSES.has(status)) return { retry: false };
  if (ctx.startsWork && !NOT_ACTED_STATUSES.has(status)) return { retry: false };
  const hint = retryDelayFromHeaders(headers, ctx.budget);
  if (ctx.attempt >= ctx.maxRetries) return { retry: false, hintMs: hint };
  const delayMs = hint ?? backoffDelay(ctx.attempt, ctx.random);
  // Past the ceiling the wait is the caller's to decide: the error carries it.
  if (delayMs > MAX_RETRY_DELAY_MS) return { retry: false, hintMs: hint };
  return { retry: true, delayMs };
}

/** After a failure with no answer (`code` is the system error code, when there is one; timeouts have none). */
export function decideOnFailure(code: string | undefined, ctx: RetryContext): RetryDecision {
  if (ctx.attempt >= ctx.maxRetries) return { retry: false };
  if (ctx.startsWork && !(code !== undefined && NOT_SENT_CODES.has(code))) return { retry: false };
  return { retry: true, delayMs: backoffDelay(ctx.attempt, ctx.random) };
}
