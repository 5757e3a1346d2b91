/**
 * The clients on the other runtimes they claim: Node 24, Bun and Deno, real binaries from the npm registry
 * (`npm install --prefix test/runtimes --no-save`; .ci/run does it). Each runs test/runtimes/smoke.mjs on the clients compiled to
 * JavaScript, against a loopback server here: GitBook start + waitFor through a retried 503, a refused input, a
 * 401 echoing the token; an Import.io gzip result file through saveTo and NDJSON rows, a 404 echoing the key;
 * SharinPix JWTs minted by jose on that runtime's WebCrypto (verified here with node:crypto) and a bulk import
 * whose checkpoint file makes a second run import nothing.
 *
 * Where the runtimes are not installed the tests are skipped with a note, except in CI, where that fails them.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash, createHmac, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFaultServer, type FaultServer } from "./fault-server.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name: string) => join(root, "test", "runtimes", "node_modules", ".bin", name);
const runtimes = [
  { name: "node 24", command: [bin("node")], version: /^node v24\./ },
  { name: "bun", command: [bin("bun")], version: /^bun 1\./ },
  { name: "deno", command: [bin("deno"), "run", "--allow-all"], version: /^deno 2\./ },
];
const installed = runtimes.every((runtime) => existsSync(runtime.command[0]!));
if (!installed && process.env.CI) throw new Error("The runtimes are not installed: npm install --prefix test/runtimes --no-save");
if (!installed) console.warn("runtime tests skipped: Node 24, Bun and Deno are not installed (npm install --prefix test/runtimes --no-save)");

const GITBOOK_TOKEN = "gb_runtime_SENTINEL_51d0";
const IMPORTIO_KEY = "io_runtime_SENTINEL_77aa";
const SHARINPIX_SECRET = "rt-secret-5c3e";
const CRAWLRUN = "8b4c7e6d-3a2f-4b1c-8d0e-6f7a8b9c0d1e";
const csv = Buffer.from(Array.from({ length: 2_000 }, (_, i) => `https://example.com/p/${i},Item ${i},ünïcödé ${i}\n`).join(""));
const ndjson = '{"url":"https://example.com/a","name":"A"}\n{"url":"https://example.com/b","name":"B"}\n\n{"url":"https://example.com/c","name":"C"}\n';

/** The claims of a `Token token="<JWT>"` header if its HS256 signature is right for `secret`, else undefined. */
function verifiedClaims(header: string | undefined, secret: string): Record<string, unknown> | undefined {
  const jwt = /^Token token="([^"]+)"$/.exec(header ?? "")?.[1];
  const [head, payload, signature] = jwt?.split(".") ?? [];
  if (!head || !payload || !signature) return undefined;
  const expected = createHmac("sha256", secret).update(`${head}.${payload}`).digest("base64url");
  return expected === signature ? (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>) : undefined;
}

/** One server per runtime: the GitBook poll sequence and the bulk's records are per run. */
async function scriptedServer(): Promise<{ server: FaultServer; jwtIssuers: unknown[] }> {
  const server = await startFaultServer();
  const jwtIssuers: unknown[] = [];
  const run = { object: "import-run", id: "run_rt", status: "pending" };
  server.route("POST /gitbook/org/org_1/imports", { status: 201, json: run });
  server.route(
    "GET /gitbook/org/org_1/imports/run_rt",
    { status: 503, json: { error: { code: 503, message: "busy" } } },
    { status: 200, json: run },
    { status: 200, json: { ...run, status: "completed" } },
  );
  server.route("GET /gitbook/org/org_1/imports/denied", { status: 401, json: { error: { code: 401, message: `Invalid token ${GITBOOK_TOKEN}` } } });
  server.route(`GET /importio/crawlruns/${CRAWLRUN}/csv`, { status: 200, body: gzipSync(csv), headers: { "content-type": "text/csv", "content-encoding": "gzip" } });
  server.route(`GET /importio/crawlruns/${CRAWLRUN}/json`, { status: 200, body: ndjson, headers: { "content-type": "application/x-ndjson" } });
  server.route(/^GET \/importio\/crawlruns\/00000000/, { status: 404, json: { code: 404, message: `No crawl run for _apikey=${IMPORTIO_KEY}` } });
  server.route("POST /api/v1/imports", {
    handler: (req, res, body) => {
      const claims = verifiedClaims(req.headers.authorization, SHARINPIX_SECRET);
      if (!claims) {
        res.writeHead(401, { "x-message": "Access denied" }).end();
        return;
      }
      jwtIssuers.push(claims.iss);
      const params = Object.fromEntries(new URLSearchParams(body.toString("utf8")));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: randomUUID(), image_id: null, album_id: params.album_id, import_type: "url", params }));
    },
  });
  return { server, jwtIssuers };
}

describe.skipIf(!installed)("the clients on other runtimes", () => {
  // Compiled inside packages/sharinpix so that openapi-fetch and jose resolve from its node_modules.
  const compiled = join(root, "packages", "sharinpix", `.importkit-runtimes-${process.pid}`);
  const work = mkdtempSync(join(tmpdir(), "importkit-runtimes-"));

  beforeAll(() => {
    const result = spawnSync(process.execPath, [join(root, "bench", "transpile.mjs"), compiled, "core", "gitbook", "importio", "sharinpix"], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`compiling the clients failed:\n${result.stderr}`);
  }, 60_000);
  afterAll(() => {
    rmSync(compiled, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it.each(runtimes)("$name", async ({ name, command, version }) => {
    const { server, jwtIssuers } = await scriptedServer();
    const dir = mkdtempSync(join(work, name.replace(/\W/g, "-")));
    try {
      // Asynchronous: the server answering the child lives in this process's event loop.
      const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(command[0]!, [...command.slice(1), join(root, "test", "runtimes", "smoke.mjs"), compiled, server.url, dir], {
          env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
        child.on("close", (exit) => {
          clearTimeout(killer);
          resolve({ code: exit, stdout, stderr });
        });
      });
      expect(code, `${name} exited with ${code}:\n${stderr}`).toBe(0);
      const seen = JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, unknown>;
      expect(seen.runtime).toMatch(version);
      if (process.env.RUNTIMES_VERBOSE) console.log(JSON.stringify(seen));
      expect(seen).toMatchObject({
        // Only Node itself downloads over node:http; Bun and Deno keep their own fetch.
        saveToTransport: name.startsWith("node") ? "node:http" : "fetch",
        gitbook: { started: "run_rt", final: "completed", polled: ["pending", "completed"] },
        validation: { isValidationError: true, fields: ["target"] },
        denied: { isAuthenticationError: true, status: 401, leaks: [] },
        saveTo: { bytes: csv.length, sha256: createHash("sha256").update(csv).digest("hex") },
        rows: 3,
        importioError: { name: "NotFoundError", status: 404, leaks: [] },
        bulk: { imported: 5, failed: 0, againImported: 0, againSkipped: 5 },
      });
      // Five creates, each with a JWT that verifies and names the secret's id; nothing sent by the second bulk.
      expect(jwtIssuers).toEqual(["rt-id", "rt-id", "rt-id", "rt-id", "rt-id"]);
      // The 503 was retried (one GET), then the run was pending, then completed.
      expect(server.requests.filter((r) => r.url === "/gitbook/org/org_1/imports/run_rt").length).toBe(3);
      // The key travels in the URL (the API wants it there) and nowhere else.
      expect(server.requests.filter((r) => r.url.startsWith("/importio/")).every((r) => r.url.includes(`_apikey=${IMPORTIO_KEY}`))).toBe(true);
    } finally {
      await server.close();
    }
  }, 90_000);
});
