// Export → download → import against the Prism mock, with the export's zip served by a local HTTP server
// (Prism cannot serve binary bodies) and written to disk.
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createDocument360Client, ValidationError, type ExportDocumentationRequest } from "@importkit/document360";
import { contractFetch, mockUrl, type ContractFetch } from "../../../test/contract.ts";
import { onFakeClock } from "../../../test/fake-clock.ts";
import { startFaultServer, type FaultServer } from "../../../test/fault-server.ts";

const apiToken = "d360_roundtrip_SENTINEL_token";
const zip = readFileSync(new URL("./fixtures/export.zip", import.meta.url));
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const completeProject = JSON.parse(readFileSync(new URL("./fixtures/requests/export.complete-project.json", import.meta.url), "utf8")) as ExportDocumentationRequest;

let storage: FaultServer;
const dir = mkdtempSync(join(tmpdir(), "importkit-d360-"));
beforeAll(async () => {
  storage = await startFaultServer();
});
afterAll(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  storage.requests.length = 0;
  storage.fallback = { status: 200, body: zip, headers: { "content-type": "application/zip", "content-length": String(zip.length) } };
});

/**
 * The mock's fetch, scripted: status polls walk through the given examples, and a Completed export's
 * download_url (the vendor's placeholder) is pointed at the local storage server.
 */
function mockWithStorage(base: ContractFetch, script: { import: string[]; export: string[] }, downloadUrl: () => string) {
  const polls = { import: 0, export: 0 };
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const { pathname } = new URL(request.url);
    const kind = request.method !== "GET" ? undefined : pathname.startsWith("/v2/Project/Import/") ? "import" : pathname.startsWith("/v2/Project/Export/") ? "export" : undefined;
    if (!kind) return base.fetch(request);
    const examples = script[kind];
    const headers = new Headers(request.headers);
    headers.set("Prefer", `example=${examples[Math.min(polls[kind]++, examples.length - 1)]}`);
    const response = await base.fetch(new Request(request, { headers }));
    if (kind !== "export" || !response.ok) return response;
    const body = (await response.json()) as { download_url?: string | null };
    if (body.download_url) body.download_url = downloadUrl();
    const rewritten = new Headers(response.headers);
    rewritten.delete("content-length");
    return new Response(JSON.stringify(body), { status: response.status, headers: rewritten });
  };
  return { fetch };
}

describe("export → download → import round trip", () => {
  const base = contractFetch();

  it("downloads the export's zip intact to disk and imports it back", async () => {
    const script = { export: ["initiated", "inProgress", "completed"], import: ["queued", "inProgress", "completed"] };
    const signedUrl = () => `${storage.url}/exp/project-export.zip?sv=2024-01-01&sig=SIGNATURE_SENTINEL`;
    const d360 = createDocument360Client({ apiToken, baseUrl: mockUrl("document360"), fetch: mockWithStorage(base, script, signedUrl).fetch });

    const started = await d360.exports.start(completeProject);
    const finished = await d360.exports.waitFor(started.id, { interval: 5 });
    expect(finished.status).toBe("Completed");

    const download = await d360.exports.download(finished);
    expect(download.contentType).toBe("application/zip");
    expect(download.contentLength).toBe(zip.length);
    expect(download.url).not.toContain("SIGNATURE_SENTINEL");
    const path = join(dir, "nested", "project-export.zip");
    const progress: number[] = [];
    const saved = await download.saveTo(path, { onProgress: (p) => progress.push(p.bytes) });
    expect(saved).toEqual({ path, bytes: zip.length });
    expect(progress.at(-1)).toBe(zip.length);
    const written = readFileSync(path);
    expect(sha256(written)).toBe(sha256(zip));
    expect(written.subarray(0, 4)).toEqual(Buffer.from("PK\u0003\u0004", "latin1"));
    expect(readdirSync(join(dir, "nested")).filter((f) => f.endsWith(".partial"))).toEqual([]);

    // The storage host got exactly one request, without the api_token.
    expect(storage.requests).toHaveLength(1);
    expect(storage.requests[0]!.url).toBe("/exp/project-export.zip?sv=2024-01-01&sig=SIGNATURE_SENTINEL");
    expect(storage.requests[0]!.headers.api_token).toBeUndefined();
    expect(JSON.stringify(storage.requests[0]!.headers)).not.toContain(apiToken);
    expect(storage.requests[0]!.headers["user-agent"]).toContain("@importkit/document360/");

    const imported = await d360.imports.start({ source_documentation_url: `${storage.url}/exp/project-export.zip`, import_by: "5a619a315481302d50b736d8", publish_article: false });
    const done = await d360.imports.waitFor(imported.id, { interval: 5 });
    expect(done.status).toBe("Completed");
    expect(done.import_documentation_log?.articles).toBeGreaterThan(0);
  });

  it("downloads by export id: fetches the status, then streams the zip", async () => {
    const d360 = createDocument360Client({
      apiToken,
      baseUrl: mockUrl("document360"),
      fetch: mockWithStorage(base, { export: ["completed"], import: [] }, () => `${storage.url}/by-id.zip`).fetch,
    });
    const download = await d360.exports.download("69c2a0ee-bbac-4563-921c-08efef575b64");
    const bytes = new Uint8Array(await new Response(download.body).arrayBuffer());
    expect(sha256(bytes)).toBe(sha256(zip));
    // Read once: saving the same download again is refused clearly.
    await expect(download.saveTo(join(dir, "again.zip"))).rejects.toThrow(/already read/);
    expect(storage.requests.map((r) => r.url)).toEqual(["/by-id.zip"]);
    expect(storage.requests[0]!.headers.api_token).toBeUndefined();
  });
});

