// Bulk imports against a loopback server that behaves like SharinPix and fails a tenth of the requests.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { appendFile, mkdtemp, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CheckpointDamagedError, CheckpointLockedError } from "@importkit/core/internal";
import {
  AuthenticationError,
  createSharinPixClient,
  ValidationError,
  type BulkOptions,
  type ContentDocumentImportParams,
  type StartImportParams,
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
    wasImported: async (item: StartImportParams) => accepted.has((item as ContentDocumentImportParams).content_document_id),
  };
}

/**
 * Fails a tenth of the requests: 5 % with 503, 5 % with a reset (half of them after creating the import). Which
 * item draws which fault depends on the order requests arrive in, so the runs below give each item a retry budget
 * (FAULTY_ITEM_RETRIES) that these faults cannot exhaust. A send needs another ~7.5 % of the time (a 503, or a reset
 * before acting that the check then disproves): 9 in a row is ~10^-10 per item. With the default 3 retries, 4 in a
 * row (~3 × 10^-5 per item) would fail one of 1 000 items in about 3 % of runs: an item has one budget in all,
 * 1 + itemRetries sends, no longer multiplied by the client's own retries.
 */
const FAULTY_ITEM_RETRIES = 8;

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
      itemRetries: FAULTY_ITEM_RETRIES,
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
    const report = await client().imports.bulk(items(500), { concurrency: 32, retryDelay: 1, itemRetries: FAULTY_ITEM_RETRIES });

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
    const common: BulkOptions = { concurrency: 32, retryDelay: 1, itemRetries: FAULTY_ITEM_RETRIES, checkpoint, wasImported: fake.wasImported };

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
        yield { album_id: "5005800000HEXCtAAP", import_type: "salesforce", content_document_id: row } as StartImportParams;
      }
    }
    // SharinPix documents no rule (every one its spec has is inferred), so a bad row is refused unsent in strict mode;
    // in the default mode it would be warned about and sent.
    const report = await client({ validate: "strict" }).imports.bulk(csvRows(), {
      concurrency: 2,
      key: (item) => `doc:${(item as ContentDocumentImportParams).content_document_id}`,
    });
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

// ─── Issue 12 §7: one run per checkpoint, damage detected, proof of import, one retry budget ────────────────────

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..", "..");

/** A bulk import in a child process (test/bulk-run.ts) against the fault server; `done` is its printed result. */
function childRun(checkpoint: string, count: number, concurrency: number) {
  const child = spawn(process.execPath, ["--conditions=importkit-source", "--import", "tsx", join(here, "bulk-run.ts")], {
    cwd: repoRoot,
    env: { ...process.env, BULK_RUN: JSON.stringify({ baseUrl: server.url, checkpoint, count, concurrency }) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; result: Record<string, any> | undefined; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, result: out.trim() ? JSON.parse(out.trim().split("\n").at(-1)!) : undefined, stderr: err })),
  );
  return { child, done };
}

/**
 * A SharinPix stand-in that creates every import it is sent but holds its answers until `release()`; `arrived(n)`
 * resolves once n requests have come in (the server tells the test, no clock involved).
 */
function holdingServer() {
  const fake = sharinpixServer(() => "ok");
  const held: Array<() => void> = [];
  let releasing = false;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  server.fallback = {
    handler: (req, res, body) => {
      const documentId = new URLSearchParams(body.toString("utf8")).get("content_document_id") ?? "";
      fake.accepted.set(documentId, (fake.accepted.get(documentId) ?? 0) + 1);
      fake.posted.push(documentId);
      const answer = () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ ...createdExamples.contentDocumentImport!.value, id: randomUUID(), params: { content_document_id: documentId } }));
      };
      if (releasing) answer();
      else held.push(answer);
      for (const w of waiters.filter((w) => fake.posted.length >= w.n)) w.resolve();
    },
  };
  return {
    fake,
    arrived: (n: number) => new Promise<void>((resolve) => (fake.posted.length >= n ? resolve() : waiters.push({ n, resolve }))),
    release: () => {
      releasing = true;
      for (const answer of held.splice(0)) answer();
    },
  };
}

