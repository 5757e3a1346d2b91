// Retries, waits, timeouts and redaction of the GitBook client, over real HTTP on loopback (test/fault-server.ts).
import { describe, expect, it } from "vitest";
import {
  AbortError,
  ApiError,
  ConnectionError,
  createGitBookClient,
  InvalidRequestError,
  InvalidResponseError,
  RateLimitError,
  TimeoutError,
  ImportkitError,
} from "@importkit/gitbook";
import { onFakeClock } from "../../../test/fake-clock.ts";
import { startFaultServer, type Fault, useFaultServer } from "../../../test/fault-server.ts";
import { renderingsOf } from "../../../test/renderings.ts";

const TOKEN = "gbtok_SENTINEL_9f8e7d6c5b4a";
const organizationId = "org_1";
/** The run every test reads: its id, then the organization it belongs to (`imports.get(importRunId, { organizationId })`). */
const ref = ["run_1", { organizationId }] as const;
const run = { object: "import-run", id: "run_1", status: "pending" };
const startParams = { organizationId, source: { type: "website" as const, url: "https://example.com" }, target: { space: "s" } };

// Before each test: no recorded requests, a fresh log, and this answer to any request a test has not queued.
const { server, log } = useFaultServer({ fallback: { status: 200, json: run } });

function client(extra: Parameters<typeof createGitBookClient>[0] extends infer O ? Partial<O> : never = {}) {
  return createGitBookClient({
    token: TOKEN,
    baseUrl: server.url,
    logger: log.logger,
    ...extra,
  });
}

describe("retries", () => {
  it("retries a 503 and returns the next success", async () => {
    server.queue({ status: 503, json: { error: { code: 503, message: "busy" } } });
    expect((await client().imports.get(...ref)).id).toBe("run_1");
    expect(server.requests).toHaveLength(2);
  });

  it("waits what retry-after-ms says", async () => {
    server.queue({ status: 429, headers: { "retry-after-ms": "120" } });
    const started = Date.now();
    await client().imports.get(...ref);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(log.lines.some((l) => /answered 429; retrying in 120 ms/.test(l))).toBe(true);
  });

  it("reads Retry-After as seconds and as an HTTP date", async () => {
    server.queue(
      { status: 429, headers: { "retry-after": "0" } },
      { status: 429, headers: { "retry-after": new Date(Date.now() - 1000).toUTCString() } },
    );
    await client().imports.get(...ref);
    expect(server.requests).toHaveLength(3);
  });

  it("waits for GitBook's X-RateLimit-Reset (epoch seconds) when a 429 has no Retry-After", async () => {
    const reset = Math.ceil(Date.now() / 1000) + 1;
    server.queue({ status: 429, headers: { "x-ratelimit-reset": String(reset), "x-ratelimit-remaining": "0" } });
    await client().imports.get(...ref);
    expect(server.requests).toHaveLength(2);
    expect(Date.now()).toBeGreaterThanOrEqual(reset * 1000 - 5);
  });

  it("does not wait out a hint longer than 60 s: the RateLimitError carries it instead", async () => {
    const reset = Math.ceil(Date.now() / 1000) + 120;
    server.queue({ status: 429, headers: { "x-ratelimit-reset": String(reset) }, json: { error: { code: 429, message: "slow down" } } });
    const error = (await client().imports.get(...ref).catch((e: unknown) => e)) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBeGreaterThan(100_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(121_000);
    expect(server.requests).toHaveLength(1);
  });

  it("an answer saying nothing remains until a reset an hour (or 1e11 s) ahead: later calls are refused at once, not stalled", async () => {
    for (const reset of [Math.ceil(Date.now() / 1000) + 3600, 1e11]) {
      server.requests.length = 0;
      const gitbook = client();
      server.queue({ status: 200, json: run, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) } });
      await gitbook.imports.get(...ref);
      const errors = await Promise.all([gitbook.imports.get(...ref), gitbook.imports.start(startParams)].map((p) => p.catch((e: unknown) => e)));
      for (const error of errors) {
        expect(error).toBeInstanceOf(RateLimitError);
        expect((error as RateLimitError).retryAfterMs).toBeGreaterThan(3_500_000);
      }
      expect(server.requests).toHaveLength(1);
    }
  });

  it("gives up after maxRetries and throws the last status's error", async () => {
    server.fallback = { status: 502, body: "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", headers: { "content-type": "text/html" } };
    const error = (await client({ maxRetries: 1 }).imports.get(...ref).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(502);
    expect(error.message).toContain("502 Bad Gateway");
    expect(server.requests).toHaveLength(2);
  });

  it("retries a connection reset on a read, then succeeds", async () => {
    server.queue({ fault: "reset-before-headers" });
    expect((await client().imports.get(...ref)).id).toBe("run_1");
    expect(server.requests).toHaveLength(2);
  });

  it("retries a truncated body on a read", async () => {
    server.queue({ fault: "truncated-body", partialBody: '{"id":"ru', declaredLength: 200 });
    expect((await client().imports.get(...ref)).id).toBe("run_1");
    expect(server.requests).toHaveLength(2);
  });
});

