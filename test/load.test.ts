/**
 * Load (issue 7, docs/reliability.md "Load"): many concurrent calls on ONE client share the provider's rate-limit
 * budget. A loopback server counts a budget per 1 s window (aligned to the wall clock), reports it in the
 * provider's headers and answers 429 once it is spent. The client must pace itself by those headers: the run
 * completes with no 429 earned.
 *
 * The server's window is a second (GitBook's and Document360's are a minute) and its limit is raised to match,
 * so the test exhausts the budget several times in a few seconds. Both servers send Limit, Remaining and Reset on
 * every answer. (Document360 documents Reset only on its 429s: with Remaining alone, a client that reaches 0 waits
 * out the documented one-minute window, which this test cannot afford; the budget rules below cover that case.)
 */
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { epochResetPolicy, PROBE_PATIENCE_MS, RateLimitBudget, relativeResetPolicy } from "../packages/core/src/internal.ts";
import { createDocument360Client } from "../packages/document360/src/index.ts";
import { createGitBookClient } from "../packages/gitbook/src/index.ts";
import { startFaultServer, type FaultServer } from "./fault-server.ts";
import { recordingLogger } from "./recording-logger.ts";

const WINDOW_MS = 1_000;
const LIMIT = 150;
const WAITS = 200;
/** Polls each waitFor needs: still running, then completed. */
const POLLS = 2;
const PAGES = 1_000;
const D360_SEQUENTIAL_GETS = 200;

interface Budget {
  /** Answers a request: 429 when the window's budget is spent, else `ok(remaining, resetHeaders)`. */
  take(): { allowed: boolean; remaining: number; windowEnd: number };
  ok: number;
  limited: number;
  /** Requests per window, by window start. */
  perWindow: Map<number, number>;
}

/** A counted budget of LIMIT requests per wall-clock window of WINDOW_MS. */
function countedBudget(): Budget {
  const budget: Budget = {
    ok: 0,
    limited: 0,
    perWindow: new Map(),
    take() {
      const now = Date.now();
      const start = Math.floor(now / WINDOW_MS) * WINDOW_MS;
      const used = (budget.perWindow.get(start) ?? 0) + 1;
      budget.perWindow.set(start, used);
      const allowed = used <= LIMIT;
      if (allowed) budget.ok++;
      else budget.limited++;
      return { allowed, remaining: Math.max(0, LIMIT - used), windowEnd: start + WINDOW_MS };
    },
  };
  return budget;
}

const figures: string[] = [];
afterAll(() => {
  for (const line of figures) console.log(line);
});

let server: FaultServer;
let budget: Budget;
let log = recordingLogger();
beforeEach(async () => {
  server = await startFaultServer();
  budget = countedBudget();
  log = recordingLogger();
});
afterEach(() => server.close());

/** Requests that arrived in windows where the budget ran out: the client was held back, not just lucky. */
function exhaustedWindows(): number {
  return [...budget.perWindow.values()].filter((n) => n >= LIMIT).length;
}

describe("GitBook: one client, 200 waitFor loops and a 1 000-page list", () => {
  // Paced by 1 s windows: 5–10 s alone; the longer timeout is for a loaded machine, not a speed bound.
  it("shares the budget: all work completes and no 429 is earned", { timeout: 60_000 }, async () => {
    const polls = new Map<string, number>();
    server.fallback = {
      handler: (req, res) => {
        const { allowed, remaining, windowEnd } = budget.take();
        const headers = {
          "content-type": "application/json",
          "x-ratelimit-limit": String(LIMIT),
          "x-ratelimit-remaining": String(remaining),
          // GitBook: a UTC epoch in seconds.
          "x-ratelimit-reset": String(Math.ceil(windowEnd / 1000)),
        };
        if (!allowed) return void res.writeHead(429, headers).end(JSON.stringify({ error: { code: 429, message: "API rate limit exceeded" } }));
        const url = new URL(req.url ?? "/", "http://x");
        const run = /^\/org\/org_load\/imports\/(run_\d+)$/.exec(url.pathname)?.[1];
        if (run) {
          const n = (polls.get(run) ?? 0) + 1;
          polls.set(run, n);
          return void res.writeHead(200, headers).end(JSON.stringify({ object: "import-run", id: run, status: n >= POLLS ? "completed" : "running" }));
        }
        const page = Number(url.searchParams.get("page") ?? "1");
        const body = { items: [{ object: "import-run", id: `listed_${page}`, status: "completed" }], ...(page < PAGES ? { next: { page: String(page + 1) } } : {}) };
        res.writeHead(200, headers).end(JSON.stringify(body));
      },
    };
    const gitbook = createGitBookClient({ token: "gbtok_load", baseUrl: server.url, logger: log.logger });
    const started = Date.now();
    const [done, listed] = await Promise.all([
      Promise.all(Array.from({ length: WAITS }, (_, i) => gitbook.imports.waitFor(`run_${i}`, { organizationId: "org_load" }, { interval: 10, maxInterval: 50 }))),
      gitbook.imports.list({ organizationId: "org_load" }, { maxPages: PAGES }).toArray(),
    ]);
    const elapsed = Date.now() - started;

    expect(done.every((run) => run.status === "completed")).toBe(true);
    expect(done).toHaveLength(WAITS);
    expect(listed).toHaveLength(PAGES);
    expect(budget.limited, "429s earned").toBe(0);
    expect(server.requests).toHaveLength(WAITS * POLLS + PAGES);
    expect(exhaustedWindows(), "windows whose budget the client used up (it was held back)").toBeGreaterThan(0);
    expect(Math.max(...budget.perWindow.values())).toBeLessThanOrEqual(LIMIT);
    figures.push(
      `load (GitBook): ${WAITS} waitFor × ${POLLS} polls + ${PAGES} pages = ${server.requests.length} requests on one client in ${elapsed} ms; ` +
        `budget ${LIMIT}/${WINDOW_MS} ms, ${exhaustedWindows()} windows used up, 429s earned: ${budget.limited}`,
    );
  });
});

