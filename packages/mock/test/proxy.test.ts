/**
 * The validation proxy against real loopback upstreams: one that conforms to the spec (nothing reported, bytes
 * unchanged) and ones that depart from it on purpose (every departure reported, redacted, and the traffic still
 * passes). Every wait is on an event: a response, a request the upstream received.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { startValidationProxy, type ValidationProxy } from "@importkit/mock";

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

/** A loopback upstream: `respond` answers each request; `received` keeps what arrived, byte for byte. */
async function upstream(respond: (req: Received, res: ServerResponse) => void) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const entry = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) };
      received.push(entry);
      respond(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function proxyFor(options: Parameters<typeof startValidationProxy>[0]): Promise<ValidationProxy> {
  const proxy = await startValidationProxy(options);
  cleanup.push(() => proxy.close());
  return proxy;
}

async function upstreamFor(respond: Parameters<typeof upstream>[0]) {
  const server = await upstream(respond);
  cleanup.push(server.close);
  return server;
}

const RUN = {
  object: "import-run",
  id: "Rk3xQ7bT9mLp2VwYc8Na",
  status: "in-progress",
  source: { type: "website", url: "https://docs.example.com/" },
  target: { space: "Sd7fG2hJ9kLq4Wx1Zc8V" },
  urls: { location: "https://api.gitbook.com/v1/org/acme/imports/Rk3xQ7bT9mLp2VwYc8Na" },
};
const RATE = { "x-ratelimit-limit": "60", "x-ratelimit-remaining": "59", "x-ratelimit-reset": "1377013266" };

describe("validation proxy: an upstream that conforms", () => {
  it("reports nothing, forwards to the spec's base path, and hands back the upstream's bytes unchanged", async () => {
    const api = await upstreamFor((req, res) => {
      if (req.method === "POST") json(res, 201, { ...RUN, status: "pending" }, RATE);
      else json(res, 200, RUN, RATE);
    });
    // An origin alone: the proxy adds GitBook's `/v1` (from the spec's `{host}/v1`).
    const proxy = await proxyFor({ provider: "gitbook", upstream: api.origin });
    expect(proxy.upstream).toBe(`${api.origin}/v1`);

    const got = await fetch(`${proxy.url}/org/acme/imports/${RUN.id}`, { headers: { Authorization: "Bearer t0ken-abc" } });
    expect(got.status).toBe(200);
    expect(await got.text()).toBe(JSON.stringify(RUN));
    const body = JSON.stringify({ source: { type: "website", url: "https://docs.example.com/" }, target: { space: "Sd7fG2hJ9kLq4Wx1Zc8V" } });
    const started = await fetch(`${proxy.url}/org/acme/imports`, {
      method: "POST",
      headers: { Authorization: "Bearer t0ken-abc", "Content-Type": "application/json" },
      body,
    });
    expect(started.status).toBe(201);
    expect(started.headers.get("x-ratelimit-remaining")).toBe("59");

    expect(api.received.map((r) => `${r.method} ${r.url}`)).toEqual([`GET /v1/org/acme/imports/${RUN.id}`, "POST /v1/org/acme/imports"]);
    expect(api.received[1]!.body.toString()).toBe(body);
    expect(api.received[1]!.headers.authorization).toBe("Bearer t0ken-abc");
    expect(proxy.report()).toEqual({ exchanges: 2, departures: [] });
  });

  it("Import.io inputs round-trip in the line-separated form without a departure", async () => {
    let stored: Buffer = Buffer.alloc(0);
    const api = await upstreamFor((req, res) => {
      if (req.method === "PUT") {
        stored = req.body;
        res.writeHead(200).end();
      } else {
        res.writeHead(200, { "content-type": "application/x-ndjson" });
        res.end(stored);
      }
    });
    const proxy = await proxyFor({ provider: "importio", upstream: api.origin });
    const id = "3c9d2f1e-8b7a-4c6d-9e5f-1a2b3c4d5e6f";
    const lines = '{"_url":"https://shop.example.com/p/1","Max Screens":50}\n{"_url":"https://shop.example.com/p/2","zip":"80044"}\n';
    const put = await fetch(`${proxy.url}/extractors/${id}/inputs?_apikey=ioKEY-123456`, { method: "PUT", headers: { "Content-Type": "application/x-ndjson" }, body: lines });
    expect(put.status).toBe(200);
    const got = await fetch(`${proxy.url}/extractors/${id}/inputs?_apikey=ioKEY-123456`, { headers: { Accept: "application/x-ndjson" } });
    const read = (await got.text()).split("\n").filter(Boolean).map((line) => JSON.parse(line));
    expect(read).toEqual([
      { _url: "https://shop.example.com/p/1", "Max Screens": 50 },
      { _url: "https://shop.example.com/p/2", zip: "80044" },
    ]);
    expect(api.received[0]!.url).toBe(`/extractors/${id}/inputs?_apikey=ioKEY-123456`);
    expect(proxy.report().departures).toEqual([]);
  });
});

describe("validation proxy: an upstream that departs from the spec", () => {
  it("reports each departure, request and response, and still passes the traffic both ways", async () => {
    const api = await upstreamFor((req, res) => {
      if (req.url.startsWith("/v1/org/acme/imports/")) json(res, 200, { status: "half-done" }, RATE);
      else if (req.method === "POST") res.writeHead(418).end();
      else json(res, 200, { unexpected: true });
    });
    const proxy = await proxyFor({ provider: "gitbook", upstream: api.origin });
    const auth = { Authorization: "Bearer t0ken-abc" };

    const got = await fetch(`${proxy.url}/org/acme/imports/r1`, { headers: auth });
    expect(await got.json()).toEqual({ status: "half-done" });
    const started = await fetch(`${proxy.url}/org/acme/imports`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ source: { type: "website", url: "https://docs.example.com/" } }),
    });
    expect(started.status).toBe(418);
    await (await fetch(`${proxy.url}/org/acme/imports`)).text();
    await (await fetch(`${proxy.url}/org/acme/exports`, { headers: auth })).text();

    expect(api.received).toHaveLength(4);
    const report = proxy.report();
    expect(report.exchanges).toBe(4);
    const [run, start, anonymous, unknown] = report.departures;
    expect(run).toMatchObject({ id: 1, method: "GET", operationId: "getImportRun", status: 200, request: [] });
    expect(run!.response.map((v) => `${v.location} ${v.code}`).sort()).toEqual(["response.body required", "response.body.status enum"]);
    expect(start!.request).toContainEqual(expect.objectContaining({ location: "request.body", code: "required", message: expect.stringContaining("target") }));
    expect(start!.response).toEqual([expect.objectContaining({ severity: "warning", message: expect.stringContaining("Unable to match the returned status code") })]);
    expect(anonymous!.request).toContainEqual(expect.objectContaining({ code: 401 }));
    expect(unknown!.request).toEqual([expect.objectContaining({ message: "no operation of the spec matches GET /org/acme/exports" })]);
  });

  it("passes binary bodies through byte for byte, both ways, and says it did not validate them", async () => {
    const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0xa0, 0xa1]);
    const api = await upstreamFor((req, res) => {
      if (req.method === "PUT") res.writeHead(200).end();
      else {
        res.writeHead(200, { "content-type": "application/zip", "content-length": String(zip.length) });
        res.end(zip);
      }
    });
    const proxy = await proxyFor({ provider: "importio", upstream: api.origin });
    const run = "8b4c7e6d-3a2f-4b1c-8d0e-6f7a8b9c0d1e";
    const files = await fetch(`${proxy.url}/crawlruns/${run}/files?_apikey=ioKEY-123456`, { headers: { Accept: "application/zip" } });
    expect(Buffer.from(await files.arrayBuffer()).equals(zip)).toBe(true);

    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x0a, 0xe2, 0x82]);
    const put = await fetch(`${proxy.url}/extractors/3c9d2f1e-8b7a-4c6d-9e5f-1a2b3c4d5e6f/inputs?_apikey=ioKEY-123456`, {
      method: "PUT",
      headers: { "Content-Type": "application/octet-stream" },
      body: bytes,
    });
    expect(put.status).toBe(200);
    expect(api.received[1]!.body.equals(bytes)).toBe(true);

    const [download, upload] = proxy.report().departures;
    expect(download!.notes).toEqual([expect.stringMatching(/^binary response body \(application\/zip, 12 bytes\) passed through untouched/)]);
    expect(download!.response).toEqual([]);
    // The media type is a departure (the spec takes line-separated JSON); the bytes still went through.
    expect(upload!.request).toContainEqual(expect.objectContaining({ code: 415 }));
    expect(upload!.notes).toEqual([expect.stringMatching(/^binary request body \(application\/octet-stream, 7 bytes\)/)]);
  });

  it("forwards a gzip body as it came, and validates its decoded copy", async () => {
    const crawlrun = { guid: "8b4c7e6d-3a2f-4b1c-8d0e-6f7a8b9c0d1e", state: "EXPLODED", _meta: { timestamp: 1731312003000 } };
    const gz = gzipSync(JSON.stringify(crawlrun));
    const api = await upstreamFor((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": String(gz.length) });
      res.end(gz);
    });
    const proxy = await proxyFor({ provider: "importio", upstream: api.origin });
    const got = await fetch(`${proxy.url}/crawlruns/${crawlrun.guid}?_apikey=ioKEY-123456`);
    expect(got.headers.get("content-encoding")).toBe("gzip");
    expect(await got.json()).toEqual(crawlrun);
    const [departure] = proxy.report().departures;
    expect(departure!.response).toEqual([expect.objectContaining({ location: "response.body.state", code: "enum" })]);
  });

  it("a body larger than the validation limit passes through, and the report says it was not validated", async () => {
    const big = JSON.stringify({ ...RUN, reason: "x".repeat(4096) });
    const api = await upstreamFor((_req, res) => json(res, 200, JSON.parse(big), RATE));
    const proxy = await proxyFor({ provider: "gitbook", upstream: api.origin, maxValidatedBodyBytes: 1024 });
    expect(await (await fetch(`${proxy.url}/org/acme/imports/r1`, { headers: { Authorization: "Bearer t0ken-abc" } })).text()).toBe(big);
    const [departure] = proxy.report().departures;
    expect(departure!.response).toEqual([]);
    expect(departure!.notes).toEqual([expect.stringMatching(/^response body of \d+ bytes is larger than 1024: passed through, not validated/)]);
  });

  it("an unreachable upstream is a 502 and a note, not a hang", async () => {
    const gone = await upstream(() => undefined);
    await gone.close();
    const proxy = await proxyFor({ provider: "document360", upstream: gone.origin });
    const answer = await fetch(`${proxy.url}/v2/Project/Import/e39bf9be-67be-4658-b28d-45d5794b25b0`, { headers: { api_token: "d360-secret-token" } });
    expect(answer.status).toBe(502);
    const [departure] = proxy.report().departures;
    expect(departure!.notes).toEqual([expect.stringMatching(/^the upstream could not be reached \(ECONNREFUSED\)/)]);
  });

  it("a client that gives up takes the upstream request with it", async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const server = createServer((req, res) => {
      res.on("close", upstreamClosed);
      arrived();
      void req;
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanup.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
    const proxy = await proxyFor({ provider: "gitbook", upstream: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    const controller = new AbortController();
    const pending = fetch(`${proxy.url}/org/acme/imports/r1`, { headers: { Authorization: "Bearer t0ken-abc" }, signal: controller.signal }).catch((e: unknown) => e);
    await arrival;
    controller.abort();
    await pending;
    await closed;
  });
});

describe("validation proxy: secrets never reach the report", () => {
  it("redacts tokens, API keys, api_token, X-token and JWTs, wherever they appear", async () => {
    const jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJzZWNyZXQtaWQifQ.c2lnbmF0dXJlLXNlbnRpbmVs";
    const secrets = ["gb_SECRET_token_5f1d9a", "ioKEY_SENTINEL_0c7b1e", "d360tok_SENTINEL_8a2f4c", jwt, "spxSECRET_xtoken_9911"];
    const api = await upstreamFor((req, res) => {
      // Departing answers that quote what they were sent, as real APIs do.
      if (req.url.includes("/api/v1/imports")) json(res, 200, { id: "not-a-uuid", params: { headers: { Authorization: `Token token="${jwt}"` } } }, { "x-token": secrets[4]! });
      else json(res, 200, { echo: req.url, auth: req.headers.authorization ?? req.headers.api_token });
    });
    const gitbook = await proxyFor({ provider: "gitbook", upstream: api.origin });
    const importio = await proxyFor({ provider: "importio", upstream: api.origin });
    const document360 = await proxyFor({ provider: "document360", upstream: api.origin });
    const sharinpix = await proxyFor({ provider: "sharinpix", upstream: api.origin });

    await (await fetch(`${gitbook.url}/org/acme/imports/r1`, { headers: { Authorization: `Bearer ${secrets[0]}` } })).text();
    await (await fetch(`${importio.url}/crawlruns/not-a-uuid?_apikey=${secrets[1]}&_page=0`)).text();
    await (await fetch(`${document360.url}/v2/Project/Import/%20?token=${secrets[2]}`, { headers: { api_token: secrets[2]! } })).text();
    await (
      await fetch(`${sharinpix.url}/imports`, {
        method: "POST",
        headers: { Authorization: `Token token="${jwt}"`, "Content-Type": "application/json" },
        body: JSON.stringify({ url: "https://x.example/a.jpg", headers: { Authorization: `Bearer ${secrets[0]}` } }),
      })
    ).text();

    const reports = [gitbook, importio, document360, sharinpix].map((p) => p.report());
    for (const report of reports) expect(report.departures.length).toBeGreaterThan(0);
    const text = JSON.stringify(reports);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).toContain("[REDACTED]");
  });
});

describe("startValidationProxy refuses bad options with a clear error", () => {
  it("needs a spec and an absolute http(s) upstream", async () => {
    await expect(startValidationProxy({ upstream: "http://127.0.0.1:1" })).rejects.toThrow(/needs a `provider` or a `spec`/);
    await expect(startValidationProxy({ provider: "gitbook", upstream: "api.gitbook.com" })).rejects.toThrow(/upstream must be an absolute http\(s\) URL/);
    await expect(startValidationProxy({ provider: "gitbook", upstream: "ftp://api.gitbook.com" })).rejects.toThrow(/upstream must be an http\(s\) URL/);
    await expect(startValidationProxy({ provider: "confluence" as never, upstream: "https://x.example" })).rejects.toThrow(/Unknown provider "confluence"/);
  });
});
