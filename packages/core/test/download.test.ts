// Downloads: the Download / DownloadPromise primitive over real HTTP, and saveStream's all-or-nothing write.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConnectionError, DownloadPromise, TimeoutError } from "@importkit/core";
import { saveStream } from "@importkit/core/node";
import { startFaultServer, type FaultServer } from "../../../test/fault-server.ts";
import { testClient } from "./test-api.ts";
import { onFakeClock } from "../../../test/fake-clock.ts";

let server: FaultServer;
const dir = mkdtempSync(join(tmpdir(), "importkit-download-"));
beforeAll(async () => {
  server = await startFaultServer();
});
beforeEach(() => {
  server.requests.length = 0;
  server.clearQueue();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const api = (timeout = 60_000) => testClient(fetch, { baseUrl: server.url, timeout, maxRetries: 0 });
/** A streamed GET through a client made now (on the fake clock, it picks up the counted global fetch). */
async function streamed(name: string, timeout = 60_000) {
  const download = await api(timeout).download("getFile", { path: { name } });
  return { body: download.body };
}

describe("streamed downloads", () => {
  it("saves every byte intact and leaves no temporary file", async () => {
    const payload = randomBytes(3 * 1024 * 1024 + 17);
    server.queue({ status: 200, body: payload, headers: { "content-type": "application/zip" } });
    const response = await streamed("file.zip");
    let reported = 0;
    const saved = await saveStream(response.body, join(dir, "file.zip"), { onProgress: (p) => (reported = p.bytes) });
    expect(saved.bytes).toBe(payload.length);
    expect(reported).toBe(payload.length);
    const digest = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
    expect(digest(readFileSync(join(dir, "file.zip")))).toBe(digest(payload));
    expect(readdirSync(dir).filter((f) => f.endsWith(".partial"))).toEqual([]);
  });

  it("a body that stalls halfway ends in TimeoutError, and no file is written", async () => {
    server.queue({ fault: "stall-body", partialBody: "PK\u0003\u0004 half of a zip", headers: { "content-type": "application/zip" } });
    // Time is the subject (a 150 ms idle timeout): on the fake clock, so it cannot fire before the headers arrive.
    const error = await onFakeClock(server, async () => {
      const response = await streamed("stall.zip", 150);
      return saveStream(response.body, join(dir, "stall.zip")).catch((e: unknown) => e);
    });
    expect(error).toBeInstanceOf(TimeoutError);
    expect(readdirSync(dir).filter((f) => f.startsWith("stall") || f.includes("stall"))).toEqual([]);
  });

  it("a connection reset mid-body ends in ConnectionError, and no file is written", async () => {
    server.queue({ fault: "reset-after-headers", partialBody: "x".repeat(1000), headers: { "content-type": "application/zip" } });
    const response = await streamed("reset.zip");
    const error = await saveStream(response.body, join(dir, "reset.zip")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(readdirSync(dir).filter((f) => f.includes("reset"))).toEqual([]);
  });
});

describe("Download and DownloadPromise", () => {
  it("sends nothing until awaited or saved; awaited, it gives the body, its type and length", async () => {
    server.queue({ status: 200, body: "a,b\n1,2\n", headers: { "content-type": "text/csv", "content-length": "8" } });
    const pending = api().download("getFile", { path: { name: "r.csv" } });
    expect(pending).toBeInstanceOf(DownloadPromise);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.requests).toHaveLength(0);
    const download = await pending;
    expect([download.contentType, download.contentLength]).toEqual(["text/csv", 8]);
    expect(download.url).toBe(`${server.url}/files/r.csv`);
    expect(await new Response(download.body).text()).toBe("a,b\n1,2\n");
  });

  it("saveTo on the promise downloads again when the body fails midway, with progress from 0 and the total", async () => {
    server.queue({ fault: "reset-after-headers", headers: { "content-length": "8" }, partialBody: "a,b" }, { status: 200, body: "a,b\n1,2\n", headers: { "content-length": "8" } });
    const progress: Array<[number, number | undefined]> = [];
    const saved = await testClient(fetch, { baseUrl: server.url, maxRetries: 1 })
      .download("getFile", { path: { name: "again.csv" } })
      .saveTo(join(dir, "again.csv"), { onProgress: ({ bytes, total }) => progress.push([bytes, total]) });
    expect(saved.bytes).toBe(8);
    expect(readFileSync(join(dir, "again.csv"), "utf8")).toBe("a,b\n1,2\n");
    expect(server.requests).toHaveLength(2);
    expect(progress.at(-1)).toEqual([8, 8]);
  });

  it("saveTo on an awaited download saves its open body, and downloads again only if it fails midway", async () => {
    server.queue({ status: 200, body: "zip" });
    const download = await api().download("getFile", { path: { name: "once.zip" } });
    await download.saveTo(join(dir, "once.zip"));
    expect(readFileSync(join(dir, "once.zip"), "utf8")).toBe("zip");
    expect(server.requests).toHaveLength(1);
    await expect(download.saveTo(join(dir, "twice.zip"))).rejects.toThrow(/already read/);
  });
});
