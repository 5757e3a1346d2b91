// `waitFor`: the one poller, driven by the table's wait rule. Time is the subject here: fake timers, no sleeping.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AbortError, ExportFailedError, ImportFailedError, TimeoutError, ValidationError, WaitTimeoutError } from "@importkit/core";
import { json, recordedFetch, testClient, testOperations, TEST_TOKEN, type Thing } from "./test-api.ts";

/** Answers each poll with the next status of `statuses` (the last one repeats). */
function statuses(...sequence: Array<Thing["status"] | Partial<Thing>>) {
  return recordedFetch((_r, i) => {
    const next = sequence[Math.min(i, sequence.length - 1)]!;
    return json(typeof next === "string" ? { id: "t1", status: next } : { id: "t1", ...next });
  });
}

describe("waitFor", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("polls, growing the interval, until the rule says done; onProgress sees every poll, typed", async () => {
    const recorded = statuses("queued", "running", "running", "done");
    const seen: Array<[Thing["status"], number]> = [];
    const waiting = testClient(recorded.fetch).waitFor("getThing", { path: { id: "t1" } }, { interval: 1000, maxInterval: 2000, onProgress: (t, info) => seen.push([t.status, info.polls]) }, { label: "Test thing t1" });
    await vi.runAllTimersAsync();
    expect(await waiting).toEqual({ id: "t1", status: "done" });
    expect(seen).toEqual([["queued", 1], ["running", 2], ["running", 3], ["done", 4]]);
  });

  it("a failed state is an ImportFailedError with the resource's reason (redacted) and the resource", async () => {
    const recorded = statuses("running", { status: "failed", reason: `source unreachable, token ${TEST_TOKEN}` });
    const waiting = testClient(recorded.fetch).waitFor("getThing", { path: { id: "t1" } }, { interval: 10 }, { label: "Test thing t1" }).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    const error = (await waiting) as ImportFailedError<Thing>;
    expect(error).toBeInstanceOf(ImportFailedError);
    expect(error.status).toBe("failed");
    expect(error.reason).toBe("source unreachable, token [REDACTED]");
    expect(error.message).toBe("Test thing t1 ended failed: source unreachable, token [REDACTED]");
    expect(error.resource?.id).toBe("t1");
  });

  it("a rule of kind export fails with ExportFailedError", async () => {
    const recorded = statuses("failed");
    const api = testClient(recorded.fetch, {}, {
      operations: { ...testOperations, getThing: { ...testOperations.getThing, wait: { field: "status", succeeded: ["done"], failed: ["failed"], kind: "export" } } },
    });
    await expect(api.waitFor("getThing", { path: { id: "t1" } }, {}, { label: "x" })).rejects.toBeInstanceOf(ExportFailedError);
  });

  it("past its deadline it is a WaitTimeoutError with the last resource seen, redacted", async () => {
    const recorded = statuses({ status: "running", secretEcho: TEST_TOKEN });
    const waiting = testClient(recorded.fetch).waitFor("getThing", { path: { id: "t1" } }, { interval: 1000, deadline: 5000 }, { label: "Test thing t1" }).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    const error = (await waiting) as WaitTimeoutError<Thing>;
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error.deadlineMs).toBe(5000);
    expect(error.lastSeen).toEqual({ id: "t1", status: "running", secretEcho: "[REDACTED]" });
    expect(error.message).toMatch(/Test thing t1 was still running after 5000 ms/);
  });

  it("the deadline is the whole wait; `timeout` stays one attempt's limit", async () => {
    // A poll that never answers: the attempt's own timeout (not the deadline) ends it, as for any call.
    const never: typeof fetch = async (_input, init) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)));
    const api = testClient(never, { maxRetries: 0 });
    const waiting = api.waitFor("getThing", { path: { id: "t1" } }, { timeout: 2000, deadline: 600_000 }, { label: "x" }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(2001);
    expect(await waiting).toBeInstanceOf(TimeoutError);
  });

  it("the caller's signal ends it with AbortError, between polls too", async () => {
    const recorded = statuses("running");
    const controller = new AbortController();
    const waiting = testClient(recorded.fetch)
      .waitFor("getThing", { path: { id: "t1" } }, { interval: 60_000, signal: controller.signal, onProgress: () => controller.abort() }, { label: "x" })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1);
    expect(await waiting).toBeInstanceOf(AbortError);
    expect(recorded.requests).toHaveLength(1);
  });

  it.each([
    ["deadline", { deadline: -5 }],
    ["interval", { interval: Number.NaN }],
    ["maxInterval", { maxInterval: 2 ** 31 }],
    ["onProgress", { onProgress: "yes" }],
    ["timeout", { timeout: "60s" }],
  ])("a bad %s is a ValidationError naming it, before any poll", async (name, options) => {
    const recorded = statuses("done");
    const error = await testClient(recorded.fetch).waitFor("getThing", { path: { id: "t1" } }, options as never, { label: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(name);
    expect(recorded.requests).toHaveLength(0);
  });
});
