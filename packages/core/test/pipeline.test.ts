// The pipeline beneath every call: retries as the retry policy decides, redirects as the redirect policy decides (on
// both transports: fetch and node:http), failures classified. Real HTTP on loopback where the transport matters.
import { readFileSync } from "node:fs";
import { createServer as createHttpsServer, globalAgent, type Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, ConnectionError, RedirectError, TimeoutError } from "@importkit/core";
import { decideRedirect } from "@importkit/core/internal";
import { nodeHttpFetch } from "@importkit/core/node";
import { refusedUrl, startFaultServer, type FaultServer } from "../../../test/fault-server.ts";
import { json, recordedFetch, TEST_TOKEN, testClient, type Thing } from "./test-api.ts";

const thing: Thing = { id: "t1", status: "queued" };

describe("retries", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("a read is retried after 503 and 500, waiting the backoff, up to maxRetries", async () => {
    const recorded = recordedFetch((_r, i) => (i < 2 ? json({ message: "busy" }, i === 0 ? 503 : 500) : json(thing)));
    const pending = testClient(recorded.fetch, { maxRetries: 2 }).call("getThing", { path: { id: "t1" } });
    await vi.runAllTimersAsync();
    expect(await pending).toEqual(thing);
    expect(recorded.requests).toHaveLength(3);
  });

  it("a start is resent after 429 and 503 (the server did not act) but not after 500 or 502", async () => {
    for (const [first, resent] of [[429, true], [503, true], [500, false], [502, false]] as const) {
      const recorded = recordedFetch((_r, i) => (i === 0 ? json({ message: "x" }, first) : json(thing, 201)));
      const pending = testClient(recorded.fetch, { maxRetries: 2 }).call("startThing", { body: { name: "a" } }).catch((e: unknown) => e);
      await vi.runAllTimersAsync();
      const result = await pending;
      expect(recorded.requests.length, `start after ${first}`).toBe(resent ? 2 : 1);
      if (!resent) expect(result).toBeInstanceOf(ApiError);
    }
  });

  it("waits what Retry-After asks, and past 60 s does not wait: the RateLimitError carries the wait", async () => {
    const recorded = recordedFetch((_r, i) => (i === 0 ? json({}, 429, { "retry-after": "2" }) : json(thing)));
    const pending = testClient(recorded.fetch).call("getThing", { path: { id: "t1" } });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(recorded.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await pending).toEqual(thing);

    const long = recordedFetch(() => json({}, 429, { "retry-after": "120" }));
    const error = await testClient(long.fetch).call("getThing", { path: { id: "t1" } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 120_000 });
    expect(long.requests).toHaveLength(1);
  });

  it("a connection failure of a start is resent only when nothing reached the server", async () => {
    const refused = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    const reset = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) });
    for (const [failure, resent] of [[refused, true], [reset, false]] as const) {
      let calls = 0;
      const flaky: typeof fetch = async () => {
        if (calls++ === 0) throw failure;
        return json(thing, 201);
      };
      const pending = testClient(flaky, { maxRetries: 2 }).call("startThing", { body: { name: "a" } }).catch((e: unknown) => e);
      await vi.runAllTimersAsync();
      const result = await pending;
      expect(calls).toBe(resent ? 2 : 1);
      if (!resent) {
        expect(result).toBeInstanceOf(ConnectionError);
        expect((result as ConnectionError).code).toBe("ECONNRESET");
      }
    }
  });

  it("an attempt that takes longer than `timeout` is a TimeoutError, retried for a read", async () => {
    let calls = 0;
    const slowOnce: typeof fetch = async (_input, init) => {
      if (calls++ === 0) return new Promise<Response>((_r, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)));
      return json(thing);
    };
    const pending = testClient(slowOnce, { timeout: 1_000 }).call("getThing", { path: { id: "t1" } });
    await vi.runAllTimersAsync();
    expect(await pending).toEqual(thing);
    const never: typeof fetch = async (_input, init) => new Promise<Response>((_r, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)));
    const failing = testClient(never, { timeout: 1_000, maxRetries: 0 }).call("getThing", { path: { id: "t1" } }).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await failing).toBeInstanceOf(TimeoutError);
  });
});

