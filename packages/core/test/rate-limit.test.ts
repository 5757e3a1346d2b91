// The rate-limit budget's own waits (issue 12 §4): the 60 s ceiling, the call's deadline, and timers that never
// overflow. Time is the subject, so the clock is fake: nothing here waits for real.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RateLimitError, TimeoutError } from "../src/errors.ts";
import { epochResetPolicy, PROBE_PATIENCE_MS, RateLimitBudget, relativeResetPolicy, type BudgetRelease } from "../src/rate-limit.ts";
import { MAX_RETRY_DELAY_MS } from "../src/retry-policy.ts";
import { MAX_TIMER_DELAY_MS, sleep, startTimer } from "../src/signals.ts";

const NOW = Date.UTC(2026, 0, 1);
const headers = (values: Record<string, string>) => new Headers(values);

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** A settled-or-not view of a promise, readable without awaiting it. */
function watch<T>(promise: Promise<T> | T) {
  const state: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  Promise.resolve(promise).then(
    (value) => Object.assign(state, { value, settled: true }),
    (error: unknown) => Object.assign(state, { error, settled: true }),
  );
  return state;
}

/** A budget that has been told nothing remains until `resetInS` seconds from now (GitBook: epoch seconds). */
function spentUntil(resetEpochS: number) {
  const budget = new RateLimitBudget(epochResetPolicy());
  const first = budget.acquire() as BudgetRelease;
  budget.observe(headers({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(resetEpochS) }), Date.now(), first.seq);
  first();
  return budget;
}

