/**
 * The APIs that the cross-environment scenarios call (test/runtimes/smoke.mjs on Node 24, Bun and Deno;
 * test/browser/clients-scenario.mjs in Chromium), played by a fault server: one script, so the runtimes and the
 * browser are held to the same answers. `SCENARIO` is also what the scripts are given (as JSON, with `base`).
 */
import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { FaultServer } from "./fault-server.ts";
import { verifiedClaims } from "./sharinpix-token.ts";

export const SCENARIO = {
  gitbookToken: "gb_scenario_SENTINEL_51d0",
  importioKey: "io_scenario_SENTINEL_77aa",
  sharinpixSecretId: "scenario-id",
  sharinpixSecret: "scenario-secret-5c3e",
  crawlrunId: "8b4c7e6d-3a2f-4b1c-8d0e-6f7a8b9c0d1e",
  runId: "run_1",
} as const;

/** The result file: multi-byte characters, served gzip-encoded. */
export const SCENARIO_CSV = Buffer.from(Array.from({ length: 2_000 }, (_, i) => `https://example.com/p/${i},Item ${i},ünïcödé ${i}\n`).join(""));
/** Three rows and a blank line. */
export const SCENARIO_NDJSON = '{"url":"https://example.com/a","name":"A"}\n{"url":"https://example.com/b","name":"B"}\n\n{"url":"https://example.com/c","name":"C"}\n';

/**
 * Routes the scenario's calls on `server`:
 * - GitBook: a start; the run answers 503 once (retried), then pending, then completed; a 401 that echoes the token;
 * - Import.io: the CSV (gzip) and NDJSON result files; a 404 that echoes the key;
 * - SharinPix: creates that verify the JWT against the secret (401 otherwise); an import's image once polled.
 * Returns the issuer of every verified JWT, in order.
 */
export function routeScenario(server: FaultServer): unknown[] {
  const issuers: unknown[] = [];
  const run = { object: "import-run", id: SCENARIO.runId, status: "pending" };
  server.route("POST /gitbook/org/org_1/imports", { status: 201, json: run });
  server.route(
    `GET /gitbook/org/org_1/imports/${SCENARIO.runId}`,
    { status: 503, json: { error: { code: 503, message: "busy" } } },
    { status: 200, json: run },
    { status: 200, json: { ...run, status: "completed" } },
  );
  server.route("GET /gitbook/org/org_1/imports/denied", { status: 401, json: { error: { code: 401, message: `Invalid token ${SCENARIO.gitbookToken}` } } });
  const crawlrun = `/importio/crawlruns/${SCENARIO.crawlrunId}`;
  server.route(`GET ${crawlrun}/csv`, { status: 200, body: gzipSync(SCENARIO_CSV), headers: { "content-type": "text/csv", "content-encoding": "gzip" } });
  server.route(`GET ${crawlrun}/json`, { status: 200, body: SCENARIO_NDJSON, headers: { "content-type": "application/x-ndjson" } });
  server.route(/^GET \/importio\/crawlruns\/00000000/, { status: 404, json: { code: 404, message: `No crawl run for _apikey=${SCENARIO.importioKey}` } });
  server.route("POST /api/v1/imports", {
    handler: (req, res, body) => {
      const claims = verifiedClaims(req.headers.authorization, SCENARIO.sharinpixSecret);
      if (!claims) return void res.writeHead(401, { "x-message": "Access denied" }).end();
      issuers.push(claims.iss);
      const params = Object.fromEntries(new URLSearchParams(body.toString("utf8")));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: randomUUID(), image_id: null, album_id: params.album_id, import_type: "url", params }));
    },
  });
  server.route(/^GET \/api\/v1\/imports\/[^/?]+/, {
    handler: (req, res) => {
      const id = (req.url ?? "").split("?")[0]!.split("/").pop();
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id, image_id: randomUUID(), album_id: "album-1", import_type: "url" }));
    },
  });
  return issuers;
}