describe("Document360: one client, 200 waitFor loops and a sequential reader", () => {
  // Paced by 1 s windows: 5–10 s alone; the longer timeout is for a loaded machine, not a speed bound.
  it("shares the budget: all work completes and no 429 is earned", { timeout: 60_000 }, async () => {
    const polls = new Map<string, number>();
    const envelope = { extension_data: null, success: true, errors: [], warnings: [], information: [] };
    server.fallback = {
      handler: (req, res) => {
        const { allowed, remaining, windowEnd } = budget.take();
        const headers = {
          "content-type": "application/json",
          "x-ratelimit-limit": String(LIMIT),
          "x-ratelimit-remaining": String(remaining),
          // Document360: seconds until the window resets.
          "x-ratelimit-reset": String(Math.ceil((windowEnd - Date.now()) / 1000)),
        };
        if (!allowed) return void res.writeHead(429, headers).end(JSON.stringify({ ...envelope, success: false, errors: [{ description: "Rate limit exceeded" }] }));
        const id = /^\/v2\/Project\/(?:Import|Export)\/([^/]+)$/.exec(req.url ?? "")?.[1] ?? "";
        const n = (polls.get(id) ?? 0) + 1;
        polls.set(id, n);
        const status = id.startsWith("exp") || n >= POLLS ? "Completed" : "InProgress";
        res.writeHead(200, headers).end(JSON.stringify({ ...envelope, status, import_documentation_log: null }));
      },
    };
    const d360 = createDocument360Client({ apiToken: "d360tok_load", baseUrl: server.url, logger: log.logger });
    const started = Date.now();
    const [done, read] = await Promise.all([
      Promise.all(Array.from({ length: WAITS }, (_, i) => d360.imports.waitFor(`imp_${i}`, { interval: 10, maxInterval: 50 }))),
      (async () => {
        let count = 0;
        for (let i = 0; i < D360_SEQUENTIAL_GETS; i++) if ((await d360.exports.get(`exp_${i}`)).status === "Completed") count++;
        return count;
      })(),
    ]);
    const elapsed = Date.now() - started;

    expect(done.every((s) => s.status === "Completed")).toBe(true);
    expect(done).toHaveLength(WAITS);
    expect(read).toBe(D360_SEQUENTIAL_GETS);
    expect(budget.limited, "429s earned").toBe(0);
    expect(server.requests).toHaveLength(WAITS * POLLS + D360_SEQUENTIAL_GETS);
    expect(exhaustedWindows(), "windows whose budget the client used up (it was held back)").toBeGreaterThan(0);
    figures.push(
      `load (Document360): ${WAITS} waitFor × ${POLLS} polls + ${D360_SEQUENTIAL_GETS} sequential gets = ${server.requests.length} requests on one client in ${elapsed} ms; ` +
        `budget ${LIMIT}/${WINDOW_MS} ms, ${exhaustedWindows()} windows used up, 429s earned: ${budget.limited}`,
    );
  });
});

