// Streamed downloads through the retrying fetch, and saveStream's all-or-nothing write.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionError, createRetryingFetch, Redactor, redactingLogger, TimeoutError } from "@importkit/core";
import { saveStream } from "@importkit/core/node";
import { startFaultServer, type FaultServer } from "../../../test/fault-server.ts";
import { onFakeClock } from "../../../test/fake-clock.ts";

let server: FaultServer;
const dir = mkdtempSync(join(tmpdir(), "importkit-download-"));
beforeAll(async () => {
  server = await startFaultServer();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const redactor = new Redactor();
/** A streamed GET through a retrying fetch made now (on the fake clock, it picks up the counted global fetch). */
function streamed(url: string, timeout = 60_000) {
  const retrying = createRetryingFetch({ redactor, logger: redactingLogger(undefined, redactor), timeout, maxRetries: 0 });
  const request = new Request(url);
  Object.assign(request, { importkit: { stream: true } });
  return retrying(request);
}

describe("streamed downloads", () => {
  it("saves every byte intact and leaves no temporary file", async () => {
    const payload = randomBytes(3 * 1024 * 1024 + 17);
    server.queue({ status: 200, body: payload, headers: { "content-type": "application/zip" } });
    const response = await streamed(`${server.url}/file.zip`);
    let reported = 0;
    const saved = await saveStream(response.body!, join(dir, "file.zip"), { onProgress: (p) => (reported = p.bytes) });
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
      const response = await streamed(`${server.url}/stall.zip`, 150);
      return saveStream(response.body!, join(dir, "stall.zip")).catch((e: unknown) => e);
    });
    expect(error).toBeInstanceOf(TimeoutError);
    expect(readdirSync(dir).filter((f) => f.startsWith("stall") || f.includes("stall"))).toEqual([]);
  });

  it("a connection reset mid-body ends in ConnectionError, and no file is written", async () => {
    server.queue({ fault: "reset-after-headers", partialBody: "x".repeat(1000), headers: { "content-type": "application/zip" } });
    const response = await streamed(`${server.url}/reset.zip`);
    const error = await saveStream(response.body!, join(dir, "reset.zip")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(readdirSync(dir).filter((f) => f.includes("reset"))).toEqual([]);
  });
});
