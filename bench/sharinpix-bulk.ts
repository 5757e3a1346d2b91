/**
 * SharinPix bulk import throughput on loopback: `imports.bulk` (10 000 items, concurrency 32, with a checkpoint
 * file) against plain `fetch` sending the same form bodies at the same concurrency, to the same server.
 *
 *   node --import tsx bench/sharinpix-bulk.ts [items] [rounds] [--source] [--no-memory]   (or `pnpm bench sharinpix-bulk`)
 *
 * The server runs in a child process so it does not share the client's event loop. Rounds alternate between
 * the two sides (AB, BA, …) and the median of each is compared, which evens out a noisy machine. Prints the
 * ratio (goal: at least 0.95), the ratio within each round (its two sides ran seconds apart, under the same
 * load), the client's CPU time per request (what the client itself costs: much steadier than rates on a busy
 * machine) and the client's peak RSS.
 *
 * Memory in the item count (unless `--no-memory`): `imports.bulk` again, alone in a fresh process, over 10 000 and
 * then 100 000 items read from a generator (the items are never all in memory), printing each process's peak RSS
 * and the heap still in use once the run is over and collected. What grows with the items is what the report lists
 * (an entry per imported item) and the key of every item seen (an item is never sent twice in a run): that is
 * printed per item. Goal: peak RSS at 100 000 items within 1.25 × the peak at 10 000.
 *
 * The client is measured as users run it: the built package (scripts/built.ts: the one build, then `dist/`), not
 * through tsx, whose transform adds a `__name(…)` call to every closure created per request. `--source` measures
 * the TypeScript sources through tsx instead, for comparison (with `--conditions=importkit-source`, so that core
 * comes from its sources too).
 */
import { fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildPackages, distUrl } from "../scripts/built.ts";
import type { ContentDocumentImportParams } from "../packages/sharinpix/src/index.ts";

const CONCURRENCY = 32;

const RATE_GOAL = 0.95;
const MEMORY_GOAL = 1.25;

if (process.argv.includes("--memory-run")) {
  await memoryRun(Number(process.argv[process.argv.indexOf("--memory-run") + 1]), Number(process.argv[process.argv.indexOf("--port") + 1]));
} else if (process.argv.includes("--server")) {
  // An import as SharinPix answers it (~450 bytes), with a fresh id per request.
  const template = {
    organization_id: "2cb9eb0f-038c-4fa9-a4e8-aba57b177a83",
    image_id: null,
    import_type: "salesforce",
    album_id: "5005800000HEXCtAAP",
    created_at: "2019-04-08T19:38:58.041+02:00",
    updated_at: "2019-04-08T19:38:58.041+02:00",
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
      res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify({ id: randomUUID(), ...template, params: { ...params, controller: "api/v1/imports", action: "create" } }));
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => process.send!((server.address() as AddressInfo).port));
  process.on("disconnect", () => process.exit(0));
} else {
  await main();
}