describe("exports.download(...).saveTo", () => {
  const exportId = "69c2a0ee-bbac-4563-921c-08efef575b64";
  const completed = (downloadUrl: string) => ({
    status: 200,
    json: { status: "Completed", download_url: downloadUrl, extension_data: null, success: true, errors: [], warnings: [], information: [] },
  });

  it("fetches the status, then saves the zip over node:http (not fetch) without the api_token", async () => {
    const api = await startFaultServer();
    const fetched: string[] = [];
    const globalFetch = globalThis.fetch;
    vi.stubGlobal("fetch", (input: string, init?: RequestInit) => (fetched.push(new URL(input).pathname), globalFetch(input, init)));
    try {
      api.route(`GET /v2/Project/Export/${exportId}`, completed(`${storage.url}/exp/saved.zip?sig=SIGNATURE_SENTINEL`));
      const d360 = createDocument360Client({ apiToken, baseUrl: api.url });
      const path = join(dir, "saved", "project-export.zip");
      const progress: number[] = [];
      const saved = await d360.exports.download(exportId).saveTo(path, { onProgress: (p) => progress.push(p.bytes) });
      expect(saved).toEqual({ path, bytes: zip.length });
      expect(sha256(readFileSync(path))).toBe(sha256(zip));
      expect(progress.at(-1)).toBe(zip.length);
      // The API call went through fetch; the zip did not.
      expect(fetched).toEqual([`/v2/Project/Export/${exportId}`]);
      expect(storage.requests.map((r) => r.url)).toEqual(["/exp/saved.zip?sig=SIGNATURE_SENTINEL"]);
      expect(JSON.stringify(storage.requests[0]!.headers)).not.toContain(apiToken);
      expect(storage.requests[0]!.headers["user-agent"]).toContain("@importkit/document360/");
    } finally {
      vi.unstubAllGlobals();
      await api.close();
    }
  });

  it("downloads the zip again when it stalls midway, without asking for the status again", async () => {
    const api = await startFaultServer();
    try {
      api.route(`GET /v2/Project/Export/${exportId}`, completed(`${storage.url}/exp/flaky.zip`));
      storage.queue({ fault: "stall-body", partialBody: "PK\u0003\u0004 the first half", headers: { "content-type": "application/zip" } });
      // The 150 ms idle timeout on the fake clock: the stall times out, the good download cannot.
      const both = { get requests() { return [...api.requests, ...storage.requests]; } };
      const saved = await onFakeClock(both, () => createDocument360Client({ apiToken, baseUrl: api.url, timeout: 150 }).exports.download(exportId).saveTo(join(dir, "flaky.zip")));
      expect(sha256(readFileSync(saved.path))).toBe(sha256(zip));
      expect(storage.requests.map((r) => r.url)).toEqual(["/exp/flaky.zip", "/exp/flaky.zip"]);
      expect(api.requests).toHaveLength(1);
      expect(readdirSync(dir).filter((f) => f.includes("flaky") && f.endsWith(".partial"))).toEqual([]);
    } finally {
      await api.close();
    }
  });

  it("takes a status already at hand, and refuses an empty path before any request", async () => {
    const d360 = createDocument360Client({ apiToken, baseUrl: "http://127.0.0.1:9" });
    const finished = { status: "Completed", download_url: `${storage.url}/exp/at-hand.zip`, success: true };
    const saved = await d360.exports.download(finished).saveTo(join(dir, "at-hand.zip"));
    expect(saved.bytes).toBe(zip.length);
    const error = await d360.exports.download(finished).saveTo(" ").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]!.path).toBe("path");
    expect(storage.requests.map((r) => r.url)).toEqual(["/exp/at-hand.zip"]);
  });
});
