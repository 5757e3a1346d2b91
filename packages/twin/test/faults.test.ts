/**
 * Injected faults through `twin.fetch`, each surfacing the way a real network failure does through fetch: a status
 * (429 with Retry-After and the documented headers, 503) in the provider's envelope; a reset as a rejected fetch
 * (before the operation ran, or after); a truncated body as a stream that errors; a slow body that stalls on the twin
 * clock until the test advances it (no sleeping) or aborts.
 */
import { describe, expect, it, vi } from "vitest";
import { createTwin } from "@importkit/twin";
import { engineOf } from "../src/registry.ts";

const GITBOOK = "https://api.gitbook.com/v1";

function gitbook(options: Parameters<typeof createTwin<"gitbook">>[0] = { provider: "gitbook" }) {
  const twin = createTwin(options);
  const headers = { authorization: `Bearer ${twin.credentials.token}`, "content-type": "application/json" };
  const org = `${GITBOOK}/org/${twin.credentials.organizationId}`;
  const start = () =>
    twin.fetch(`${org}/imports`, { method: "POST", headers, body: JSON.stringify({ source: { type: "website", url: "https://docs.example.com/" }, target: { space: twin.credentials.spaceId } }) });
  return { twin, start, list: () => twin.fetch(`${org}/imports`, { headers }), get: (id: string) => twin.fetch(`${org}/imports/${id}`, { headers }) };
}

async function importioCsv() {
  const twin = createTwin({ provider: "importio", clock: "manual" });
  const url = `https://api.import.io/crawlruns/${twin.seeded.crawlRunId}/csv?_apikey=${twin.credentials.apiKey}`;
  const whole = await (await twin.fetch(url)).text();
  return { twin, url, whole };
}

describe("failNext", () => {
  it("answers 429 with Retry-After (and GitBook's rate-limit headers) the next N times, then the real answer", async () => {
    const { twin, start, get } = gitbook();
    const run = await (await start()).json();
    twin.failNext("getImportRun", { status: 429, retryAfter: 1 }, 2);
    for (let i = 0; i < 2; i++) {
      const refused = await get(run.id);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");
      expect(Number(refused.headers.get("x-ratelimit-reset"))).toBe(Math.ceil((twin.now() + 1000) / 1000));
      expect((await refused.json()).error).toEqual({ code: 429, message: "API rate limit exceeded. Please try again in 60 seconds" });
    }
    expect((await get(run.id)).status).toBe(200);
    expect(twin.requests.map((r) => r.fault ?? "-")).toEqual(["-", "status", "status", "-"]);
    // A status fault does not act: the run moved one step only (the one good poll).
    expect((await (await get(run.id)).json()).pages).toHaveLength(2);
  });

  it("answers a 503 in the provider's envelope, even where the spec does not declare one", async () => {
    const twin = createTwin({ provider: "importio" });
    twin.failNext("listExtractors", { status: 503, message: "Maintenance" });
    const refused = await twin.fetch(`https://api.import.io/extractors?_apikey=${twin.credentials.apiKey}`);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ code: 503, message: "Maintenance" });
  });

  it("resets the connection as a rejected fetch; with after: true the operation has acted", async () => {
    const { twin, start, list } = gitbook();
    twin.failNext("startImportRun", { reset: true });
    const error = await start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe("fetch failed");
    expect(((error as TypeError).cause as { code: string }).code).toBe("ECONNRESET");
    expect((await (await list()).json()).count).toBe(0);

    twin.failNext("startImportRun", { reset: true, after: true });
    await expect(start()).rejects.toThrow("fetch failed");
    expect((await (await list()).json()).count).toBe(1);
    expect(twin.requests.filter((r) => r.fault === "reset").map((r) => r.status)).toEqual([undefined, undefined]);
  });

  it("truncates a body: the real status and Content-Length, then the stream errors after N bytes", async () => {
    const { twin, url, whole } = await importioCsv();
    twin.failNext("getCrawlrunFile", { truncate: 10 });
    const response = await twin.fetch(url);
    expect(response.status).toBe(200);
    expect(Number(response.headers.get("content-length"))).toBe(new TextEncoder().encode(whole).length);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe(whole.slice(0, 10));
    await expect(reader.read()).rejects.toThrow("terminated");
    // The next call is whole again.
    expect(await (await twin.fetch(url)).text()).toBe(whole);
  });

  it("stalls a body on the twin clock until the test advances it", async () => {
    const { twin, url, whole } = await importioCsv();
    twin.failNext("getCrawlrunFile", { slow: 30_000, afterBytes: 4 });
    const response = await twin.fetch(url);
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(whole.slice(0, 4));
    const rest = reader.read();
    const clock = engineOf(twin).env.clock;
    await vi.waitFor(() => expect(clock.sleeping).toBe(1));
    twin.advance(29_999);
    expect(clock.sleeping).toBe(1);
    twin.advance(1);
    expect(new TextDecoder().decode((await rest).value)).toBe(whole.slice(4));
    expect((await reader.read()).done).toBe(true);
  });

  it("errors a stalled body when the request is aborted", async () => {
    const { twin, url } = await importioCsv();
    twin.failNext("getCrawlrunFile", { slow: 30_000, afterBytes: 1 });
    const controller = new AbortController();
    const response = await twin.fetch(url, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    const rest = reader.read();
    await vi.waitFor(() => expect(engineOf(twin).env.clock.sleeping).toBe(1));
    controller.abort();
    await expect(rest).rejects.toThrow(/abort/i);
    expect(engineOf(twin).env.clock.sleeping).toBe(0);
    // An already aborted signal never reaches the twin.
    await expect(twin.fetch(url, { signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
  });

  it("works on the twin's own routes (a Document360 download)", async () => {
    const twin = createTwin({ provider: "document360" });
    const headers = { api_token: twin.credentials.apiToken, "content-type": "application/json" };
    const { id } = await (await twin.fetch("https://apihub.document360.io/v2/Project/Export", { method: "POST", headers, body: JSON.stringify({ entity: "Project" }) })).json();
    let status: { download_url: string | null; status: string };
    do status = await (await twin.fetch(`https://apihub.document360.io/v2/Project/Export/${id}`, { headers })).json();
    while (status.status !== "Completed");
    twin.failNext("downloadExport", { status: 503 });
    expect((await twin.fetch(status.download_url!)).status).toBe(503);
    twin.failNext("downloadExport", { reset: true });
    await expect(twin.fetch(status.download_url!)).rejects.toThrow("fetch failed");
    expect((await twin.fetch(status.download_url!)).status).toBe(200);
  });

  it("refuses an unknown operation or a malformed fault, naming what is wrong", () => {
    const { twin } = gitbook();
    expect(() => twin.failNext("getImport", { status: 503 })).toThrow(/"getImport" is not an operation of this twin. Known: .*listImportRuns/);
    expect(() => twin.failNext("getImportRun", { status: 200 })).toThrow(/status must be an error status/);
    expect(() => twin.failNext("getImportRun", { truncate: -1 })).toThrow(/truncate must be a byte count/);
    expect(() => twin.failNext("getImportRun", {} as never)).toThrow(/a fault is one of/);
    expect(() => twin.failNext("getImportRun", { status: 503 }, 0)).toThrow(/times must be a whole number/);
  });
});