async function main() {
  const [count = 10_000, rounds = 5] = process.argv.slice(2).filter((a) => !a.startsWith("--")).map(Number);
  const fromSource = process.argv.includes("--source");
  if (!fromSource) buildPackages(["sharinpix"]);
  const { createSharinPixClient } = (await import(fromSource ? "../packages/sharinpix/src/index.ts" : distUrl("sharinpix"))) as typeof import("../packages/sharinpix/src/index.ts");
  const child = fork(new URL(import.meta.url).pathname, ["--server"], { execArgv: process.execArgv });
  const port = await new Promise<number>((resolve) => child.once("message", (m) => resolve(m as number)));
  const baseUrl = `http://127.0.0.1:${port}/api/v1`;
  const dir = await mkdtemp(join(tmpdir(), "sharinpix-bench-"));

  const items: ContentDocumentImportParams[] = Array.from({ length: count }, (_, i) => {
    const id = `0694I${String(i).padStart(13, "0")}`;
    return { album_id: "5005800000HEXCtAAP", import_type: "salesforce", content_document_id: id, filename: `Image${i}.jpg`, metadatas: { contentDocumentId: id } };
  });
  // The same body the client sends (Rails nested parameters), prepared ahead: plain fetch pays nothing for it.
  const bodies = items.map(
    (it) => `album_id=${it.album_id}&import_type=salesforce&content_document_id=${it.content_document_id}&filename=${it.filename}&metadatas[contentDocumentId]=${it.content_document_id}`,
  );

  const startRss = process.memoryUsage.rss();
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);

  /** Requests per second, and the client's CPU time per request in µs (user + system, all its threads). */
  interface Rate {
    rate: number;
    cpuUs: number;
  }
  async function measure(n: number, run: (n: number) => Promise<void>): Promise<Rate> {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await run(n);
    const used = process.cpuUsage(cpu);
    return { rate: (n / (performance.now() - started)) * 1000, cpuUs: (used.user + used.system) / n };
  }

  async function plainFetch(n: number): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < n) {
          const i = next++;
          const response = await fetch(`${baseUrl}/imports`, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded", authorization: 'Token token="bench"' },
            body: bodies[i],
          });
          if (!response.ok) throw new Error(`fetch: ${response.status}`);
          await response.json();
        }
      }),
    );
  }

  let run = 0;
  async function bulk(n: number): Promise<void> {
    const sharinpix = createSharinPixClient({ secretUrl: `sharinpix://bench-id:bench-secret@127.0.0.1:${port}/api/v1`, baseUrl });
    const report = await sharinpix.imports.bulk(items.slice(0, n), { concurrency: CONCURRENCY, checkpoint: join(dir, `run-${run++}.checkpoint`) });
    if (report.imported.length !== n) throw new Error(`bulk imported ${report.imported.length} of ${n}`);
  }

  // Warm-up: JIT, connections, the token.
  await plainFetch(1_000);
  await bulk(1_000);

  const fetchRuns: Rate[] = [];
  const bulkRuns: Rate[] = [];
  let bulkPeakRss = 0;
  const runBulk = async () => {
    peakRss = process.memoryUsage.rss();
    bulkRuns.push(await measure(count, bulk));
    bulkPeakRss = Math.max(bulkPeakRss, peakRss);
  };
  for (let round = 0; round < rounds; round++) {
    // AB, BA, …: neither side always runs right after the other.
    if (round % 2 === 0) {
      fetchRuns.push(await measure(count, plainFetch));
      await runBulk();
    } else {
      await runBulk();
      fetchRuns.push(await measure(count, plainFetch));
    }
  }
  clearInterval(sampler);
  const memory: MemoryResult[] = [];
  if (!process.argv.includes("--no-memory")) {
    for (const n of [10_000, 100_000]) memory.push(await memoryChild(n, port, fromSource));
  }
  child.disconnect();
  await rm(dir, { recursive: true, force: true });
  const fetchRates = fetchRuns.map((r) => r.rate);
  const bulkRates = bulkRuns.map((r) => r.rate);

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const round = (x: number) => Math.round(x);
  console.log(
    `SharinPix bulk import, ${count} items, concurrency ${CONCURRENCY}, loopback, ${rounds} alternating rounds, ` +
      `client ${fromSource ? "TypeScript sources through tsx" : "compiled to JavaScript"}, node ${process.version}`,
  );
  console.log(`  plain fetch      ${fetchRates.map(round).join(" / ")} req/s (median ${round(median(fetchRates))})`);
  console.log(`  imports.bulk     ${bulkRates.map(round).join(" / ")} items/s (median ${round(median(bulkRates))}), checkpoint file on`);
  const ratio = median(bulkRates) / median(fetchRates);
  console.log(`  ratio            ${ratio.toFixed(2)} (goal ≥ ${RATE_GOAL}: ${ratio >= RATE_GOAL ? "met" : "NOT met"})`);
  const paired = bulkRates.map((rate, i) => rate / fetchRates[i]!);
  console.log(`  ratio per round  ${paired.map((r) => r.toFixed(2)).join(" / ")} (median ${median(paired).toFixed(2)})`);
  const cpu = (runs: Rate[]) => median(runs.map((r) => r.cpuUs));
  console.log(
    `  client CPU       plain fetch ${round(cpu(fetchRuns))} µs/request, imports.bulk ${round(cpu(bulkRuns))} µs/item ` +
      `(+${round(cpu(bulkRuns) - cpu(fetchRuns))} µs, medians)`,
  );
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  console.log(`  peak RSS         ${mib(bulkPeakRss)} during bulk runs (${mib(startRss)} before any request, items included)`);
  if (memory.length === 2) {
    const [small, large] = memory as [MemoryResult, MemoryResult];
    console.log(`  memory in the item count (imports.bulk alone in a fresh process, items from a generator):`);
    for (const m of memory) {
      console.log(`    ${String(m.items).padStart(7)} items: peak RSS ${m.peakRssMB.toFixed(1)} MB, heap after the run ${m.heapAfterMB.toFixed(1)} MB`);
    }
    const perItem = ((large.heapAfterMB - small.heapAfterMB) * 1e6) / (large.items - small.items);
    const growth = large.peakRssMB / small.peakRssMB;
    console.log(
      `    ${perItem.toFixed(0)} bytes of heap kept per item (the report's entry and the item's key); peak RSS ×${growth.toFixed(2)} for 10× the items ` +
        `(goal ≤ ${MEMORY_GOAL}: ${growth <= MEMORY_GOAL ? "met" : "NOT met"})`,
    );
  }
}

