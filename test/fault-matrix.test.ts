/**
 * The fault matrix (issue 7, docs/reliability.md): every fault × every provider × {a read, a call that starts
 * work}, each against its own loopback fault server. Each case asserts how many requests the server saw, what
 * the call ended in (its value, or the typed error and what it says) and, for retried faults, that the wait
 * before the retry was the one asked for. The per-provider reliability tests prove finer points; this file
 * proves the same rules hold for all four clients.
 */
import { afterAll, describe, expect, it, type ExpectStatic } from "vitest";
import {
  AbortError,
  ApiError,
  ConnectionError,
  ImportkitError,
  InvalidRequestError,
  InvalidResponseError,
  NotFoundError,
  RateLimitError,
  RedirectError,
  ResponseTooLargeError,
  TimeoutError,
} from "../packages/core/src/index.ts";
import { driveClock, restoreClock, useFakeClock } from "./fake-clock.ts";
import { refusedUrl, routeMatches, startFaultServer, type RecordedRequest } from "./fault-server.ts";
import {
  clockProgress,
  FAULT_TIMEOUT_MS,
  TEN_MB,
  faults,
  targets,
  type CallKind,
  type CallSpec,
  type FaultContext,
  type FaultSpec,
  type FaultTarget,
  type FetchTrace,
} from "./fault-targets.ts";

type ErrorClass = abstract new (...args: any[]) => Error;
type Ctx = FaultContext & { trace?: FetchTrace };

interface Outcome {
  /** Requests of this call the server saw (1 = not resent). */
  sent: number;
  /** Fetch attempts, when they differ from what the server saw (connection refused). */
  attempts?: number;
  /** The call returns the success value. */
  value?: true;
  error?: ErrorClass;
  message?: RegExp;
  /** The least time between the first two requests: the wait that was asked for, less a little slack. */
  minWaitMs?: number | ((ctx: Ctx) => number);
  check?: (error: any, ctx: Ctx, expect: ExpectStatic) => void;
}

type Expected = Outcome | ((ctx: Ctx) => Outcome);

/** Slack for waits measured between two arrivals at the server (timers never fire early; clocks are read apart). */
const SLACK_MS = 60;
/** The least full-jitter backoff before the first retry: 500 ms × (1 − 0.25). */
const FIRST_BACKOFF_MS = 375;

const retriedToValue = (minWaitMs?: Outcome["minWaitMs"]): Outcome => ({ sent: 2, value: true, ...(minWaitMs !== undefined ? { minWaitMs } : {}) });
const notResent = (error: ErrorClass, message?: RegExp, check?: Outcome["check"]): Outcome => ({
  sent: 1,
  error,
  ...(message ? { message } : {}),
  ...(check ? { check } : {}),
});
const both = (outcome: Expected) => ({ read: outcome, start: outcome });