describe("a request that starts work is not resent when the server may have acted on it", () => {
  it("500 on start: not resent", async () => {
    server.queue({ status: 500, json: { error: { code: 500, message: "oops" } } });
    const error = (await client().imports.start(startParams).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(500);
    expect(server.requests).toHaveLength(1);
  });

  it("reset after the headers on start: not resent", async () => {
    server.queue({ fault: "reset-after-headers", status: 201, partialBody: '{"id":' });
    const error = await client().imports.start(startParams).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(server.requests).toHaveLength(1);
  });

  it("429 and 503 on start: resent (the server did not act)", async () => {
    server.queue({ status: 429, headers: { "retry-after": "0" } }, { status: 503, headers: { "retry-after": "0" } }, { status: 201, json: run });
    expect((await client().imports.start(startParams)).id).toBe("run_1");
    expect(server.requests).toHaveLength(3);
  });

  it("connection refused on start: resent, then a ConnectionError naming it", async () => {
    const dead = await startFaultServer();
    const url = dead.url;
    await dead.close();
    const error = (await client({ baseUrl: url, maxRetries: 1 }).imports.start(startParams).catch((e: unknown) => e)) as ConnectionError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.code).toBe("ECONNREFUSED");
    expect(error.message).toMatch(/refused/);
    expect(log.lines.filter((l) => l.startsWith("warn")).length).toBe(1);
  });
});

describe("timeouts and the caller's signal", () => {
  it("times out when headers never come, per attempt", async () => {
    server.fallback = { fault: "no-headers" };
    const error = (await onFakeClock(server, () => client({ timeout: 100, maxRetries: 1 }).imports.get(...ref).catch((e: unknown) => e))) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.timeoutMs).toBe(100);
    expect(server.requests).toHaveLength(2);
  });

  it("times out when the body stalls halfway", async () => {
    server.fallback = { fault: "stall-body", partialBody: '{"id":"run_1",' };
    const error = await client({ timeout: 100, maxRetries: 0 }).imports.get(...ref).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it("the signal cuts a retry wait short", async () => {
    server.queue({ status: 429, headers: { "retry-after": "30" } });
    const controller = new AbortController();
    // Aborted once the client says it is waiting: an event, not a delay that races the 429's round trip.
    void log.when(/answered 429; retrying in/).then(() => controller.abort());
    const started = Date.now();
    const error = await client().imports.get(...ref, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("a server's rejection keeps the violated rule when a mock server explains it (sl-violations)", async () => {
    const violations = JSON.stringify([{ location: ["request", "query", "limit"], message: "must be <= 1000" }]);
    server.queue({ status: 422, json: { error: { code: 422, message: "Invalid request" } }, headers: { "sl-violations": violations } });
    const error = (await client().imports.get(...ref).catch((e: unknown) => e)) as InvalidRequestError;
    expect(error).toBeInstanceOf(InvalidRequestError);
    // The new layer no longer quotes Prism's header in the message (layer-design.md): it is on the error's headers.
    expect(error.message).toContain("failed with 422: Invalid request");
    expect(JSON.parse(error.headers["sl-violations"]!)).toEqual([{ location: ["request", "query", "limit"], message: "must be <= 1000" }]);
  });

  it("invalid JSON on a 200 is an InvalidResponseError", async () => {
    server.queue({ status: 200, body: '{"id": "run_1", ', headers: { "content-type": "application/json" } });
    const error = await client().imports.get(...ref).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toMatch(/getImportRun .*not valid JSON/);
  });
});

describe("the token never appears in an error or a log line", () => {
  const faults: Fault[] = [
    { status: 401, json: { error: { code: 401, message: `Invalid token ${TOKEN}` } } },
    { status: 404, json: { error: { code: 404, message: "not found" } }, headers: { "set-cookie": `s=${TOKEN}` } },
    { status: 429, headers: { "retry-after": "600" }, json: { error: { code: 429, message: "slow" } } },
    { status: 400, json: { error: { code: 400, message: `Authorization: Bearer ${TOKEN} is not allowed` } } },
    { status: 500, body: `<html><title>Error</title>Bearer ${TOKEN}</html>` },
    { status: 200, body: `{"echo":"${TOKEN}"` },
    { fault: "reset-before-headers" },
    { fault: "no-headers" },
  ];

  it.each(faults.map((f, i) => [i, f] as const))("fault %i", async (_i, fault) => {
    server.fallback = fault;
    const error = await onFakeClock(server, () => client({ timeout: 100, maxRetries: 1 }).imports.get(...ref).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(ImportkitError);
    const renderings = [
      ...renderingsOf(error),
      ...log.lines,
    ];
    for (const text of renderings) expect(text).not.toContain(TOKEN);
    // And the request really carried it: the check above is not vacuous.
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });
});
