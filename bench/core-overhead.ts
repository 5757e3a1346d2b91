/**
 * What core adds per request: the GitBook client (openapi-fetch + validation + retrying fetch + error mapping)
 * against plain `fetch` + `JSON.parse`, same loopback server (in a child process), same concurrency.
 *
 *   node --import tsx bench/core-overhead.ts [requests] [rounds] [--source]   (or `pnpm bench core-overhead`)
 *
 * Prints requests/s for each side (median of alternating rounds) and the ratio, for a GET and a POST, and the
 * client process's CPU time per request (steadier than rates on a busy machine). The client is the built package,
 * as users run it (scripts/built.ts: the one build, then `dist/`); `--source` runs the TypeScript sources through
 * tsx instead (with `--conditions=importkit-source`, so that core comes from its sources too).
 */
import { fork } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { buildPackages, distUrl } from "../scripts/built.ts";

const CONCURRENCY = 32;

if (process.argv.includes("--server")) {
  const run = JSON.stringify({ object: "import-run", id: "run_1", status: "pending", createdAt: "2026-01-01T00:00:00.000Z" });
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(req.method === "POST" ? 201 : 200, { "content-type": "application/json" });
      res.end(run);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => process.send!((server.address() as AddressInfo).port));
  process.on("disconnect", () => process.exit(0));
} else {
  await main();
}

function median(values: number[]) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

/** Requests per second, and the client's CPU time per request in µs. */
async function pool(count: number, task: (i: number) => Promise<unknown>) {
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await task(next++);
    }),
  );
  const used = process.cpuUsage(cpu);
  return { rate: count / ((performance.now() - started) / 1000), cpuUs: (used.user + used.system) / count };
}


async function main() {
  const [count = 4_000, rounds = 5] = process.argv.slice(2).filter((a) => !a.startsWith("--")).map(Number);
  const fromSource = process.argv.includes("--source");
  if (!fromSource) buildPackages(["gitbook"]);
  const { createGitBookClient } = (await import(fromSource ? "../packages/gitbook/src/index.ts" : distUrl("gitbook"))) as typeof import("../packages/gitbook/src/index.ts");
  const child = fork(new URL(import.meta.url).pathname, ["--server"], { execArgv: process.execArgv });
  const port = await new Promise<number>((resolve) => child.once("message", (m) => resolve(m as number)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const gitbook = createGitBookClient({ token: "bench-token", baseUrl });
  const body = { source: { type: "website" as const, url: "https://example.com/docs" }, target: { space: "space_1" } };

  const cases = {
    GET: {
      plain: () => fetch(`${baseUrl}/org/acme/imports/run_1`, { headers: { Authorization: "Bearer bench-token" } }).then((r) => r.json()),
      client: () => gitbook.imports.get("run_1", { organizationId: "acme" }),
    },
    POST: {
      plain: () =>
        fetch(`${baseUrl}/org/acme/imports`, {
          method: "POST",
          headers: { Authorization: "Bearer bench-token", "Content-Type": "application/json" },
          body: JSON.stringify(body),
        }).then((r) => r.json()),
      client: () => gitbook.imports.start({ organizationId: "acme", ...body }),
    },
  };
  for (const [name, sides] of Object.entries(cases)) {
    await pool(500, sides.plain);
    await pool(500, sides.client);
    const plain: Array<{ rate: number; cpuUs: number }> = [];
    const client: Array<{ rate: number; cpuUs: number }> = [];
    for (let round = 0; round < rounds; round++) {
      plain.push(await pool(count, sides.plain));
      client.push(await pool(count, sides.client));
    }
    const p = median(plain.map((r) => r.rate));
    const c = median(client.map((r) => r.rate));
    const pc = median(plain.map((r) => r.cpuUs));
    const cc = median(client.map((r) => r.cpuUs));
    console.log(
      `${name.padEnd(5)} plain fetch ${p.toFixed(0).padStart(6)} req/s   client ${c.toFixed(0).padStart(6)} req/s   ratio ${(c / p).toFixed(2)}   ` +
        `CPU ${pc.toFixed(0)} → ${cc.toFixed(0)} µs/request (+${(cc - pc).toFixed(0)})`,
    );
  }
  child.disconnect();
}
