/**
 * What a call costs: the GitBook client (`imports.get`, `imports.start`) against its peers, for the same GET and POST
 * of one import run, in one run:
 *
 *   - raw `fetch` + `JSON.parse` (the floor: no library at all);
 *   - bare openapi-fetch (what `raw` is, and what most generated clients are);
 *   - `@gitbook/api`, the official GitBook SDK (`org.getImportRun`, `org.startImportRun`, as its README calls them);
 *   - importkit, with every safety on: validation (`documented`), retries, redaction, the rate-limit budget (the
 *     server sends GitBook's X-RateLimit-* headers, so the budget paces by them) and the redirect policy.
 *
 *   node --import tsx bench/core-overhead.ts [calls] [rounds] [--source]   (or `pnpm bench core-overhead`)
 *   node --import tsx bench/core-overhead.ts --instructions [--sides importkit,@gitbook/api]
 *
 * Two measures:
 *
 *   1. **CPU per call, stub transport**: each library is handed the same in-process fetch that answers at once with a
 *      fresh `Response` (no socket), and the process's CPU time per call is taken over `calls` calls, 16 at a time.
 *      This is the library's own cost and nothing else: the steadiest figure on a busy machine.
 *      Goal: importkit ≤ `@gitbook/api`.
 *   2. **Loopback**: the same calls over real HTTP keep-alive to a server in a child process, 16 concurrent;
 *      requests/s and the client process's CPU per request. Goal: importkit ≥ 0.96 × raw fetch in requests/s, and
 *      its CPU per request ≤ `@gitbook/api`'s.
 *
 *   3. With `--instructions` (needs valgrind): the stub-transport calls again, each side and method in a process of
 *      its own under callgrind, which counts the instructions executed by the measured calls alone: the library's
 *      cost per call, the same from run to run whatever the machine's load (timings on a shared 2-core box move by
 *      ±20 %). Slow (~1 min a process); only this measure is run.
 *
 * Sides alternate within each round (a, b, c, d, then d, c, b, a); each ratio is the median of the rounds' own ratios
 * (the sides of a round ran seconds apart, under the same load), which evens out a noisy machine. The client is the built package, as users run it (scripts/built.ts: the one build, then `dist/`);
 * `--source` runs the TypeScript sources through tsx instead (with `--conditions=importkit-source`).
 */
import { fork, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildPackages, distUrl } from "../scripts/built.ts";

const CONCURRENCY = 16;
const GOAL_CPU_VS_SDK = 1.0;
const GOAL_THROUGHPUT_VS_FETCH = 0.96;

const RUN = { object: "import-run", id: "run_1", status: "pending", createdAt: "2026-01-01T00:00:00.000Z" };
const RUN_JSON = JSON.stringify(RUN);

/**
 * GitBook's rate-limit headers: a budget far from empty, its window resetting an hour ahead (epoch seconds). Not a
 * minute: under callgrind a run is ~50× slower, and a window ending within the measured calls (the budget then starts
 * slowly again, holding calls back until an answer says what remains) added up to 13 % to a count, by chance.
 */
function rateLimitHeaders(remaining: number): Record<string, string> {
  return {
    "x-ratelimit-limit": "1000000000",
    "x-ratelimit-remaining": String(remaining),
    "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
  };
}

function median(values: number[]) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

interface Round {
  rate: number;
  cpuUs: number;
}

/** Medians of per-round ratios. */
interface Paired {
  rateVsFetch: number;
  cpuVsSdk: number;
  cpuVsOpenapiFetch: number;
}

/** `count` calls, CONCURRENCY at a time: requests per second, and this process's CPU time per call in µs. */
async function pool(count: number, task: () => Promise<unknown>): Promise<Round> {
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < count) await task();
    }),
  );
  const used = process.cpuUsage(cpu);
  return { rate: count / ((performance.now() - started) / 1000), cpuUs: (used.user + used.system) / count };
}

type Side = "fetch" | "openapi-fetch" | "@gitbook/api" | "importkit";
const SIDES: Side[] = ["fetch", "openapi-fetch", "@gitbook/api", "importkit"];
type Task = () => Promise<unknown>;