/** What each fault must end in, for a read and for a call that starts work (every provider alike unless noted). */
const expected: Record<string, { read: Expected; start: Expected }> = {
  "429-retry-after-seconds": both(retriedToValue(1000 - SLACK_MS)),
  "429-retry-after-date": both(retriedToValue((ctx) => ctx.askedWaitMs! - SLACK_MS)),
  "429-retry-after-ms": both(retriedToValue(50 - 5)),
  // GitBook (epoch seconds) and Document360 (seconds from now) wait for the reset; the others have no reset header
  // and back off as for a 429 without a hint.
  "429-provider-reset": both(retriedToValue((ctx) => (ctx.askedWaitMs ?? FIRST_BACKOFF_MS + SLACK_MS) - SLACK_MS)),
  "429-no-hint": both(retriedToValue(FIRST_BACKOFF_MS - 5)),
  "429-every-time": both({ sent: 2, error: RateLimitError, message: /failed with 429/, check: (e, _c, expect) => expect(e.retryAfterMs).toBe(0) }),
  "429-over-60s": both(
    notResent(RateLimitError, /failed with 429/, (e, ctx, expect) => {
      expect(e.retryAfterMs).toBe(120_000);
      expect(ctx.server.requests.length).toBe(1);
    }),
  ),
  "429-wait-aborted": both(notResent(AbortError, /aborted/)),
  "503": both(retriedToValue(FIRST_BACKOFF_MS - 5)),
  "500": {
    read: retriedToValue(FIRST_BACKOFF_MS - 5),
    start: notResent(ApiError, /failed with 500: .*Internal failure 7731/, (e, _c, expect) => expect(e.status).toBe(500)),
  },
  "502-html": { read: { sent: 2, error: ApiError, message: /failed with 502: 502 Bad Gateway/ }, start: notResent(ApiError, /failed with 502: 502 Bad Gateway/) },
  "504": { read: retriedToValue(FIRST_BACKOFF_MS - 5), start: notResent(ApiError, /failed with 504: .*Gateway timeout/) },
  "reset-before-headers": { read: retriedToValue(FIRST_BACKOFF_MS - 5), start: notResent(ConnectionError, /failed: the connection was reset/) },
  "reset-after-headers": {
    read: retriedToValue(FIRST_BACKOFF_MS - 5),
    start: notResent(ConnectionError, /failed: .*(reset|closed before the response was complete)/),
  },
  refused: both({ sent: 0, attempts: 2, error: ConnectionError, message: /refused/, check: (e, _c, expect) => expect(e.code).toBe("ECONNREFUSED") }),
  "timeout-no-headers": {
    read: retriedToValue(FAULT_TIMEOUT_MS),
    start: notResent(TimeoutError, new RegExp(`timed out after ${FAULT_TIMEOUT_MS} ms`), (e, _c, expect) => expect(e.timeoutMs).toBe(FAULT_TIMEOUT_MS)),
  },
  "stalled-body": { read: retriedToValue(FAULT_TIMEOUT_MS), start: notResent(TimeoutError, new RegExp(`timed out after ${FAULT_TIMEOUT_MS} ms`)) },
  "truncated-body": { read: retriedToValue(FIRST_BACKOFF_MS - 5), start: notResent(ConnectionError, /closed before the response was complete|reset/) },
  "invalid-json": both((ctx) => notResent(InvalidResponseError, new RegExp(`${ctx.call.operation} .*not valid JSON`))),
  "empty-204": {
    read: (ctx) => notResent(InvalidResponseError, new RegExp(`${ctx.call.operation} .*answered 204 without a body`)),
    // Import.io documents a start without a body: the client finds the new crawl run among the newest ones.
    start: (ctx) =>
      ctx.target.provider === "importio"
        ? { sent: 1, value: true, check: (_e, c, expect) => expect(c.server.requests.some((r) => routeMatches("GET /crawlruns", r))).toBe(true) }
        : notResent(InvalidResponseError, new RegExp(`${ctx.call.operation} .*answered 204 without a body`)),
  },
  "error-body-10mb": {
    read: { sent: 2, error: ApiError, message: TEN_MB_MESSAGE(), check: (e, c, expect) => tenMegabytes(e, c, expect) },
    start: notResent(ApiError, TEN_MB_MESSAGE(), (e, c, expect) => tenMegabytes(e, c, expect)),
  },
  // Followed within the API's origin (the credential added again: checked below for every request), for a start too.
  "redirect-same-origin": both({ sent: 1, value: true }),
  "redirect-other-origin": both(
    notResent(RedirectError, /redirecting to http:\/\/127\.0\.0\.1:1\/collect.*not followed: to another origin/, (e, _c, expect) => {
      expect(e.status).toBe(302);
      expect(e.location).toMatch(/^http:\/\/127\.0\.0\.1:1\/collect/);
    }),
  ),
  "body-over-cap": both(
    notResent(ResponseTooLargeError, /larger than 64 KiB \(maxResponseBytes\)/, (e, c, expect) => {
      expect(e.limitBytes).toBe(64 * 1024);
      // Memory stayed bounded: the client pulled far less than the 16 MiB the body inflates to.
      expect(c.trace!.bytesRead.reduce((a, b) => a + b, 0)).toBeLessThan(4 * 1024 * 1024);
    }),
  ),
  "error-body-deep": both(notResent(InvalidRequestError, /failed with 400/)),
  "error-envelope-odd": both(
    notResent(NotFoundError, /failed with 404/, (e, _c, expect) => {
      expect(Object.getPrototypeOf(e.body)).toBe(Object.prototype);
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
      expect(e.code === undefined || typeof e.code === "string" || typeof e.code === "number").toBe(true);
    }),
  ),
};

function TEN_MB_MESSAGE(): RegExp {
  return /failed with 500: (GET|POST) .*… \[error body cut at 64 KiB of 10\.0 MiB: only its start was read\]$/;
}

/** A 10 MB error body is neither held nor shown: the client reads a bounded prefix and keeps less. */
function tenMegabytes(error: ApiError, ctx: Ctx, expect: ExpectStatic) {
  const read = ctx.trace!.bytesRead.reduce((a, b) => a + b, 0);
  expect(read, "body bytes the client read, over all attempts").toBeLessThan(1024 * 1024);
  expect(error.message.length).toBeLessThan(1_000);
  expect(String(error.body).length).toBeLessThanOrEqual(64 * 1024);
  expect(JSON.stringify(error).length).toBeLessThan(200 * 1024);
  expect(ctx.server.requests.every((r) => (r.bytesSent ?? 0) < TEN_MB), "no attempt took the whole body").toBe(true);
}

interface Case {
  fault: FaultSpec;
  target: FaultTarget;
  kind: CallKind;
}