describe("the budget's rules (RateLimitBudget, no network)", () => {
  const gitbookHeaders = (remaining: number, resetEpochS: number) =>
    new Headers({ "x-ratelimit-limit": "60", "x-ratelimit-remaining": String(remaining), "x-ratelimit-reset": String(resetEpochS) });
  const pending = (value: unknown) => value instanceof Promise;

  it("slow start: until the server says what remains, one request goes and the others wait for its answer", () => {
    const budget = new RateLimitBudget(epochResetPolicy());
    const first = budget.acquire();
    expect(pending(first)).toBe(false);
    const second = budget.acquire();
    expect(pending(second)).toBe(true);
    expect(budget.state.waiting).toBe(1);
    budget.observe(gitbookHeaders(10, Math.ceil(Date.now() / 1000) + 60), undefined, (first as { seq?: number }).seq);
    expect(budget.state.waiting).toBe(0);
    expect(budget.state.remaining).toBe(10);
  });

  it("a server that sends no rate-limit headers is not paced at all after its first answer", async () => {
    const budget = new RateLimitBudget(relativeResetPolicy());
    const first = budget.acquire() as { seq?: number } & (() => void);
    const waiting = budget.acquire();
    budget.observe(new Headers({ "content-type": "application/json" }), undefined, first.seq);
    expect(budget.state.waiting).toBe(0);
    await expect(waiting).resolves.toBeTypeOf("function");
    for (let i = 0; i < 100; i++) expect(pending(budget.acquire())).toBe(false);
  });

  it("answers arriving out of order cannot raise what remains in a window", () => {
    const budget = new RateLimitBudget(epochResetPolicy());
    const reset = Math.ceil(Date.now() / 1000) + 60;
    const probe = budget.acquire() as { seq?: number };
    budget.observe(gitbookHeaders(10, reset), undefined, probe.seq);
    const older = budget.acquire() as { seq?: number };
    const newer = budget.acquire() as { seq?: number };
    budget.observe(gitbookHeaders(7, reset), undefined, newer.seq);
    budget.observe(gitbookHeaders(8, reset), undefined, older.seq);
    expect(budget.state.remaining).toBe(7);
  });

  it("at the reset the window is over: slow start waits for the old window's requests, then asks; their answers are ignored", async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      const budget = new RateLimitBudget(relativeResetPolicy());
      const probe = budget.acquire() as { seq?: number } & (() => void);
      budget.observe(new Headers({ "x-ratelimit-remaining": "2", "x-ratelimit-reset": "1" }), undefined, probe.seq);
      probe();
      const oldWindow = budget.acquire() as { seq?: number } & (() => void);
      vi.advanceTimersByTime(1_000);
      const asks = budget.acquire() as Promise<{ seq?: number } & (() => void)>;
      expect(pending(asks)).toBe(true);
      // The old window's answer (0 left) says nothing about the new one; once it is in, the new window's first request goes.
      budget.observe(new Headers({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1" }), undefined, oldWindow.seq);
      expect(budget.state.remaining).toBeUndefined();
      oldWindow();
      const first = await asks;
      const next = budget.acquire();
      expect(pending(next)).toBe(true);
      budget.observe(new Headers({ "x-ratelimit-remaining": "5" }), undefined, first.seq);
      expect(budget.state.remaining).toBe(5);
      expect(budget.state.waiting).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a reset already past (a skewed clock, GitBook's example 1377013266) keeps the count but not the reset", () => {
    const budget = new RateLimitBudget(epochResetPolicy());
    const first = budget.acquire() as { seq?: number } & (() => void);
    budget.observe(gitbookHeaders(59, 1377013266), undefined, first.seq);
    first();
    // No endless "window over, ask again" one request at a time: 59 may go at once.
    const leases = Array.from({ length: 59 }, () => budget.acquire());
    expect(leases.every((l) => !pending(l))).toBe(true);
    expect(pending(budget.acquire())).toBe(true);
  });

  it("a slow first answer holds the others back only PROBE_PATIENCE_MS at a time", () => {
    vi.useFakeTimers({ now: 2_000_000 });
    try {
      const budget = new RateLimitBudget(epochResetPolicy());
      budget.acquire();
      for (let i = 0; i < 3; i++) void budget.acquire();
      expect(budget.state.waiting).toBe(3);
      vi.advanceTimersByTime(PROBE_PATIENCE_MS);
      expect(budget.state.waiting).toBe(2);
      vi.advanceTimersByTime(PROBE_PATIENCE_MS);
      expect(budget.state.waiting).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("the caller's signal takes a waiter out of the queue", async () => {
    const budget = new RateLimitBudget(epochResetPolicy());
    budget.acquire();
    const controller = new AbortController();
    const waiting = budget.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: "AbortError" });
    expect(budget.state.waiting).toBe(0);
  });
});