async function main() {
  const [count = 10_000, rounds = 5] = process.argv
    .slice(2)
    .filter((a) => !a.startsWith("--"))
    .map(Number);
  const fromSource = process.argv.includes("--source");
  const one = process.argv.indexOf("--one");
  if (!fromSource && one === -1) buildPackages(["gitbook"]);
  if (process.argv.includes("--instructions")) return instructions(fromSource);
  const { createGitBookClient } = (await import(fromSource ? "../packages/gitbook/src/index.ts" : distUrl("gitbook"))) as typeof import("../packages/gitbook/src/index.ts");
  // openapi-fetch as core depends on it (the same copy `raw` uses).
  const coreRequire = createRequire(fileURLToPath(new URL("../packages/core/package.json", import.meta.url)));
  const { default: createClient } = (await import(pathToFileURL(coreRequire.resolve("openapi-fetch")).href)) as typeof import("../packages/core/node_modules/openapi-fetch/dist/index.mjs");
  // Its .d.ts imports "./client" without an extension, which NodeNext resolution cannot follow: typed here by hand.
  const { GitBookAPI } = (await import("@gitbook/api")) as unknown as {
    GitBookAPI: new (options: { authToken: string; endpoint: string; serviceBinding?: { fetch: typeof fetch } }) => {
      org: {
        getImportRun(organizationId: string, importRunId: string): Promise<{ data: unknown }>;
        startImportRun(organizationId: string, body: unknown): Promise<{ data: unknown }>;
      };
    };
  };
  type Paths = import("../packages/gitbook/src/index.ts").paths;

  const body = { source: { type: "website" as const, url: "https://example.com/docs" }, target: { space: "space_1" } };
  const token = "bench-token";

  /** The four sides over one transport (`transport` undefined: the global fetch, over loopback). */
  function sidesOver(baseUrl: string, transport: typeof fetch | undefined): Record<"GET" | "POST", Record<Side, Task>> {
    const send = transport ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
    const importkit = createGitBookClient({ token, baseUrl, ...(transport ? { fetch: transport } : {}) });
    const bare = createClient<Paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` }, ...(transport ? { fetch: transport } : {}) });
    // @gitbook/api appends /v1 to its endpoint; its `serviceBinding` is the documented way to give it a fetch.
    const sdk = new GitBookAPI({ authToken: token, endpoint: baseUrl.replace(/\/v1$/, ""), ...(transport ? { serviceBinding: { fetch: transport } } : {}) });
    const path = { organizationId: "acme", importRunId: "run_1" };
    return {
      GET: {
        fetch: () => send(`${baseUrl}/org/acme/imports/run_1`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.json()),
        "openapi-fetch": () => bare.GET("/org/{organizationId}/imports/{importRunId}", { params: { path } }).then((r) => r.data),
        "@gitbook/api": () => sdk.org.getImportRun("acme", "run_1").then((r) => r.data),
        importkit: () => importkit.imports.get("run_1", { organizationId: "acme" }),
      },
      POST: {
        fetch: () =>
          send(`${baseUrl}/org/acme/imports`, {
            method: "POST",
            headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
            body: JSON.stringify(body),
          }).then((r) => r.json()),
        "openapi-fetch": () => bare.POST("/org/{organizationId}/imports", { params: { path: { organizationId: "acme" } }, body }).then((r) => r.data),
        "@gitbook/api": () => sdk.org.startImportRun("acme", body).then((r) => r.data),
        importkit: () => importkit.imports.start({ organizationId: "acme", ...body }),
      },
    };
  }

  async function measure(sides: Record<Side, Task>, calls: number): Promise<Record<Side, Round & Paired>> {
    for (const side of SIDES) await pool(Math.min(calls, 1_000), sides[side]); // warm-up
    const results = Object.fromEntries(SIDES.map((s) => [s, [] as Round[]])) as Record<Side, Round[]>;
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? SIDES : [...SIDES].reverse();
      for (const side of order) results[side].push(await pool(calls, sides[side]));
    }
    // Each round's ratios, then their median: the sides of one round ran seconds apart, under the same load.
    const paired = (side: Side, of: (r: Round) => number, against: Side) => median(results[side].map((r, i) => of(r) / of(results[against][i]!)));
    return Object.fromEntries(
      SIDES.map((s) => [
        s,
        {
          rate: median(results[s].map((r) => r.rate)),
          cpuUs: median(results[s].map((r) => r.cpuUs)),
          rateVsFetch: paired(s, (r) => r.rate, "fetch"),
          cpuVsSdk: paired(s, (r) => r.cpuUs, "@gitbook/api"),
          cpuVsOpenapiFetch: paired(s, (r) => r.cpuUs, "openapi-fetch"),
        },
      ]),
    ) as Record<Side, Round & Paired>;
  }

  const verdict = (ok: boolean) => (ok ? "met" : "NOT MET");

  // 1. The stub transport: a fresh Response per call, as a fetch would give (headers included).
  let remaining = 999_999_999;
  const stub = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    if (input instanceof Request && input.body) await input.arrayBuffer();
    return new Response(RUN_JSON, {
      status: method === "POST" ? 201 : 200,
      headers: { "content-type": "application/json; charset=utf-8", "content-length": String(RUN_JSON.length), ...rateLimitHeaders(remaining--) },
    });
  }) as typeof fetch;
  const stubSides = sidesOver("http://api.test/v1", stub);
  if (one !== -1) {
    // A child of --instructions: warm up, then `count` calls of one side, and nothing else.
    const [side, method] = [process.argv[one + 1] as Side, process.argv[one + 2] as "GET" | "POST"];
    await pool(1_000, stubSides[method][side]);
    (globalThis as { gc?: () => void }).gc?.();
    await pool(count, stubSides[method][side]);
    return;
  }
  console.log(`CPU per call, stub transport (in-process fetch, ${count} calls × ${rounds} rounds, ${CONCURRENCY} at a time; median µs)`);
  for (const method of ["GET", "POST"] as const) {
    const r = await measure(stubSides[method], count);
    const ik = r.importkit;
    console.log(
      `  ${method.padEnd(5)} ` +
        SIDES.map((s) => `${s} ${r[s].cpuUs.toFixed(1)}`).join("   ") +
        `\n        importkit / @gitbook/api ${ik.cpuVsSdk.toFixed(2)}   importkit / openapi-fetch ${ik.cpuVsOpenapiFetch.toFixed(2)} (medians of each round's ratio)` +
        `   goal ≤ ${GOAL_CPU_VS_SDK.toFixed(2)} × @gitbook/api: ${verdict(ik.cpuVsSdk <= GOAL_CPU_VS_SDK)}`,
    );
  }

  // 2. Loopback.
  const child = fork(fileURLToPath(import.meta.url), ["--server"], { execArgv: process.execArgv });
  const port = await new Promise<number>((resolve) => child.once("message", (m) => resolve(m as number)));
  const loopbackCalls = Math.max(1_000, Math.round(count / 2.5));
  console.log(`Loopback, keep-alive, ${CONCURRENCY} concurrent (${loopbackCalls} requests × ${rounds} rounds; medians)`);
  const loopSides = sidesOver(`http://127.0.0.1:${port}/v1`, undefined);
  for (const method of ["GET", "POST"] as const) {
    const r = await measure(loopSides[method], loopbackCalls);
    const ik = r.importkit;
    console.log(
      `  ${method.padEnd(5)} req/s: ` +
        SIDES.map((s) => `${s} ${r[s].rate.toFixed(0)} (${r[s].rateVsFetch.toFixed(2)})`).join("   ") +
        `\n        CPU µs/request: ` +
        SIDES.map((s) => `${s} ${r[s].cpuUs.toFixed(0)}`).join("   ") +
        `\n        importkit vs raw fetch ${ik.rateVsFetch.toFixed(2)} (goal ≥ ${GOAL_THROUGHPUT_VS_FETCH}: ${verdict(ik.rateVsFetch >= GOAL_THROUGHPUT_VS_FETCH)})` +
        `   CPU importkit / @gitbook/api ${ik.cpuVsSdk.toFixed(2)}, / openapi-fetch ${ik.cpuVsOpenapiFetch.toFixed(2)}` +
        ` (goal ≤ ${GOAL_CPU_VS_SDK.toFixed(2)}: ${verdict(ik.cpuVsSdk <= GOAL_CPU_VS_SDK)}); ratios are medians of each round's`,
    );
  }
  child.disconnect();
}

