// Bulk imports against a loopback server that behaves like SharinPix and fails a tenth of the requests.
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  createSharinPixClient,
  ValidationError,
  type BulkOptions,
  type ContentDocumentImportParams,
  type CreateImportParams,
  type SharinPixSecretOptions,
} from "@importkit/sharinpix";
import { startFaultServer, type FaultServer } from "../../../test/fault-server.ts";
import { createdExamples } from "./spec-examples.ts";

const secretUrl = "sharinpix://3800be29-b5d3-4064-ad70-df9d3bccb84f:bulk-test-secret@api.sharinpix.com/api/v1";

/** Deterministic randomness, so a failing run can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Behaviour = "ok" | "unavailable" | "reset-before-acting" | "reset-after-acting" | "unauthorized";

/**
 * A SharinPix stand-in: POST /imports creates an import (counted per ContentDocument id, which is how the
 * test checks "exactly once") unless the behaviour says otherwise. A reset is a reset after the request
 * arrived, so the client cannot know whether the import was created: half the resets create it first.
 */
function sharinpixServer(choose: (documentId: string) => Behaviour) {
  const accepted = new Map<string, number>();
  const faults: Record<Behaviour, number> = { ok: 0, unavailable: 0, "reset-before-acting": 0, "reset-after-acting": 0, unauthorized: 0 };
  const posted: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const accept = (documentId: string) => accepted.set(documentId, (accepted.get(documentId) ?? 0) + 1);
  const handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const documentId = new URLSearchParams(body.toString("utf8")).get("content_document_id") ?? "";
    posted.push(documentId);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on("close", () => inFlight--);
    const behaviour = choose(documentId);
    faults[behaviour]++;
    // A little latency, so that concurrency actually builds up.
    setTimeout(() => {
      switch (behaviour) {
        case "unavailable":
          return void res.writeHead(503, { "retry-after": "0" }).end();
        case "unauthorized":
          return void res.writeHead(401, { "x-message": "Access denied", "content-type": "text/html" }).end();
        case "reset-after-acting":
          accept(documentId);
          return void req.socket.destroy();
        case "reset-before-acting":
          return void req.socket.destroy();
        case "ok":
          accept(documentId);
          res.writeHead(200, { "content-type": "application/json" });
          return void res.end(JSON.stringify({ ...createdExamples.contentDocumentImport!.value, id: randomUUID(), params: { content_document_id: documentId } }));
      }
    }, 1);
  };
  return {
    handler,
    accepted,
    faults,
    posted,
    maxInFlight: () => maxInFlight,
    /** What a real `wasImported` would look up (in SharinPix or Salesforce): does this item's import exist? */
    wasImported: async (item: CreateImportParams) => accepted.has((item as ContentDocumentImportParams).content_document_id),
  };
}

/** Fails a tenth of the requests: 5 % with 503, 5 % with a reset (half of them after creating the import). */
function tenthFails(seed: number) {
  const random = mulberry32(seed);
  return (): Behaviour => {
    const roll = random();
    return roll < 0.05 ? "unavailable" : roll < 0.075 ? "reset-before-acting" : roll < 0.1 ? "reset-after-acting" : "ok";
  };
}

const documentId = (i: number) => `0694I${String(i).padStart(13, "0")}`;
const items = (count: number): ContentDocumentImportParams[] =>
  Array.from({ length: count }, (_, i) => ({
    album_id: "5005800000HEXCtAAP",
    import_type: "salesforce",
    content_document_id: documentId(i),
    filename: `Image${i}.jpg`,
    metadatas: { contentDocumentId: documentId(i) },
  }));

