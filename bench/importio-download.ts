/**
 * Benchmark: a 1 GiB Import.io result file saved with `crawlRuns.download(...).saveTo` versus plain `fetch` piped to a file.
 *
 *   node --import tsx bench/importio-download.ts [--rounds 3] [--mib 1024] [--flat-mib 10240 | --no-flat] [--http]
 *
 * The parent serves the body from a loopback HTTP server, generated on the fly from one 1 MiB block (never
 * from a file on disk). Each download runs in its own child process, so each variant's peak RSS is its own
 * and one cannot pollute the other. The children run plain `node` on the built packages (scripts/built.ts: the
 * one build, then `dist/`, as users run them): a TypeScript loader in the child would add ~40 MB of its own to
 * the RSS being measured. The variants alternate (AB, BA, …) so that warm-up and disk cache favour neither.
 * Saved files are checked (size and sampled bytes) and deleted.
 * Goals: peak RSS of saveTo ≤ 100 MB (the highest of its runs); median throughput ≥ 1.2 × plain fetch → file.
 * Then one saveTo of a 10 GiB body (`--flat-mib`; `--no-flat` skips it: it needs 10 GiB of free disk for a moment)
 * shows the memory is flat in the file's size: its peak RSS within 10 MB of the 1 GiB runs' highest.
 *
 * Both children are plain `node` with the same flags. The saveTo child has the client's modules loaded before
 * the clock starts (~6 MB more RSS "before the download"): they are part of what a user's process holds. Each
 * child loads undici (Node's fetch) on its first request, inside the measured download, so neither is favoured.
 * Peak RSS moves by ±5 MB from run to run on the same code (V8's GC timing, malloc): the median is printed too.
 * `--http` adds a third variant, `node:http` piped to a file, to show the floor that fetch itself sets.
 */
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildPackages, distUrl } from "../scripts/built.ts";

const MiB = 1024 * 1024;
const RSS_GOAL_MB = 100;
const RATIO_GOAL = 1.2;
/** How much more RSS the 10 GiB save may peak at than the 1 GiB ones: flat, up to GC and malloc noise. */
const FLAT_SLACK_MB = 10;

type Variant = "saveTo" | "fetch" | "http";
interface ChildResult {
  variant: Variant;
  bytes: number;
  ms: number;
  peakRssMB: number;
  startRssMB: number;
}

/**
 * The child: one download, then its timing and peak RSS as one JSON line. Plain JavaScript, run by plain node,
 * importing the built packages by file URL (the child script sits in a temporary folder).
 */
const CHILD_SOURCE = (importio: string, coreNode: string) => `
import { createWriteStream, statSync } from "node:fs";
import { get } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
const [variant, url, path] = process.argv.slice(2);
// Loaded before the clock starts: module loading is not download time.
const importio = variant === "saveTo" ? (await import(${JSON.stringify(importio)})).createImportIoClient({ apiKey: "bench-key-0000", baseUrl: url }) : undefined;
if (importio) await import(${JSON.stringify(coreNode)});
const startRssMB = process.memoryUsage.rss() / 1e6;
const started = performance.now();
let bytes;
if (importio) {
  bytes = (await importio.crawlRuns.download("8b4c7e6d-3a2f-4b1c-8d0e-6f7a8b9c0d1e", "files").saveTo(path)).bytes;
} else if (variant === "http") {
  const response = await new Promise((resolve, reject) => get(url + "/plain", resolve).on("error", reject));
  if (response.statusCode !== 200) throw new Error("node:http answered " + response.statusCode);
  await pipeline(response, createWriteStream(path));
  bytes = statSync(path).size;
} else {
  const response = await fetch(url + "/plain");
  if (!response.ok || !response.body) throw new Error("plain fetch answered " + response.status);
  await pipeline(Readable.fromWeb(response.body), createWriteStream(path));
  bytes = statSync(path).size;
}
const ms = performance.now() - started;
// maxRSS is in KiB on Linux.
const peakRssMB = (process.resourceUsage().maxRSS * 1024) / 1e6;
process.stdout.write(JSON.stringify({ variant, bytes, ms, peakRssMB, startRssMB }) + "\\n");
`;