interface MemoryResult {
  items: number;
  peakRssMB: number;
  heapAfterMB: number;
}

/** Runs `--memory-run n` in a fresh process (with the same loader and conditions) and reads its one JSON line. */
function memoryChild(items: number, port: number, fromSource: boolean): Promise<MemoryResult> {
  return new Promise((resolve, reject) => {
    const proc = fork(new URL(import.meta.url).pathname, ["--memory-run", String(items), "--port", String(port), ...(fromSource ? ["--source"] : [])], {
      execArgv: [...process.execArgv, "--expose-gc"],
      stdio: ["ignore", "pipe", "inherit", "ipc"],
    });
    let out = "";
    proc.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    proc.on("error", reject);
    proc.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!) as MemoryResult) : reject(new Error(`memory run of ${items} exited ${code}`))));
  });
}

/** The child of memoryChild: one bulk run over `count` generated items, then its peak RSS and the heap it keeps. */
async function memoryRun(count: number, port: number): Promise<void> {
  const fromSource = process.argv.includes("--source");
  const { createSharinPixClient } = (await import(fromSource ? "../packages/sharinpix/src/index.ts" : distUrl("sharinpix"))) as typeof import("../packages/sharinpix/src/index.ts");
  const baseUrl = `http://127.0.0.1:${port}/api/v1`;
  const dir = await mkdtemp(join(tmpdir(), "sharinpix-bench-memory-"));
  function* items(): Generator<ContentDocumentImportParams> {
    for (let i = 0; i < count; i++) {
      const id = `0694I${String(i).padStart(13, "0")}`;
      yield { album_id: "5005800000HEXCtAAP", import_type: "salesforce", content_document_id: id, filename: `Image${i}.jpg`, metadatas: { contentDocumentId: id } };
    }
  }
  const sharinpix = createSharinPixClient({ secretUrl: `sharinpix://bench-id:bench-secret@127.0.0.1:${port}/api/v1`, baseUrl });
  const report = await sharinpix.imports.bulk(items(), { concurrency: CONCURRENCY, checkpoint: join(dir, "run.checkpoint") });
  if (report.imported.length !== count) throw new Error(`bulk imported ${report.imported.length} of ${count}`);
  (globalThis as { gc?: () => void }).gc?.();
  const heapAfterMB = process.memoryUsage().heapUsed / 1e6;
  // maxRSS is in KiB on Linux.
  const peakRssMB = (process.resourceUsage().maxRSS * 1024) / 1e6;
  await rm(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ items: count, peakRssMB, heapAfterMB, kept: report.imported.length }) + "\n");
}