describe("the redirect policy", () => {
  const from = new URL("https://api.test.example/v1/things/t1");
  const origin = from.origin;
  const holdsSecret = (text: string) => text.includes(TEST_TOKEN);
  const decide = (kind: "api" | "download", status: number, location: string, method = "GET", hops = 0) =>
    decideRedirect({ kind, status, method, from, location, configuredOrigin: origin, hops, holdsSecret });

  it.each([301, 302, 303, 307, 308])("%i: same origin is followed, another origin only by a download, https → http never", (status) => {
    expect(decide("api", status, "/v1/things/t2")).toMatchObject({ follow: true, crossOrigin: false });
    expect(decide("download", status, "/v1/files/x")).toMatchObject({ follow: true, crossOrigin: false });
    expect(decide("api", status, "https://evil.example/steal")).toMatchObject({ follow: false });
    expect(decide("download", status, "https://storage.example/f.zip?sig=abc")).toMatchObject({ follow: true, crossOrigin: true });
    expect(decide("api", status, "http://api.test.example/v1/things/t2")).toMatchObject({ follow: false, reason: expect.stringMatching(/plain http/) });
    expect(decide("download", status, "http://storage.example/f.zip")).toMatchObject({ follow: false, reason: expect.stringMatching(/plain http/) });
  });

  it("a Location that carries one of the client's secrets is not followed to another origin", () => {
    expect(decide("download", 302, `https://storage.example/f.zip?k=${TEST_TOKEN}`)).toMatchObject({ follow: false });
  });

  it("303, and 301/302 after a POST, continue as a GET without a body; 307/308 keep both", () => {
    expect(decide("api", 303, "/v1/things", "POST")).toMatchObject({ method: "GET", dropBody: true });
    expect(decide("api", 302, "/v1/things", "POST")).toMatchObject({ method: "GET", dropBody: true });
    expect(decide("api", 307, "/v1/things", "POST")).toMatchObject({ method: "POST", dropBody: false });
    expect(decide("api", 308, "/v1/things", "POST")).toMatchObject({ method: "POST", dropBody: false });
  });

  it("stops after 20 hops and on schemes other than http(s)", () => {
    expect(decide("api", 302, "/v1/x", "GET", 20)).toMatchObject({ follow: false });
    expect(decide("download", 302, "file:///etc/passwd")).toMatchObject({ follow: false });
  });
});

