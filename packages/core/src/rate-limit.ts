/**
 * A client-wide rate-limit budget: every request of one client shares what the server says remains in its
 * window, so many concurrent calls slow down *before* the server starts answering 429 (AWS "adaptive" mode,
 * driven by the server's own headers instead of a guess).
 */
import { RateLimitError, TimeoutError } from "./errors.js";
import { MAX_RETRY_DELAY_MS } from "./retry-policy.js";
import { abortErrorFrom, startTimer } from "./signals.js";

export interface RateLimitReading {
  limit?: number | undefined;
  remaining?: number | undefined;
  /** Milliseconds until the window resets. */
  resetAfterMs?: number | undefined;
  /** When the window resets (epoch ms), when the header names an instant rather than a delay. */
  resetAt?: number | undefined;
}

/** How a provider states its limits. Each provider package supplies one. */
export interface RateLimitPolicy {
  read(headers: Headers, now: number): RateLimitReading | undefined;
  /** Window length to assume when the server says nothing remains but not when it resets. */
  windowMs?: number;
}

function header(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null) return undefined;
  // Number("") and Number("  ") are 0, not a reading: a blank header says nothing.
  const value = Number(raw);
  return Number.isFinite(value) && (value !== 0 || raw.trim() !== "") ? value : undefined;
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
        resetAt: reset === undefined ? undefined : reset * 1000,
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

/** While the budget is unknown, one more request may go each time this long passes without an answer. */
export const PROBE_PATIENCE_MS = 1_000;

/** Releases what `acquire` took; `seq` orders the requests, so a late answer cannot overwrite a newer one. */
export type BudgetRelease = (() => void) & { readonly seq?: number };

/** What one call may wait for the budget. */
export interface AcquireOptions {
  /**
   * The call's own time limit, as an instant (epoch ms, `Date.now()`'s clock): the wait never outlives it. A wait
   * known to end after it is refused at once (RateLimitError); a wait whose end is not known (slow start, budget
   * held by requests in flight) ends at it with a TimeoutError.
   */
  deadline?: number | undefined;
}

interface Waiter {
  resolve(release: BudgetRelease): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** When the waiter gives up (epoch ms), and when it started waiting. */
  deadline: number;
  since: number;
}

export interface RateLimitBudgetOptions {
  /**
   * The longest a request waits for the budget (default MAX_RETRY_DELAY_MS, the ceiling every wait of the client
   * obeys). A request that would have to wait longer is refused at once with a RateLimitError carrying the wait.
   */
  maxWaitMs?: number;
}

/**
 * What the client knows of the server's budget, and the requests waiting for it:
 *
 * - **Slow start.** Until the server has said what remains (a new client, or a window that has just reset), one
 *   request goes and the others wait for its answer (one more each PROBE_PATIENCE_MS should it be slow). A burst of
 *   200 calls on a fresh client therefore spends one request to learn the budget instead of 200 to earn 429s. A
 *   server that answers without rate-limit headers turns this off (nothing to pace by).
 * - **Within a window** what remains only goes down: answers arriving out of order cannot raise it. When the
 *   window's reset is unknown (Document360 sends it only on 429), the answer to the newest request wins.
 * - **At the reset** the window is over: what remains is unknown again. Slow start waits for the requests still in
 *   flight from the old window (the server may count them in either window), then asks; answers to requests sent
 *   before the reset are ignored, since the new window's first answer includes whatever of them it counted.
 * - A reset instant already past (a stale answer, a skewed clock, GitBook's example value) says nothing about the
 *   next one: the count is kept, the reset is not (with nothing left, the next request asks again).
 * - Waiters are woken by answers, releases and the reset, in the order they came (no polling).
 * - **Waits have a ceiling.** When nothing remains until a reset further away than `maxWaitMs` (60 s, as for
 *   `Retry-After`), or than the call's own deadline, a request is refused at once with a RateLimitError carrying
 *   the wait (`retryAfterMs`), instead of stalling it and every call behind it (a reset an hour ahead, or `1e11`).
 *   A wait whose end is unknown ends at the call's deadline (TimeoutError). No timer is armed past 2^31 ms.
 */