describe("one checkpoint, one run at a time (real processes)", () => {
  it("a second process on the same checkpoint gets CheckpointLockedError and sends nothing; the first finishes", async () => {
    const hold = holdingServer();
    const checkpoint = join(dir, "bulk.checkpoint");
    const first = childRun(checkpoint, 20, 4);
    await hold.arrived(4);
    expect(existsSync(`${checkpoint}.lock`)).toBe(true);

    const second = await childRun(checkpoint, 20, 4).done;
    expect(second.result?.error?.name, second.stderr).toBe("CheckpointLockedError");
    expect(second.result?.error?.message).toMatch(/is in use by process \d+ on this host.*nothing was sent/);
    expect(hold.fake.posted).toHaveLength(4);

    hold.release();
    const finished = await first.done;
    expect(finished.result, finished.stderr).toEqual({ imported: 20, skipped: 0, failed: 0, uncertain: 0 });
    expectExactlyOnce(hold.fake.accepted, 20);
    expect(existsSync(`${checkpoint}.lock`)).toBe(false);
  });

  it("in one process too: a run while another holds the file is refused before any request", async () => {
    const hold = holdingServer();
    const checkpoint = join(dir, "bulk.checkpoint");
    const first = client().imports.bulk(items(6), { checkpoint, concurrency: 2 });
    await hold.arrived(2);
    const error = await client().imports.bulk(items(6), { checkpoint }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointLockedError);
    expect((error as CheckpointLockedError).holder?.pid).toBe(process.pid);
    expect(hold.fake.posted).toHaveLength(2);
    hold.release();
    expect((await first).imported).toHaveLength(6);
  });

  it("a killed run's lock is taken over by the next run: what it had in flight is uncertain, never resent blindly", async () => {
    const hold = holdingServer();
    const checkpoint = join(dir, "bulk.checkpoint");
    const killed = childRun(checkpoint, 20, 4);
    await hold.arrived(4);
    killed.child.kill("SIGKILL");
    expect((await killed.done).signal).toBe("SIGKILL");
    expect(existsSync(`${checkpoint}.lock`)).toBe(true);
    // As if it was killed in the middle of a write, too.
    await appendFile(checkpoint, '{"k":"4f2a","s":"impo');
    hold.release();

    const blind = await client().imports.bulk(items(20), { checkpoint, concurrency: 4 });
    expect(blind.uncertain).toHaveLength(4);
    expect(blind.imported).toHaveLength(16);
    expectExactlyOnce(hold.fake.accepted, 20);
    expect(await readFile(checkpoint, "utf8")).toContain('{"recovered":"killed"');

    const checked = await client().imports.bulk(items(20), { checkpoint, wasImported: hold.fake.wasImported });
    expect(checked.uncertain).toEqual([]);
    expect(checked.skipped).toBe(20);
    expect(hold.fake.posted).toHaveLength(20);
    expect(existsSync(`${checkpoint}.lock`)).toBe(false);
  });
});

describe("damage is detected and stops the run before anything is sent", () => {
  async function completedRun(count: number) {
    const fake = sharinpixServer(() => "ok");
    server.fallback = { handler: fake.handler };
    const checkpoint = join(dir, "bulk.checkpoint");
    await client().imports.bulk(items(count), { checkpoint, concurrency: 16 });
    expect(fake.posted).toHaveLength(count);
    return { fake, checkpoint, text: await readFile(checkpoint, "utf8") };
  }

  async function refused(checkpoint: string, fake: ReturnType<typeof sharinpixServer>, reason: CheckpointDamagedError["reason"]) {
    const before = await readFile(checkpoint, "utf8");
    const posted = fake.posted.length;
    const error = (await client().imports.bulk(items(300), { checkpoint, wasImported: fake.wasImported }).catch((e: unknown) => e)) as CheckpointDamagedError;
    expect(error).toBeInstanceOf(CheckpointDamagedError);
    expect(error.reason).toBe(reason);
    expect(error.message).toMatch(/is damaged: .*Nothing was sent.*To recover, restore the file from a copy; or run again with recoverCheckpoint: true and a wasImported check/);
    expect(fake.posted).toHaveLength(posted);
    expect(await readFile(checkpoint, "utf8")).toBe(before);
    expect(existsSync(`${checkpoint}.lock`)).toBe(false);
    return error;
  }

  it("a checkpoint truncated mid-line (the issue's 140 of 300 re-imported): CheckpointDamagedError, nothing re-imported", async () => {
    const { fake, checkpoint, text } = await completedRun(300);
    let cut = Math.floor(text.length * 0.55);
    if (text[cut - 1] === "\n") cut++;
    await truncate(checkpoint, Buffer.byteLength(text.slice(0, cut)));
    await refused(checkpoint, fake, "truncated");
  });

  it("truncated at a line boundary: the closing record is missing, so it is caught too", async () => {
    const { fake, checkpoint, text } = await completedRun(50);
    const lines = text.split("\n");
    await writeFile(checkpoint, `${lines.slice(0, 30).join("\n")}\n`);
    const error = await refused(checkpoint, fake, "truncated");
    expect(error.line).toBe(30);
  });

  it("an altered record, or a line removed from the middle: the checksum chain names the line", async () => {
    const { fake, checkpoint, text } = await completedRun(50);
    const lines = text.split("\n");
    const at = lines.findIndex((l, i) => i > 10 && l.includes('"s":"imported"'));
    await writeFile(checkpoint, lines.map((l, i) => (i === at ? l.replace('"s":"imported"', '"s":"failed"') : l)).join("\n"));
    expect((await refused(checkpoint, fake, "altered")).line).toBe(at + 1);

    await writeFile(checkpoint, lines.filter((_, i) => i !== 20).join("\n"));
    expect((await refused(checkpoint, fake, "altered")).line).toBe(21);
  });

  it("recovery, when asked for: the damaged file is kept, and every item without a record is checked, never sent blindly", async () => {
    const { fake, checkpoint, text } = await completedRun(300);
    await truncate(checkpoint, Math.floor(text.length * 0.55));
    const noCheck = await client().imports.bulk(items(300), { checkpoint, recoverCheckpoint: true }).catch((e: unknown) => e);
    expect(noCheck).toBeInstanceOf(ValidationError);

    const recovered = await client().imports.bulk(items(300), { checkpoint, recoverCheckpoint: true, wasImported: fake.wasImported });
    expect(recovered.skipped).toBe(300);
    expect(recovered.imported).toEqual([]);
    expect(fake.posted).toHaveLength(300);
    expect(readdirSync(dir).filter((f) => f.startsWith("bulk.checkpoint.damaged-"))).toHaveLength(1);
    // The recovered file is whole again, and keeps asking for checks of unknown items.
    const again = await client().imports.bulk(items(301), { checkpoint, wasImported: fake.wasImported });
    expect(again.skipped).toBe(300);
    expect(again.imported).toHaveLength(1);
    expectExactlyOnce(fake.accepted, 301);
  });
});