describe.each([
  ["fetch", undefined],
  ["node:http", nodeHttpFetch as typeof fetch],
] as const)("redirects over real HTTP (%s)", (_name, transport) => {
  let api: FaultServer;
  let other: FaultServer;
  beforeAll(async () => {
    [api, other] = await Promise.all([startFaultServer(), startFaultServer()]);
  });
  afterAll(() => Promise.all([api.close(), other.close()]));
  beforeEach(() => {
    api.requests.length = 0;
    other.requests.length = 0;
  });
  const client = () => testClient(transport ?? fetch, { baseUrl: `${api.url}/v1`, maxRetries: 0, headers: { "X-Client-Secret": "client-wide" } });

  it.each([301, 302, 303, 307, 308])("%i within the API's origin is followed, credentials re-added on the new path", async (status) => {
    api.route("GET /v1/things/old", { status, headers: { location: "/v1/things/new" } });
    api.route("GET /v1/things/new", { status: 200, json: thing });
    expect(await client().call("getThing", { path: { id: "old" } })).toEqual(thing);
    expect(api.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ["/v1/things/old", `Bearer ${TEST_TOKEN}`],
      ["/v1/things/new", `Bearer ${TEST_TOKEN}`],
    ]);
  });

  it.each([301, 302, 303, 307, 308])("%i to another origin: an API call stops with RedirectError; nothing reaches the other origin", async (status) => {
    api.route("POST /v1/things", { status, headers: { location: `${other.url}/collect?token=${TEST_TOKEN}` } });
    const error = await client().call("startThing", { body: { name: "secret-bearing body" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect(error).toMatchObject({ status, operation: "startThing", location: `${other.url}/collect?token=[REDACTED]` });
    expect((error as Error).message).not.toContain(TEST_TOKEN);
    expect(other.requests).toHaveLength(0);
  });

  it.each([301, 302, 303, 307, 308])("%i to another origin: a download follows with every credential and header stripped", async (status) => {
    api.route("GET /v1/files/report.zip", { status, headers: { location: `${other.url}/blob/report.zip?sig=storage-signature` } });
    other.route("GET /blob/report.zip", { status: 200, body: "PK-zip-bytes", headers: { "content-type": "application/zip" } });
    const download = await client().download("getFile", { path: { name: "report.zip" } }, { headers: { "X-Call": "per-call" } });
    expect(await new Response(download.body).text()).toBe("PK-zip-bytes");
    expect(api.requests[0]!.headers.authorization).toBe(`Bearer ${TEST_TOKEN}`);
    const hop = other.requests[0]!;
    expect(hop.headers.authorization).toBeUndefined();
    expect(hop.headers["x-client-secret"]).toBeUndefined();
    expect(hop.headers["x-call"]).toBeUndefined();
    expect(hop.headers["user-agent"]).toContain("@importkit/test");
  });
});

describe("https → http over real TLS (node:http)", () => {
  const tls = (name: string) => readFileSync(new URL(`../../../test/fixtures/tls/loopback.${name}.pem`, import.meta.url));
  let https: HttpsServer;
  let plain: FaultServer;
  let origin = "";
  let before: unknown;
  beforeAll(async () => {
    plain = await startFaultServer();
    https = createHttpsServer({ key: tls("key"), cert: tls("cert") }, (_req, res) => {
      res.writeHead(302, { location: `${plain.url}/v1/things/t1` }).end();
    });
    await new Promise<void>((resolve) => https.listen(0, "127.0.0.1", resolve));
    origin = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
    before = globalAgent.options.ca;
    globalAgent.options.ca = tls("cert");
  });
  afterAll(async () => {
    globalAgent.options.ca = before as never;
    globalAgent.destroy();
    await plain.close();
    await new Promise<void>((resolve) => https.close(() => resolve()));
  });

  it("a redirect from https to plain http is never followed, for an API call or a download", async () => {
    const api = testClient(nodeHttpFetch as typeof fetch, { baseUrl: `${origin}/v1`, maxRetries: 0 });
    await expect(api.call("getThing", { path: { id: "t1" } })).rejects.toBeInstanceOf(RedirectError);
    await expect(api.download("getFile", { path: { name: "f" } })).rejects.toBeInstanceOf(RedirectError);
    expect(plain.requests).toHaveLength(0);
  });
});

describe("a browser hides redirects (opaqueredirect)", () => {
  const opaque = () => Object.defineProperty(new Response(null, { status: 200 }), "type", { value: "opaqueredirect" });

  it("an API call stops with RedirectError", async () => {
    const recorded = recordedFetch(() => opaque());
    await expect(testClient(recorded.fetch).call("getThing", { path: { id: "t1" } })).rejects.toBeInstanceOf(RedirectError);
  });

  it("a download with its credentials in a header is refused too (the browser would re-send them)", async () => {
    const recorded = recordedFetch(() => opaque());
    await expect(testClient(recorded.fetch).download("getFile", { path: { name: "f" } })).rejects.toBeInstanceOf(RedirectError);
  });

  it("a download whose credentials are not in a header is left to the browser to follow", async () => {
    const recorded = recordedFetch((request) => (request.redirect === "manual" ? opaque() : new Response("file", { status: 200 })));
    const api = testClient(recorded.fetch, {}, { authorize: (request) => void (request.url += "?key=in-the-url") });
    const download = await api.download("getFile", { path: { name: "f" } });
    expect(await new Response(download.body).text()).toBe("file");
    expect(recorded.requests.map((r) => r.redirect)).toEqual(["manual", "follow"]);
  });
});

describe("connection failures", () => {
  it("a refused connection is a ConnectionError with its code, after the retries", async () => {
    const url = await refusedUrl();
    const error = await testClient(fetch, { baseUrl: url, maxRetries: 0 }).call("getThing", { path: { id: "t1" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "ECONNREFUSED", request: { method: "GET", url: `${url}/things/t1` } });
  });
});