export class RateLimitBudget {
  readonly #policy: RateLimitPolicy;
  #remaining: number | undefined;
  #resetAt: number | undefined;
  #inFlight = 0;
  /** Whether the server reports its budget: undefined until its first answer. */
  #reports: boolean | undefined;
  /** Since when what remains is unknown (slow start). */
  #unknownSince = Date.now();
  #seq = 0;
  /** Requests numbered below this were sent before the last reset. */
  #windowSeq = 0;
  /** The request whose answer set `#remaining`. */
  #readingSeq = -1;
  readonly #waiters: Waiter[] = [];
  #cancelTimer: (() => void) | undefined;
  readonly #maxWaitMs: number;

  constructor(policy: RateLimitPolicy, options: RateLimitBudgetOptions = {}) {
    this.#policy = policy;
    const maxWait = options.maxWaitMs;
    this.#maxWaitMs = typeof maxWait === "number" && maxWait >= 0 ? maxWait : MAX_RETRY_DELAY_MS;
  }

  /** What the server last said, for diagnostics and tests. */
  get state(): { remaining: number | undefined; resetAt: number | undefined; inFlight: number; waiting: number } {
    return { remaining: this.#remaining, resetAt: this.#resetAt, inFlight: this.#inFlight, waiting: this.#waiters.length };
  }

  /** The wait a response's reset header asks for (used when a 429 carries no Retry-After). */
  resetDelay(headers: Headers, now = Date.now()): number | undefined {
    return this.#policy.read(headers, now)?.resetAfterMs;
  }

  /**
   * Takes in what a response says. `seq` is the `seq` of the release its request was given (without it the
   * answer counts as the newest).
   */
  observe(headers: Headers, now = Date.now(), seq = Number.POSITIVE_INFINITY): void {
    const reading = this.#policy.read(headers, now);
    this.#roll(now);
    if (!reading) {
      // Nothing known and nothing said: the server does not report its budget (or no longer does).
      if (this.#remaining === undefined) this.#reports = false;
      return this.#pump(now);
    }
    this.#reports = true;
    // Sent before the last reset: the next window's first request waited for this answer, and tells instead.
    if (seq < this.#windowSeq) return this.#pump(now);
    if (reading.remaining !== undefined) {
      if (this.#remaining === undefined || (this.#resetAt === undefined && seq >= this.#readingSeq)) {
        this.#remaining = reading.remaining;
        this.#readingSeq = seq;
      } else {
        this.#remaining = Math.min(this.#remaining, reading.remaining);
      }
    }
    const pastReset = reading.resetAt !== undefined && reading.resetAt <= now;
    if (reading.resetAfterMs !== undefined && !pastReset) {
      const at = now + reading.resetAfterMs;
      this.#resetAt = this.#resetAt === undefined ? at : Math.min(this.#resetAt, at);
    } else if (this.#remaining !== undefined && this.#remaining <= 0 && this.#resetAt === undefined) {
      // Nothing left and no reset ahead. A reset already past: ask again now (slow start); none at all: a window.
      this.#resetAt = pastReset ? now : now + (this.#policy.windowMs ?? 60_000);
    }
    this.#pump(now);
  }

  /**
   * Waits until the budget allows one more request, then counts it as in flight. Requests already in
   * flight are counted against what remains, so N concurrent callers never overspend a budget of < N.
   * Never waits past `maxWaitMs` nor `options.deadline` (see the class comment): what cannot go in time is
   * refused, and nothing was sent.
   */
  acquire(signal?: AbortSignal, options: AcquireOptions = {}): BudgetRelease | Promise<BudgetRelease> {
    // The usual case, budget left and nobody waiting: no promise, no tick.
    const now = Date.now();
    if (this.#waiters.length === 0 && this.#canGo(now)) return this.#take();
    if (signal?.aborted) return Promise.reject(abortErrorFrom(signal));
    const deadline = typeof options.deadline === "number" && !Number.isNaN(options.deadline) ? options.deadline : Number.POSITIVE_INFINITY;
    return new Promise<BudgetRelease>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined, deadline, since: now };
      if (signal) {
        waiter.onAbort = () => {
          this.#drop(waiter);
          reject(abortErrorFrom(signal));
          this.#pump(Date.now());
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
      this.#pump(now);
    });
  }

  /**
   * How long a request must wait when that is known for certain: nothing remains (what is in flight can only
   * lower it) until a known reset. Undefined when answers or releases may let it go sooner.
   */
  #certainWait(now: number): number | undefined {
    if (this.#remaining === undefined || this.#remaining > 0 || this.#resetAt === undefined) return undefined;
    return this.#resetAt - now;
  }

  /** Refuses the waiters that cannot go in time: past the ceiling or their deadline. */
  #refuseLate(now: number): void {
    const wait = this.#certainWait(now);
    for (const waiter of [...this.#waiters]) {
      if (wait !== undefined && (wait > this.#maxWaitMs || now + wait > waiter.deadline)) {
        this.#drop(waiter);
        const seconds = Math.ceil(wait / 1000);
        const why = wait > this.#maxWaitMs ? `past the ${Math.round(this.#maxWaitMs / 1000)} s a request waits` : "past the call's time limit";
        waiter.reject(
          new RateLimitError({
            status: 429,
            code: "rate_limit_budget",
            message: `The server's rate limit allows no more requests until its window resets in ${seconds} s, ${why}; not sent.`,
            retryAfterMs: wait,
          }),
        );
      } else if (waiter.deadline <= now) {
        this.#drop(waiter);
        const waited = waiter.deadline - waiter.since;
        waiter.reject(new TimeoutError(`No rate-limit budget came free within the call's time limit (${Math.max(0, waited)} ms); not sent.`, { timeoutMs: waited }));
      }
    }
  }

  #drop(waiter: Waiter): void {
    const index = this.#waiters.indexOf(waiter);
    if (index !== -1) this.#waiters.splice(index, 1);
    if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener("abort", waiter.onAbort);
  }

  /** A window whose reset has passed is over: what remains is unknown until the next answer. */
  #roll(now: number): void {
    if (this.#resetAt === undefined || this.#resetAt > now) return;
    this.#remaining = undefined;
    this.#resetAt = undefined;
    this.#unknownSince = now;
    this.#windowSeq = this.#seq;
  }

  #canGo(now: number): boolean {
    this.#roll(now);
    if (this.#remaining !== undefined) return this.#remaining - this.#inFlight > 0;
    if (this.#reports === false) return true;
    // Slow start: one request asks, the others wait for its answer (one more per PROBE_PATIENCE_MS without one).
    // Requests still in flight from the old window go first: the server may count them in the new one, and the
    // first answer of the new window then includes them.
    return this.#inFlight < 1 + Math.floor((now - this.#unknownSince) / PROBE_PATIENCE_MS);
  }

  /** Lets waiters go, first come first served, while the budget allows; refuses the late; else sleeps until it may. */
  #pump(now: number): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    // Nobody left to wake (the last waiter may have been aborted): no timer keeps the process alive.
    if (this.#waiters.length === 0) return;
    while (this.#waiters.length > 0 && this.#canGo(now)) {
      const waiter = this.#waiters.shift()!;
      if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener("abort", waiter.onAbort);
      waiter.resolve(this.#take());
    }
    this.#refuseLate(now);
    if (this.#waiters.length === 0) return;
    // Answers and releases wake the waiters; a timer covers the reset, slow start's patience and the deadlines.
    let wakeAt =
      this.#remaining === undefined
        ? this.#unknownSince + PROBE_PATIENCE_MS * (1 + Math.floor((now - this.#unknownSince) / PROBE_PATIENCE_MS))
        : (this.#resetAt ?? now + PROBE_PATIENCE_MS);
    wakeAt = Math.min(wakeAt, this.#resetAt ?? Number.POSITIVE_INFINITY);
    for (const waiter of this.#waiters) wakeAt = Math.min(wakeAt, waiter.deadline);
    this.#cancelTimer = startTimer(Math.max(1, wakeAt - now), () => {
      this.#cancelTimer = undefined;
      this.#pump(Date.now());
    });
  }

  #take(): BudgetRelease {
    this.#inFlight++;
    const seq = this.#seq++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#inFlight--;
      this.#pump(Date.now());
    };
    return Object.assign(release, { seq });
  }
}
