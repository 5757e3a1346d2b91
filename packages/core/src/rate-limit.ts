/**
 * A client-wide rate-limit budget: every request of one client shares what the server says remains in its
 * window, so many concurrent calls slow down *before* the server starts answering 429 (AWS "adaptive" mode,
 * driven by the server's own headers instead of a guess).
 */
import { sleep } from "./signals.js";

export interface RateLimitReading {
  limit?: number | undefined;
  remaining?: number | undefined;
  /** Milliseconds until the window resets. */
  resetAfterMs?: number | undefined;
}

/** How a provider states its limits. Each provider package supplies one. */
export interface RateLimitPolicy {
  read(headers: Headers, now: number): RateLimitReading | undefined;
  /** Window length to assume when the server says nothing remains but not when it resets. */
  windowMs?: number;
}

function header(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === "") return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** `X-RateLimit-Limit/Remaining/Reset` where Reset is a UTC epoch in seconds (GitBook, GitHub style). */
export function epochResetPolicy(prefix = "x-ratelimit-", windowMs = 60_000): RateLimitPolicy {
  return {
    windowMs,
    read(headers, now) {
      const reset = header(headers, `${prefix}reset`);
      const reading: RateLimitReading = {
        limit: header(headers, `${prefix}limit`),
        remaining: header(headers, `${prefix}remaining`),
        resetAfterMs: reset === undefined ? undefined : Math.max(0, reset * 1000 - now),
      };
      return reading.limit === undefined && reading.remaining === undefined && reading.resetAfterMs === undefined ? undefined : reading;
    },
  };
}

/** `X-RateLimit-Limit/Remaining/Reset` where Reset is seconds until the window resets (Document360 style). */
export function relativeResetPolicy(prefix = "x-ratelimit-", windowMs = 60_000): RateLimitPolicy {
  return {
    windowMs,
    read(headers) {
      const reset = header(headers, `${prefix}reset`);
      const reading: RateLimitReading = {
        limit: header(headers, `${prefix}limit`),
        remaining: header(headers, `${prefix}remaining`),
        resetAfterMs: reset === undefined ? undefined : Math.max(0, reset * 1000),
      };
      return reading.limit === undefined && reading.remaining === undefined && reading.resetAfterMs === undefined ? undefined : reading;
    },
  };
}

export class RateLimitBudget {
  readonly #policy: RateLimitPolicy;
  #remaining: number | undefined;
  #resetAt: number | undefined;
  #inFlight = 0;
  #waiters = 0;

  constructor(policy: RateLimitPolicy) {
    this.#policy = policy;
  }

  /** What the server last said, for diagnostics and tests. */
  get state(): { remaining: number | undefined; resetAt: number | undefined; inFlight: number; waiting: number } {
    return { remaining: this.#remaining, resetAt: this.#resetAt, inFlight: this.#inFlight, waiting: this.#waiters };
  }

  /** The wait a response's reset header asks for (used when a 429 carries no Retry-After). */
  resetDelay(headers: Headers, now = Date.now()): number | undefined {
    return this.#policy.read(headers, now)?.resetAfterMs;
  }

  observe(headers: Headers, now = Date.now()): void {
    const reading = this.#policy.read(headers, now);
    if (!reading) return;
    if (reading.remaining !== undefined) this.#remaining = reading.remaining;
    if (reading.resetAfterMs !== undefined) this.#resetAt = now + reading.resetAfterMs;
    else if (reading.remaining !== undefined && reading.remaining <= 0 && (this.#resetAt === undefined || this.#resetAt < now)) {
      this.#resetAt = now + (this.#policy.windowMs ?? 60_000);
    }
  }

  /**
   * Waits until the budget allows one more request, then counts it as in flight. Requests already in
   * flight are counted against what remains, so N concurrent callers never overspend a budget of < N.
   */
  acquire(signal?: AbortSignal): (() => void) | Promise<() => void> {
    // The usual case, nothing known or budget left: no promise, no tick.
    if (!this.#mustWait(Date.now())) return this.#take();
    return this.#acquireSlowly(signal);
  }

  #mustWait(now: number): boolean {
    if (this.#resetAt !== undefined && this.#resetAt <= now) {
      // A new window: what remains is unknown again until the next response says.
      this.#remaining = undefined;
      this.#resetAt = undefined;
    }
    return this.#remaining !== undefined && this.#remaining - this.#inFlight <= 0;
  }

  async #acquireSlowly(signal?: AbortSignal): Promise<() => void> {
    for (;;) {
      const now = Date.now();
      if (!this.#mustWait(now)) break;
      const wait = this.#resetAt !== undefined ? this.#resetAt - now : (this.#policy.windowMs ?? 60_000);
      this.#waiters++;
      try {
        // Re-check at least every second: an in-flight response may free budget or move the reset.
        await sleep(Math.min(Math.max(wait, 10), 1_000), signal);
      } finally {
        this.#waiters--;
      }
      if (this.#inFlight === 0 && this.#resetAt === undefined) this.#remaining = undefined;
    }
    return this.#take();
  }

  #take(): () => void {
    this.#inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight--;
    };
  }
}