describe("the budget's wait obeys the 60 s ceiling", () => {
  it("nothing left until a reset an hour ahead: refused at once with the wait, and no timer left behind", async () => {
    const budget = spentUntil(NOW / 1000 + 3600);
    const error = await Promise.resolve(budget.acquire()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(3_600_000);
    expect((error as RateLimitError).message).toMatch(/resets in 3600 s, past the 60 s a request waits; not sent/);
    expect(budget.state.waiting).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    // Every later call too: none of them stalls behind the first.
    const later = await Promise.all([1, 2, 3].map(() => Promise.resolve(budget.acquire()).catch((e: unknown) => e)));
    expect(later.every((e) => e instanceof RateLimitError)).toBe(true);
  });

  it("a reset of 1e11 (year 5138) is refused the same way, without a busy loop of overflowing timers", async () => {
    const timeouts = vi.spyOn(globalThis, "setTimeout");
    const budget = spentUntil(1e11);
    const error = (await Promise.resolve(budget.acquire()).catch((e: unknown) => e)) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(1e14 - NOW);
    expect(vi.getTimerCount()).toBe(0);
    expect(timeouts).not.toHaveBeenCalled();
  });

  it("a reset within the ceiling is waited for, and the request then goes", async () => {
    const budget = spentUntil(NOW / 1000 + 30);
    const waiting = watch(budget.acquire());
    await vi.advanceTimersByTimeAsync(29_999);
    expect(waiting.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(waiting.settled).toBe(true);
    expect(typeof waiting.value).toBe("function");
  });

  it("the ceiling is MAX_RETRY_DELAY_MS, as for Retry-After; a budget may be given a lower one", async () => {
    expect(MAX_RETRY_DELAY_MS).toBe(60_000);
    const atCeiling = spentUntil(NOW / 1000 + 60);
    const ok = watch(atCeiling.acquire());
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ok.settled && ok.error === undefined).toBe(true);

    const strict = new RateLimitBudget(relativeResetPolicy(), { maxWaitMs: 5_000 });
    const first = strict.acquire() as BudgetRelease;
    strict.observe(headers({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "10" }), Date.now(), first.seq);
    first();
    const error = (await Promise.resolve(strict.acquire()).catch((e: unknown) => e)) as RateLimitError;
    expect(error.retryAfterMs).toBe(10_000);
  });

  it("waiters already queued are refused when a later answer pushes the reset past the ceiling", async () => {
    const budget = new RateLimitBudget(relativeResetPolicy());
    const first = budget.acquire() as BudgetRelease;
    // Slow start: the others wait for the first answer.
    const queued = [watch(budget.acquire()), watch(budget.acquire())];
    await vi.advanceTimersByTimeAsync(10);
    expect(queued.some((q) => q.settled)).toBe(false);
    budget.observe(headers({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "3600" }), Date.now(), first.seq);
    first();
    await vi.advanceTimersByTimeAsync(0);
    for (const q of queued) expect(q.error).toBeInstanceOf(RateLimitError);
    expect(budget.state.waiting).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("the budget's wait obeys the call's own deadline", () => {
  it("a known wait that ends after the deadline is refused at once", async () => {
    const budget = spentUntil(NOW / 1000 + 30);
    const error = (await Promise.resolve(budget.acquire(undefined, { deadline: Date.now() + 10_000 })).catch((e: unknown) => e)) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(30_000);
    expect(error.message).toMatch(/past the call's time limit/);
    // Without a deadline the same wait is fine.
    const patient = watch(budget.acquire());
    await vi.advanceTimersByTimeAsync(30_000);
    expect(patient.settled && patient.error === undefined).toBe(true);
  });

  it("a wait of unknown length ends at the deadline with a TimeoutError", async () => {
    const budget = new RateLimitBudget(epochResetPolicy());
    const first = budget.acquire() as BudgetRelease;
    // The first request's answer is slow: the next waits (slow start) for up to PROBE_PATIENCE_MS.
    const second = watch(budget.acquire(undefined, { deadline: Date.now() + PROBE_PATIENCE_MS / 2 }));
    await vi.advanceTimersByTimeAsync(PROBE_PATIENCE_MS / 2 - 1);
    expect(second.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(second.error).toBeInstanceOf(TimeoutError);
    expect((second.error as TimeoutError).timeoutMs).toBe(PROBE_PATIENCE_MS / 2);
    expect(budget.state.waiting).toBe(0);
    first();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a deadline that is not reached changes nothing", async () => {
    const budget = new RateLimitBudget(epochResetPolicy());
    const first = budget.acquire() as BudgetRelease;
    const second = watch(budget.acquire(undefined, { deadline: Date.now() + 10_000 }));
    budget.observe(headers({ "x-ratelimit-remaining": "5", "x-ratelimit-reset": String(NOW / 1000 + 60) }), Date.now(), first.seq);
    await vi.advanceTimersByTimeAsync(0);
    expect(second.settled && second.error === undefined).toBe(true);
    first();
    (second.value as BudgetRelease)();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("no timer is ever armed past 2^31 − 1 ms", () => {
  it("sleep waits a longer delay out in steps, and fires once, at the end", async () => {
    const timeouts = vi.spyOn(globalThis, "setTimeout");
    const long = 3 * 2 ** 31;
    const slept = watch(sleep(long));
    await vi.advanceTimersByTimeAsync(2 ** 31);
    expect(slept.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(long - 2 ** 31 - 1);
    expect(slept.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(slept.settled).toBe(true);
    for (const call of timeouts.mock.calls) expect(call[1]).toBeLessThanOrEqual(MAX_TIMER_DELAY_MS);
  });

  it("sleep(Infinity) never fires and is ended by its signal; NaN and negatives are no wait", async () => {
    const controller = new AbortController();
    const forever = watch(sleep(Number.POSITIVE_INFINITY, controller.signal));
    await vi.advanceTimersByTimeAsync(10 * MAX_TIMER_DELAY_MS);
    expect(forever.settled).toBe(false);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(forever.error).toBeDefined();
    expect(vi.getTimerCount()).toBe(0);
    await expect(sleep(Number.NaN)).resolves.toBeUndefined();
    await expect(sleep(-5)).resolves.toBeUndefined();
  });

  it("startTimer cancels cleanly at any step", async () => {
    let fired = 0;
    const cancel = startTimer(2 * 2 ** 31, () => fired++);
    await vi.advanceTimersByTimeAsync(2 ** 31 + 5);
    cancel();
    await vi.advanceTimersByTimeAsync(2 ** 32);
    expect(fired).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("the budget's own timer too: a reset at 1e11 while the budget is held by requests in flight", async () => {
    const timeouts = vi.spyOn(globalThis, "setTimeout");
    const budget = new RateLimitBudget(epochResetPolicy());
    const first = budget.acquire() as BudgetRelease;
    // One remains and it is in flight: the next waits for an answer or a release, and the window ends at 1e11.
    budget.observe(headers({ "x-ratelimit-remaining": "1", "x-ratelimit-reset": "1e11" }), Date.now(), first.seq);
    const second = watch(budget.acquire());
    await vi.advanceTimersByTimeAsync(5_000);
    expect(second.settled).toBe(false);
    for (const call of timeouts.mock.calls) expect(call[1]).toBeLessThanOrEqual(MAX_TIMER_DELAY_MS);
    first();
    await vi.advanceTimersByTimeAsync(0);
    expect(second.settled && second.error === undefined).toBe(true);
  });
});
