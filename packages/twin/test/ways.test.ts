/**
 * One handler, three ways: the same twin behind MSW (a real `setupServer` in Node, intercepting the global fetch) and
 * behind a node:http server on port 0 (real sockets: a reset destroys the socket, a truncated body closes it midway,
 * a slow one stalls it on the twin clock). Every API answer is checked against the spec.
 */
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createTwin } from "@importkit/twin";
import { twinHandlers } from "../src/msw.ts";
import { engineOf } from "../src/registry.ts";
import { startTwin, type TwinServer } from "../src/server.ts";
import { checked, checkedResponses, violations } from "./spec-check.ts";

describe("MSW handlers (setupServer in Node)", () => {
  const gitbook = createTwin({ provider: "gitbook" });
  const importio = createTwin({ provider: "importio" });
  const server = setupServer(...twinHandlers(gitbook, importio));
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterAll(() => server.close());
  afterEach(() => {
    expect(violations(gitbook)).toEqual([]);
    expect(violations(importio)).toEqual([]);
  });

  it("answers the real origins through the global fetch, with state", async () => {
    const f = checked(gitbook, globalThis.fetch);
    const headers = { authorization: `Bearer ${gitbook.credentials.token}`, "content-type": "application/json" };
    const org = `https://api.gitbook.com/v1/org/${gitbook.credentials.organizationId}/imports`;
    const started = await f(org, { method: "POST", headers, body: JSON.stringify({ source: { type: "website", url: "https://docs.example.com/" }, target: { space: gitbook.credentials.spaceId } }) });
    expect(started.status).toBe(201);
    const { id } = await started.json();
    expect((await (await f(`${org}/${id}`, { headers })).json()).status).toBe("in-progress");
    expect((await (await f(org, { headers })).json()).items.map((r: { id: string }) => r.id)).toEqual([id]);
    expect(checkedResponses(gitbook)).toBe(3);

    const csv = await checked(importio, globalThis.fetch)(`https://api.import.io/crawlruns/${importio.seeded.crawlRunId}/csv?_apikey=${importio.credentials.apiKey}`);
    expect((await csv.text()).split("\n")[0]).toBe("url,Name,Price,Description");
  });

  it("turns a reset into a network error and a truncated body into a failing stream", async () => {
    const url = `https://api.import.io/crawlruns/${importio.seeded.crawlRunId}/csv?_apikey=${importio.credentials.apiKey}`;
    importio.failNext("getCrawlrunFile", { reset: true });
    await expect(fetch(url)).rejects.toThrow(TypeError);
    importio.failNext("getCrawlrunFile", { truncate: 5 });
    const cut = await fetch(url);
    expect(cut.status).toBe(200);
    await expect(cut.text()).rejects.toThrow();
    expect((await fetch(url)).status).toBe(200);
  });
});

describe("startTwin (node:http on port 0)", () => {
  let running: TwinServer<"importio">;
  beforeAll(async () => {
    running = await startTwin({ provider: "importio", port: 0, clock: "manual" });
  });
  afterAll(() => running.close());
  afterEach(() => expect(violations(running.twin)).toEqual([]));

  it("serves the API over real HTTP, at the origin and at the twin's base URL", async () => {
    const { url, twin } = running;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(twin.baseUrl).toBe(url);
    const f = checked(twin, globalThis.fetch);
    const key = `_apikey=${twin.credentials.apiKey}`;
    const listed = await f(`${url}/extractors?${key}`);
    expect((await listed.json())[0].guid).toBe(twin.seeded.extractorId);
    const { crawlRunId } = await (await f(`${url}/extractors/${twin.seeded.extractorId}/start?${key}`, { method: "POST" })).json();
    twin.advance(60_000);
    expect((await (await f(`${url}/crawlruns/${crawlRunId}?${key}`)).json()).state).toBe("FINISHED");
    const xlsx = await f(`${url}/crawlruns/${crawlRunId}/xlsx?${key}`);
    expect(new Uint8Array(await xlsx.arrayBuffer()).subarray(0, 2)).toEqual(new Uint8Array([0x50, 0x4b])); // "PK"
    expect(twin.requests.at(-1)!.url).toBe(`${url}/crawlruns/${crawlRunId}/xlsx?${key}`);
  });

  it("resets the socket, cuts a body, and stalls one on the twin clock", async () => {
    const { url, twin } = running;
    const csv = `${url}/crawlruns/${twin.seeded.crawlRunId}/csv?_apikey=${twin.credentials.apiKey}`;
    const whole = await (await fetch(csv)).text();

    twin.failNext("getCrawlrunFile", { reset: true });
    const reset = await fetch(csv).catch((e: unknown) => e);
    expect(reset).toBeInstanceOf(TypeError);

    twin.failNext("getCrawlrunFile", { truncate: 12 });
    const cut = await fetch(csv);
    expect(Number(cut.headers.get("content-length"))).toBe(Buffer.byteLength(whole));
    await expect(cut.text()).rejects.toThrow("terminated");

    twin.failNext("getCrawlrunFile", { slow: 10_000, afterBytes: 3 });
    const slow = await fetch(csv);
    const reader = slow.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(whole.slice(0, 3));
    await vi.waitFor(() => expect(engineOf(twin).env.clock.sleeping).toBe(1));
    const rest = reader.read();
    twin.advance(10_000);
    let text = new TextDecoder().decode((await rest).value);
    for (let next = await reader.read(); !next.done; next = await reader.read()) text += new TextDecoder().decode(next.value);
    expect(text).toBe(whole.slice(3));
  });

  it("names the server in the twin's own URLs (Document360 downloads, SharinPix's secret URL)", async () => {
    const d360 = await startTwin({ provider: "document360" });
    const spx = await startTwin({ provider: "sharinpix" });
    try {
      const headers = { api_token: d360.twin.credentials.apiToken, "content-type": "application/json" };
      const { id } = await (await fetch(`${d360.url}/v2/Project/Export`, { method: "POST", headers, body: JSON.stringify({ entity: "Project" }) })).json();
      let status: { status: string; download_url: string };
      do status = await (await fetch(`${d360.url}/v2/Project/Export/${id}`, { headers })).json();
      while (status.status !== "Completed");
      expect(status.download_url).toBe(`${d360.url}/exports/${id}.zip`);
      expect((await fetch(status.download_url)).headers.get("content-type")).toBe("application/zip");
      expect(spx.twin.credentials.secretUrl).toBe(`sharinpix://${spx.twin.credentials.secretId}:${spx.twin.credentials.secret}@${new URL(spx.url).host}/api/v1`);
      expect(spx.twin.baseUrl).toBe(`${spx.url}/api/v1`);
      // CORS preflight, for pages on another origin.
      const preflight = await fetch(`${spx.url}/api/v1/imports`, { method: "OPTIONS", headers: { origin: "http://localhost:5173", "access-control-request-headers": "authorization" } });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    } finally {
      await Promise.all([d360.close(), spx.close()]);
    }
  });
});