/**
 * Instructions per call on the stub transport, by callgrind: each side and method runs in a process of its own, which
 * warms up, collects its garbage, then makes CALLS calls. Callgrind dumps its counts each time the process enters
 * libuv's `uv_getrusage` (`process.cpuUsage()`, which `pool` calls as it starts and ends), so the last part dumped is
 * exactly the measured calls: start-up and warm-up are not in it, and CALLS is large enough that the collections
 * during the calls average out.
 */
function instructions(fromSource: boolean): void {
  const CALLS = 6_000;
  const script = fileURLToPath(import.meta.url);
  const out = mkdtempSync(join(tmpdir(), "importkit-callgrind-"));
  const count = (side: Side, method: string): number => {
    const result = spawnSync(
      "valgrind",
      [
        "--tool=callgrind",
        "--dump-before=uv_getrusage",
        `--callgrind-out-file=${join(out, `${method}-${side.replace(/\W/g, "_")}.%p`)}`,
        process.execPath,
        "--expose-gc",
        // No compiler or collector threads: their share would vary with scheduling (±5 % between runs); on the main
        // thread the same work counts the same (two runs agree within ~0.5 %).
        "--single-threaded",
        ...process.execArgv,
        script,
        String(CALLS),
        "--one",
        side,
        method,
        ...(fromSource ? ["--source"] : []),
      ],
      { encoding: "utf8" },
    );
    if (result.error || result.status !== 0) throw new Error(`callgrind failed for ${side} ${method}: ${result.error?.message ?? result.stderr.slice(-2000)}`);
    const prefix = `${method}-${side.replace(/\W/g, "_")}.`;
    const parts = readdirSync(out)
      .filter((file) => file.startsWith(prefix) && /\.\d+\.\d+$/.test(file))
      .sort((a, b) => Number(a.split(".").pop()) - Number(b.split(".").pop()));
    const last = parts.at(-1);
    const summary = last && /^summary: (\d+)$/m.exec(readFileSync(join(out, last), "utf8"));
    if (!summary) throw new Error(`callgrind wrote no count for ${side} ${method} (${parts.join(", ")})`);
    return Number(summary[1]) / CALLS;
  };
  // `--sides importkit,@gitbook/api`: only those (each side and method takes ~1 min under callgrind).
  const only = process.argv.indexOf("--sides");
  const sides = only === -1 ? SIDES : SIDES.filter((side) => process.argv[only + 1]!.split(",").includes(side));
  console.log(`Instructions per call, stub transport (callgrind, ${CALLS} calls after a warm-up; thousands)`);
  try {
    for (const method of ["GET", "POST"]) {
      const per = Object.fromEntries(sides.map((side) => [side, count(side, method)])) as Record<Side, number>;
      const ik = per.importkit;
      console.log(
        `  ${method.padEnd(5)} ` +
          sides.map((side) => `${side} ${(per[side] / 1000).toFixed(1)}k`).join("   ") +
          `\n        importkit / @gitbook/api ${(ik / per["@gitbook/api"]!).toFixed(2)}` +
          (per["openapi-fetch"] ? `   importkit / openapi-fetch ${(ik / per["openapi-fetch"]).toFixed(2)}` : "") +
          `   goal ≤ ${GOAL_CPU_VS_SDK.toFixed(2)} × @gitbook/api: ${ik <= GOAL_CPU_VS_SDK * per["@gitbook/api"]! ? "met" : "NOT MET"}`,
      );
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv.includes("--server")) {
  let remaining = 999_999_999;
  const body = Buffer.from(RUN_JSON);
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(req.method === "POST" ? 201 : 200, {
        "content-type": "application/json; charset=utf-8",
        "content-length": String(body.byteLength),
        ...rateLimitHeaders(remaining--),
      });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => process.send!((server.address() as AddressInfo).port));
  process.on("disconnect", () => process.exit(0));
} else {
  await main();
}