const cases: Case[] = faults.flatMap((fault) => targets.flatMap((target) => (["read", "start"] as const).map((kind) => ({ fault, target, kind }))));
const tally = { passed: 0, retried: 0, typedErrors: 0, values: 0, notResent: 0 };

afterAll(() => {
  console.log(
    `fault matrix: ${faults.length} faults × ${targets.length} providers × 2 calls = ${cases.length} cases; ${tally.passed} passed ` +
      `(${tally.values} ended in the value, ${tally.typedErrors} in a typed error; ${tally.retried} retried; ` +
      `${tally.notResent} work-starting calls not resent)`,
  );
});

it("every fault has its expected outcomes, and nothing else does", () => {
  expect(Object.keys(expected).sort()).toEqual(faults.map((f) => f.id).sort());
});

/** One case: its own fault server, the client built against it, the call, and every check of its outcome. */
async function runCase(fault: FaultSpec, target: FaultTarget, kind: CallKind, expect: ExpectStatic): Promise<void> {
  const server = await startFaultServer();
  try {
    const call = target[kind] as CallSpec<unknown>;
    const ctx: Ctx = { server, target, call };
    for (const [matcher, answer] of call.support ?? []) server.route(matcher, answer);
    fault.serve(ctx);
    const rule = expected[fault.id]![kind];
    const outcome = typeof rule === "function" ? rule(ctx) : rule;
    const origin = fault.refused ? await refusedUrl() : server.url;
    const harness = target.build({
      origin,
      maxRetries: fault.maxRetries ?? 1,
      ...(fault.timeout ? { timeout: fault.timeout } : {}),
      ...(fault.extra ? { extra: fault.extra } : {}),
    });
    const { client, trace, log } = harness;
    ctx.trace = trace;
    const controller = new AbortController();
    if (fault.abortWhenLogged) void log.when(fault.abortWhenLogged).then(() => controller.abort());
    if (fault.clock) useFakeClock();
    const started = Date.now();
    let result: { value: unknown } | { error: unknown };
    try {
      const pending = call.run(client, { signal: controller.signal }).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      result = fault.clock ? await driveClock(pending, () => clockProgress(server, harness)) : await pending;
    } finally {
      if (fault.clock) restoreClock();
    }
    const sent = server.requests.filter((r) => routeMatches(call.route, r));

    expect(sent.length, "requests of this call the server saw").toBe(outcome.sent);
    expect(trace.attempts - (server.requests.length - sent.length), "fetch attempts").toBe(outcome.attempts ?? outcome.sent);
    if (outcome.value) {
      expect("error" in result ? result.error : undefined).toBeUndefined();
      expect(call.identify((result as { value: unknown }).value)).toEqual(call.expected);
      tally.values++;
    } else {
      expect("error" in result, "the call failed").toBe(true);
      const error = (result as { error: Error }).error;
      expect(error).toBeInstanceOf(ImportkitError);
      expect(error).toBeInstanceOf(outcome.error!);
      expect(error.name).toBe(outcome.error!.name);
      if (outcome.message) expect(error.message).toMatch(outcome.message);
      outcome.check?.(error, ctx, expect);
      tally.typedErrors++;
    }
    if (fault.abortWhenLogged) expect(Date.now() - started, "the 30 s wait was cut short").toBeLessThan(30_000);
    if (outcome.minWaitMs !== undefined) {
      const min = typeof outcome.minWaitMs === "function" ? outcome.minWaitMs(ctx) : outcome.minWaitMs;
      expect(sent[1]!.at - sent[0]!.at, "wait before the retry").toBeGreaterThanOrEqual(min);
    }
    if (outcome.sent > 1 || (outcome.attempts ?? 0) > 1) {
      expect(log.lines.some((l) => l.startsWith("warn") && /retry 1\/1/.test(l)), "the retry is logged").toBe(true);
      tally.retried++;
    } else if (kind === "start" && outcome.sent === 1 && !outcome.value) tally.notResent++;
    // Every request that reached the server carried the credential (so the cases test the real thing).
    for (const request of sent as RecordedRequest[]) expect(target.carriesCredential(request)).toBe(true);
    tally.passed++;
  } finally {
    await server.close();
  }
}

describe.concurrent("fault matrix", () => {
  for (const fault of faults.filter((f) => !f.clock)) {
    describe(fault.id, () => {
      for (const { target, kind } of cases.filter((c) => c.fault === fault)) {
        it(`${target.provider} ${kind}`, ({ expect }) => runCase(fault, target, kind, expect));
      }
    });
  }
});

// Time is their subject: run one at a time on the fake clock (fake timers belong to the whole worker).
describe("fault matrix (fake clock)", () => {
  for (const fault of faults.filter((f) => f.clock)) {
    describe(fault.id, () => {
      for (const { target, kind } of cases.filter((c) => c.fault === fault)) {
        it(`${target.provider} ${kind}`, ({ expect }) => runCase(fault, target, kind, expect));
      }
    });
  }
});
