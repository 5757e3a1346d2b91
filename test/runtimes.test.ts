/**
 * The clients on the other runtimes they claim: Node 24, Bun and Deno, real binaries from the npm registry
 * (`npm install --prefix test/runtimes --no-save`; .ci/run does it). Each runs test/runtimes/smoke.mjs on the built
 * packages (the one build's `dist/`, imported by package name as users do), against loopback servers here
 * (test/client-scenario.ts): GitBook start + waitFor through a retried 503, a refused input, a 401 echoing the
 * token; an Import.io gzip result file through saveTo and NDJSON rows, a 404 echoing the key; SharinPix JWTs minted
 * by jose on that runtime's WebCrypto (verified here with node:crypto) and a bulk import whose checkpoint file makes
 * a second run import nothing; a Document360 export waited for, its zip (on a storage host: another origin, which
 * must never see the api_token) read through download() and saved to a file by saveTo, an import waited for, a 401
 * echoing the token.
 *
 * Where the runtimes are not installed the tests are skipped with a note, except in CI, where that fails them.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPackages } from "../scripts/built.ts";
import { routeScenario, SCENARIO, SCENARIO_CSV, SCENARIO_ZIP, storageLink } from "./client-scenario.ts";
import { startFaultServer } from "./fault-server.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const bin = (name: string) => join(root, "test", "runtimes", "node_modules", ".bin", name);
const runtimes = [
  { name: "node 24", command: [bin("node")], version: /^node v24\./ },
  { name: "bun", command: [bin("bun")], version: /^bun 1\./ },
  { name: "deno", command: [bin("deno"), "run", "--allow-all"], version: /^deno 2\./ },
];
const installed = runtimes.every((runtime) => existsSync(runtime.command[0]!));
if (!installed && process.env.CI) throw new Error("The runtimes are not installed: npm install --prefix test/runtimes --no-save");
if (!installed) console.warn("runtime tests skipped: Node 24, Bun and Deno are not installed (npm install --prefix test/runtimes --no-save)");

describe.skipIf(!installed)("the clients on other runtimes", () => {
  const work = mkdtempSync(join(tmpdir(), "importkit-runtimes-"));

  beforeAll(() => buildPackages(["gitbook", "importio", "document360", "sharinpix"]), 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each(runtimes)("$name", async ({ name, command, version }) => {
    // Servers per runtime: the GitBook poll sequence and the bulk's records are per run.
    const [server, storage] = await Promise.all([startFaultServer(), startFaultServer()]);
    const jwtIssuers = routeScenario(server, storage);
    const dir = mkdtempSync(join(work, name.replace(/\W/g, "-")));
    try {
      // Asynchronous: the server answering the child lives in this process's event loop.
      const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(command[0]!, [...command.slice(1), join(root, "test", "runtimes", "smoke.mjs"), JSON.stringify({ ...SCENARIO, base: server.url, storage: storage.url }), dir], {
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
        gitbook: { started: SCENARIO.runId, final: "completed", polled: ["pending", "completed"] },
        validation: { isValidationError: true, fields: ["target"] },
        denied: { isAuthenticationError: true, status: 401, leaks: [] },
        saveTo: { bytes: SCENARIO_CSV.length, sha256: sha256(SCENARIO_CSV) },
        rows: 3,
        importioError: { name: "NotFoundError", status: 404, leaks: [] },
        bulk: { imported: 5, failed: 0, againImported: 0, againSkipped: 5 },
        document360: {
          export: { started: SCENARIO.exportId, polled: ["InProgress", "Completed"], final: "Completed" },
          download: { bytes: SCENARIO_ZIP.length, sha256: sha256(SCENARIO_ZIP), contentType: "application/zip", fromStorage: true, showsSignature: false },
          saveTo: { bytes: SCENARIO_ZIP.length, sha256: sha256(SCENARIO_ZIP) },
          import: { started: SCENARIO.importId, polled: ["InProgress", "Completed"], final: "Completed", articles: 3 },
          denied: { name: "AuthenticationError", status: 401, leaks: [] },
        },
      });
      // Five creates, each with a JWT that verifies and names the secret's id; nothing sent by the second bulk.
      expect(jwtIssuers).toEqual(Array(5).fill(SCENARIO.sharinpixSecretId));
      // The 503 was retried (one GET), then the run was pending, then completed.
      expect(server.requests.filter((r) => r.url === `/gitbook/org/org_1/imports/${SCENARIO.runId}`).length).toBe(3);
      // The key travels in the URL (the API wants it there) and nowhere else.
      expect(server.requests.filter((r) => r.url.startsWith("/importio/")).every((r) => r.url.includes(`_apikey=${SCENARIO.importioKey}`))).toBe(true);
      // Document360's token goes to its API with every call, and never to the storage host: two downloads of the
      // signed link there (the body read, then saveTo), over the runtime's own HTTP client for saveTo.
      const d360Calls = server.requests.filter((r) => r.url.startsWith("/document360/"));
      expect(d360Calls.map((r) => r.headers.api_token)).toEqual(d360Calls.map(() => SCENARIO.document360Token));
      expect(storage.requests.map((r) => `${r.method} ${r.url}`)).toEqual(Array(2).fill(`GET ${storageLink(storage).slice(storage.url.length)}`));
      for (const request of storage.requests) expect(JSON.stringify(request.headers)).not.toContain(SCENARIO.document360Token);
    } finally {
      await Promise.all([server.close(), storage.close()]);
    }
  }, 90_000);
});