let server: FaultServer;
let dir: string;
beforeAll(async () => {
  server = await startFaultServer();
});
afterAll(() => server.close());
beforeEach(async () => {
  server.requests.length = 0;
  dir = await mkdtemp(join(tmpdir(), "sharinpix-bulk-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function client(extra: Partial<SharinPixSecretOptions> = {}) {
  return createSharinPixClient({ secretUrl, baseUrl: server.url, ...extra });
}

function expectExactlyOnce(accepted: Map<string, number>, count: number) {
  const wrong = Array.from({ length: count }, (_, i) => documentId(i)).filter((id) => accepted.get(id) !== 1);
  expect(wrong.map((id) => `${id}×${accepted.get(id) ?? 0}`)).toEqual([]);
  expect(accepted.size).toBe(count);
}

describe("1 000 items, a tenth of the requests failing with 503 or a reset", () => {
  it("imports every item exactly once at bounded concurrency (ambiguous resets settled by wasImported)", async () => {
    const fake = sharinpixServer(tenthFails(1));
    server.fallback = { handler: fake.handler };
    const progress: number[] = [];
    const report = await client().imports.bulk(items(1000), {
      concurrency: 32,
      retryDelay: 1,
      wasImported: fake.wasImported,
      onProgress: (p) => progress.push(p.done),
    });

    expectExactlyOnce(fake.accepted, 1000);
    expect(report.total).toBe(1000);
    expect(report.imported).toHaveLength(1000);
    expect(new Set(report.imported.map((s) => s.index)).size).toBe(1000);
    expect(report.failed).toEqual([]);
    expect(report.uncertain).toEqual([]);
    // The faults really happened, of every kind, and concurrency was used but never exceeded.
    expect(fake.faults.unavailable).toBeGreaterThan(20);
    expect(fake.faults["reset-before-acting"]).toBeGreaterThan(5);
    expect(fake.faults["reset-after-acting"]).toBeGreaterThan(5);
    expect(fake.maxInFlight()).toBeGreaterThan(8);
    expect(fake.maxInFlight()).toBeLessThanOrEqual(32);
    expect(progress).toHaveLength(1000);
    expect(progress.at(-1)).toBe(1000);
    // Confirmed-by-check imports have no id; every other one has the server's.
    expect(report.imported.filter((s) => s.importId === undefined)).toHaveLength(fake.faults["reset-after-acting"]);
  });

  it("without a check, never imports twice and reports what it cannot know", async () => {
    const fake = sharinpixServer(tenthFails(2));
    server.fallback = { handler: fake.handler };
    const report = await client().imports.bulk(items(500), { concurrency: 32, retryDelay: 1 });

    for (const count of fake.accepted.values()) expect(count).toBe(1);
    const resets = fake.faults["reset-before-acting"] + fake.faults["reset-after-acting"];
    expect(resets).toBeGreaterThan(5);
    expect(report.uncertain).toHaveLength(resets);
    expect(report.imported.length + report.uncertain.length).toBe(500);
    expect(report.failed).toEqual([]);
    // Exactly the uncertain ones may be missing: each was reset, before or after SharinPix acted.
    const missing = Array.from({ length: 500 }, (_, i) => documentId(i)).filter((id) => !fake.accepted.has(id));
    expect(missing).toHaveLength(fake.faults["reset-before-acting"]);
    const uncertainIds = new Set(report.uncertain.map((u) => (u.item as ContentDocumentImportParams).content_document_id));
    for (const id of missing) expect(uncertainIds).toContain(id);
  });
});

describe("checkpoints", () => {
  it("a run stopped halfway resumes where it stopped, importing every item exactly once", async () => {
    const fake = sharinpixServer(tenthFails(3));
    server.fallback = { handler: fake.handler };
    const checkpoint = join(dir, "bulk.checkpoint");
    const controller = new AbortController();
    const common: BulkOptions = { concurrency: 32, retryDelay: 1, checkpoint, wasImported: fake.wasImported };

    const first = await client().imports.bulk(items(1000), {
      ...common,
      signal: controller.signal,
      onProgress: (p) => p.done >= 500 && controller.abort(),
    });
    expect(first.aborted).toBe(true);
    expect(first.total).toBeGreaterThanOrEqual(500);
    expect(first.total).toBeLessThan(1000);
    const firstRunImported = new Set(first.imported.map((s) => documentId(s.index)));
    const postedBefore = fake.posted.length;

    const second = await client().imports.bulk(items(1000), common);
    expect(second.aborted).toBe(false);
    expectExactlyOnce(fake.accepted, 1000);
    expect(second.skipped).toBe(firstRunImported.size);
    expect(first.imported.length + second.imported.length).toBe(1000);
    // The second run sent nothing the first had imported.
    for (const id of fake.posted.slice(postedBefore)) expect(firstRunImported.has(id)).toBe(false);

    const third = await client().imports.bulk(items(1000), common);
    expect(third.skipped).toBe(1000);
    expect(third.imported).toEqual([]);
  });

  it("after a crash between sending and recording, the item is uncertain: checked, never blindly resent", async () => {
    const fake = sharinpixServer(() => "ok");
    server.fallback = { handler: fake.handler };
    const checkpoint = join(dir, "bulk.checkpoint");
    await client().imports.bulk(items(300), { concurrency: 16, checkpoint });

    // The crash: the last 20 outcomes never reached the disk, and the process died mid-line.
    const lines = (await readFile(checkpoint, "utf8")).trimEnd().split("\n");
    const lost = lines.filter((l) => l.includes('"imported"')).slice(-20);
    await writeFile(checkpoint, `${lines.filter((l) => !lost.includes(l)).join("\n")}\n{"k":"4f2a","s":"impo`);
    expect(fake.posted).toHaveLength(300);

    const blind = await client().imports.bulk(items(500), { concurrency: 16, checkpoint });
    expect(blind.uncertain).toHaveLength(20);
    expect(blind.skipped).toBe(280);
    expect(blind.imported).toHaveLength(200);
    expectExactlyOnce(fake.accepted, 500);

    const checked = await client().imports.bulk(items(500), { concurrency: 16, checkpoint, wasImported: fake.wasImported });
    expect(checked.uncertain).toEqual([]);
    expect(checked.skipped).toBe(500);
    expect(fake.posted).toHaveLength(500);
  });

  it("refuses a file that is not a bulk checkpoint", async () => {
    const checkpoint = join(dir, "notes.txt");
    await writeFile(checkpoint, "shopping list\n");
    const error = await client().imports.bulk(items(1), { checkpoint }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(await readFile(checkpoint, "utf8")).toBe("shopping list\n");
  });
});

describe("per-item retries, sources and bad input", () => {
  it("retries an item whose requests keep getting 503, then reports it failed and safe to resend", async () => {
    let refusals = 0;
    const fake = sharinpixServer((id) => (id === documentId(3) && refusals++ < 100 ? "unavailable" : "ok"));
    server.fallback = { handler: fake.handler };
    const report = await client({ maxRetries: 0 }).imports.bulk(items(5), { itemRetries: 2, retryDelay: 1 });
    expect(report.imported).toHaveLength(4);
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0]!.index).toBe(3);
    expect(report.failed[0]!.error.message).toContain("503");
    expect(refusals).toBe(3);
  });

  it("reads an async iterable lazily, skips a repeated key and reports a bad row without sending it", async () => {
    const fake = sharinpixServer(() => "ok");
    server.fallback = { handler: fake.handler };
    let pulled = 0;
    async function* csvRows() {
      for (const row of ["0694I0000000000000", "0694I0000000000001", "", "0694I0000000000001", "0694I0000000000002"]) {
        pulled++;
        yield { album_id: "5005800000HEXCtAAP", import_type: "salesforce", content_document_id: row } as CreateImportParams;
      }
    }
    const report = await client().imports.bulk(csvRows(), { concurrency: 2, key: (item) => `doc:${(item as ContentDocumentImportParams).content_document_id}` });
    expect(pulled).toBe(5);
    expect(report.total).toBe(5);
    expect(report.imported.map((s) => s.key).sort()).toEqual(["doc:0694I0000000000000", "doc:0694I0000000000001", "doc:0694I0000000000002"]);
    expect(report.skipped).toBe(1);
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0]!.error).toBeInstanceOf(ValidationError);
    expect(report.failed[0]!.index).toBe(2);
    expect(fake.posted).toHaveLength(3);
  });

  it("a source that breaks ends the run with its error, after what was in flight is recorded", async () => {
    const fake = sharinpixServer(() => "ok");
    server.fallback = { handler: fake.handler };
    const checkpoint = join(dir, "bulk.checkpoint");
    async function* brokenCsv() {
      yield* items(3);
      throw new Error("EIO: the CSV could not be read");
    }
    const error = await client().imports.bulk(brokenCsv(), { concurrency: 2, checkpoint }).catch((e: unknown) => e);
    expect((error as Error).message).toBe("EIO: the CSV could not be read");
    expect(fake.posted).toHaveLength(3);
    const resumed = await client().imports.bulk(items(4), { checkpoint });
    expect(resumed.skipped).toBe(3);
    expect(resumed.imported).toHaveLength(1);
  });

  it("stamps the key into the image's metadata when asked", async () => {
    const fake = sharinpixServer(() => "ok");
    server.fallback = { handler: fake.handler };
    const report = await client().imports.bulk(items(2), { keyMetadata: "importkit_key" });
    const bodies = server.requests.map((r) => new URLSearchParams(r.body));
    expect(bodies.map((b) => b.get("metadatas[importkit_key]")).sort()).toEqual(report.imported.map((s) => s.key).sort());
    expect(bodies[0]!.get("metadatas[contentDocumentId]")).toBeTruthy();
  });

  it("stops at the first AuthenticationError instead of failing every item", async () => {
    const fake = sharinpixServer(() => "unauthorized");
    server.fallback = { handler: fake.handler };
    const report = await client().imports.bulk(items(200), { concurrency: 4 });
    expect(report.stoppedBy).toBeInstanceOf(AuthenticationError);
    expect(report.stoppedBy!.message).toContain("Access denied");
    expect(fake.posted.length).toBeLessThanOrEqual(8);
    expect(report.total).toBeLessThan(200);
  });

  it("refuses bad options before anything is sent", async () => {
    for (const options of [{ concurrency: 0 }, { concurrency: 1.5 }, { itemRetries: -1 }, { keyMetadata: "a[b]" }] as BulkOptions[]) {
      const error = (await client().imports.bulk(items(1), options).catch((e: unknown) => e)) as ValidationError;
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.issues[0]!.path).toMatch(/^options\./);
    }
    expect(await client().imports.bulk(42 as never).catch((e: unknown) => e)).toBeInstanceOf(ValidationError);
    expect(server.requests).toHaveLength(0);
  });
});
