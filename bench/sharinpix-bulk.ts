/**
 * SharinPix bulk import throughput on loopback: `imports.bulk` (10 000 items, concurrency 32, with a checkpoint
 * file) against plain `fetch` sending the same form bodies at the same concurrency, to the same server.
 *
 *   node --import tsx bench/sharinpix-bulk.ts [items] [rounds] [--source]   (or `pnpm bench sharinpix-bulk`)
 *
 * The server runs in a child process so it does not share the client's event loop. Rounds alternate between
 * the two sides (AB, BA, …) and the median of each is compared, which evens out a noisy machine. Prints the
 * ratio (goal: at least 0.85), the ratio within each round (its two sides ran seconds apart, under the same
 * load), the client's CPU time per request (what the client itself costs: much steadier than rates on a busy
 * machine) and the client's peak RSS.
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

if (process.argv.includes("--server")) {
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
  console.log(`  ratio            ${(median(bulkRates) / median(fetchRates)).toFixed(2)} (goal ≥ 0.85)`);
  const paired = bulkRates.map((rate, i) => rate / fetchRates[i]!);
  console.log(`  ratio per round  ${paired.map((r) => r.toFixed(2)).join(" / ")} (median ${median(paired).toFixed(2)})`);
  const cpu = (runs: Rate[]) => median(runs.map((r) => r.cpuUs));
  console.log(
    `  client CPU       plain fetch ${round(cpu(fetchRuns))} µs/request, imports.bulk ${round(cpu(bulkRuns))} µs/item ` +
      `(+${round(cpu(bulkRuns) - cpu(fetchRuns))} µs, medians)`,
  );
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  console.log(`  peak RSS         ${mib(bulkPeakRss)} during bulk runs (${mib(startRss)} before any request, items included)`);
}