/** Byte `i` of the body: a fixed pattern, so the parent can check any offset of a saved file. */
function patternBlock(): Buffer {
  const block = Buffer.alloc(MiB);
  for (let i = 0; i < MiB; i++) block[i] = (i * 31 + (i >> 8)) & 0xff;
  return block;
}

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? fallback : Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1`);
  return value;
}

function runChild(child: string, variant: Variant, url: string, path: string, totalBytes: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, variant, url, path], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    // A stuck child must not hang the bench: two minutes a GiB (loopback runs at several hundred MB/s).
    const killer = setTimeout(() => proc.kill("SIGKILL"), 120_000 * Math.max(1, totalBytes / (1024 * MiB)));
    proc.on("error", reject);
    proc.on("close", (code) => {
      clearTimeout(killer);
      if (code !== 0) return reject(new Error(`${variant} child exited with ${code}`));
      resolve(JSON.parse(out.trim().split("\n").pop() ?? "") as ChildResult);
    });
  });
}

/** Serves `totalBytes` at any path but `/big`, which serves `bigBytes` (the flat-memory run). */
function serve(totalBytes: number, bigBytes: number, block: Buffer): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    req.resume();
    const size = req.url?.startsWith("/big/") ? bigBytes : totalBytes;
    res.writeHead(200, { "content-type": "application/zip", "content-length": String(size) });
    let sent = 0;
    let gone = false;
    let wake = () => {};
    res.on("close", () => {
      gone = true;
      wake();
    });
    res.on("drain", () => wake());
    while (sent < size && !gone) {
      const piece = size - sent >= block.length ? block : block.subarray(0, size - sent);
      sent += piece.length;
      if (!res.write(piece)) await new Promise<void>((resolve) => (wake = resolve));
    }
    res.end();
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

/** Compares a few 64 KiB windows of the saved file with the pattern. */
function checkFile(path: string, totalBytes: number, block: Buffer): void {
  const size = statSync(path).size;
  if (size !== totalBytes) throw new Error(`${path}: ${size} bytes, expected ${totalBytes}`);
  const fd = openSync(path, "r");
  try {
    const window = Buffer.alloc(64 * 1024);
    for (const offset of [0, Math.floor(totalBytes / 3), totalBytes - window.length]) {
      readSync(fd, window, 0, window.length, offset);
      for (let i = 0; i < window.length; i += 4099) {
        if (window[i] !== block[(offset + i) % MiB]) throw new Error(`${path}: wrong byte at ${offset + i}`);
      }
    }
  } finally {
    closeSync(fd);
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function main(): Promise<void> {
  const rounds = option("rounds", 3);
  const variants: Variant[] = process.argv.includes("--http") ? ["saveTo", "fetch", "http"] : ["saveTo", "fetch"];
  const totalBytes = option("mib", 1024) * MiB;
  const flatBytes = process.argv.includes("--no-flat") ? 0 : option("flat-mib", 10 * 1024) * MiB;
  const block = patternBlock();
  const started = Date.now();
  const { server, url } = await serve(totalBytes, flatBytes, block);
  let flat: ChildResult | undefined;
  const dir = mkdtempSync(join(tmpdir(), "importkit-bench-"));
  const results: ChildResult[] = [];
  buildPackages(["importio"]);
  // The child script goes in the temporary folder, beside the files it saves.
  const child = join(dir, "child.mjs");
  try {
    writeFileSync(child, CHILD_SOURCE(distUrl("importio"), distUrl("core", "node.js")));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order) {
        const path = join(dir, `${variant}-${round}.zip`);
        const result = await runChild(child, variant, url, path, totalBytes);
        checkFile(path, totalBytes, block);
        rmSync(path, { force: true });
        results.push(result);
        const mbps = result.bytes / 1e6 / (result.ms / 1000);
        console.log(
          `round ${round + 1} ${variant.padEnd(6)} ${(result.bytes / MiB).toFixed(0)} MiB in ${(result.ms / 1000).toFixed(2)} s = ${mbps.toFixed(0)} MB/s, ` +
            `peak RSS ${result.peakRssMB.toFixed(1)} MB (${result.startRssMB.toFixed(1)} MB before the download)`,
        );
      }
    }
    if (flatBytes) {
      const path = join(dir, "flat.zip");
      flat = await runChild(child, "saveTo", `${url}/big`, path, flatBytes);
      checkFile(path, flatBytes, block);
      rmSync(path, { force: true });
      console.log(
        `flat   saveTo ${(flat.bytes / MiB).toFixed(0)} MiB in ${(flat.ms / 1000).toFixed(2)} s = ${(flat.bytes / 1e6 / (flat.ms / 1000)).toFixed(0)} MB/s, ` +
          `peak RSS ${flat.peakRssMB.toFixed(1)} MB (${flat.startRssMB.toFixed(1)} MB before the download)`,
      );
    }
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const of = (variant: Variant) => results.filter((r) => r.variant === variant);
  const throughput = (variant: Variant) => of(variant).map((r) => r.bytes / 1e6 / (r.ms / 1000));
  const peak = (variant: Variant) => Math.max(...of(variant).map((r) => r.peakRssMB));
  const medianPeak = (variant: Variant) => median(of(variant).map((r) => r.peakRssMB));
  const saveToMBps = median(throughput("saveTo"));
  const fetchMBps = median(throughput("fetch"));
  const ratio = saveToMBps / fetchMBps;
  console.log("");
  console.log(`node ${process.version}, ${(totalBytes / MiB).toFixed(0)} MiB over loopback, ${rounds} runs per variant, ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
  console.log(`median throughput: saveTo ${saveToMBps.toFixed(0)} MB/s, plain fetch → file ${fetchMBps.toFixed(0)} MB/s`);
  console.log(`throughput ratio saveTo / plain fetch: ${ratio.toFixed(3)} (goal ≥ ${RATIO_GOAL}): ${ratio >= RATIO_GOAL ? "met" : "NOT met"}`);
  console.log(
    `peak RSS: saveTo ${peak("saveTo").toFixed(1)} MB (goal ≤ ${RSS_GOAL_MB}): ${peak("saveTo") <= RSS_GOAL_MB ? "met" : "NOT met"}; ` +
      `plain fetch ${peak("fetch").toFixed(1)} MB`,
  );
  const medians = variants.map((v) => `${v === "fetch" ? "plain fetch" : v === "http" ? "node:http → file" : v} ${medianPeak(v).toFixed(1)} MB`);
  console.log(`median peak RSS: ${medians.join(", ")}`);
  if (variants.includes("http")) console.log(`median throughput node:http → file: ${median(throughput("http")).toFixed(0)} MB/s`);
  if (flat) {
    const growth = flat.peakRssMB - peak("saveTo");
    console.log(
      `flat in size: saveTo of ${(flat.bytes / MiB / 1024).toFixed(0)} GiB peaked at ${flat.peakRssMB.toFixed(1)} MB, ${growth >= 0 ? "+" : ""}${growth.toFixed(1)} MB ` +
        `against the ${(totalBytes / MiB).toFixed(0)} MiB runs' highest (goal ≤ +${FLAT_SLACK_MB} MB): ${growth <= FLAT_SLACK_MB ? "met" : "NOT met"}`,
    );
  }
}

await main();