describe("an item is recorded imported only when the answer proves it", () => {
  it("a proxy's `200 text/html` sign-in page: uncertain, never imported, and not resent blindly by the next run", async () => {
    server.fallback = { status: 200, headers: { "content-type": "text/html" }, body: "<html><body><form action=/login>Sign in</form></body></html>" };
    const checkpoint = join(dir, "bulk.checkpoint");
    const report = await client().imports.bulk(items(20), { checkpoint, concurrency: 4 });
    expect(report.imported).toEqual([]);
    expect(report.uncertain).toHaveLength(20);
    expect(await readFile(checkpoint, "utf8")).not.toContain('"s":"imported"');
    expect(server.requests).toHaveLength(20);

    // Against the real API: not skipped (the first run proved nothing), not resent without a check; with one, sent.
    const fake = sharinpixServer(() => "ok");
    server.fallback = { handler: fake.handler };
    const blind = await client().imports.bulk(items(20), { checkpoint });
    expect(blind.uncertain).toHaveLength(20);
    expect(fake.posted).toHaveLength(0);
    const checked = await client().imports.bulk(items(20), { checkpoint, wasImported: fake.wasImported });
    expect(checked.imported).toHaveLength(20);
    expectExactlyOnce(fake.accepted, 20);
  });

  it("a 2xx JSON answer without an id is no proof either", async () => {
    for (const json of [{}, { id: "" }, { id: 42 }, [], "created"]) {
      server.requests.length = 0;
      server.fallback = { status: 201, json };
      const report = await client().imports.bulk(items(2), {});
      expect(report.imported, JSON.stringify(json)).toEqual([]);
      expect(report.uncertain.length + report.failed.length).toBe(2);
    }
  });
});

describe("one retry budget per item", () => {
  it("client retries × item retries do not multiply: 1 + itemRetries sends, whatever the client's maxRetries", async () => {
    const fake = sharinpixServer(() => "unavailable");
    server.fallback = { handler: fake.handler };
    const report = await client({ maxRetries: 5 }).imports.bulk(items(3), { itemRetries: 2, retryDelay: 1, concurrency: 3 });
    expect(report.failed).toHaveLength(3);
    for (let i = 0; i < 3; i++) expect(fake.posted.filter((id) => id === documentId(i))).toHaveLength(3);
    expect(fake.posted).toHaveLength(9);
  });

  it("maxRetries is not a bulk option: a ValidationError points to itemRetries", async () => {
    const error = (await client().imports.bulk(items(1), { maxRetries: 3 } as never).catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues[0]!.path).toBe("options.maxRetries");
    expect(error.message).toContain("itemRetries");
    expect(server.requests).toHaveLength(0);
  });
});

