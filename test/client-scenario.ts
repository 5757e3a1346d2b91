/**
 * The APIs that the cross-environment scenarios call (test/runtimes/smoke.mjs on Node 24, Bun and Deno;
 * test/browser/<provider>.mjs bundled for Chromium), played by fault servers: one script, so the runtimes and the
 * browser are held to the same answers. `SCENARIO` is also what the scripts are given (as JSON, with `base`, the API
 * origin, and `storage`, the origin of Document360's storage link).
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
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
  document360Token: "d360_scenario_SENTINEL_9b2f",
  exportId: "69c2a0ee-bbac-4563-921c-08efef575b64",
  importId: "e39bf9be-67be-4658-b28d-45d5794b25b0",
  /** An id the API answers with a 401 that echoes the token. */
  deniedExportId: "00000000-0000-4000-8000-000000000401",
  /** The signature of the export's storage link (as an Azure SAS `sig`): a credential of its own. */
  storageSignature: "SIG_scenario_SENTINEL_3c7d",
} as const;

/** The result file: multi-byte characters, served gzip-encoded. */
export const SCENARIO_CSV = Buffer.from(Array.from({ length: 2_000 }, (_, i) => `https://example.com/p/${i},Item ${i},ünïcödé ${i}\n`).join(""));
/** The export's zip (packages/document360/test/fixtures/export.zip: a real zip of a small exported project). */
export const SCENARIO_ZIP = readFileSync(new URL("../packages/document360/test/fixtures/export.zip", import.meta.url));
/** Where the finished export says its zip is: another origin (a storage host), signed. */
export const storageLink = (storage: FaultServer) => `${storage.url}/exp/project-export.zip?sv=2024-01-01&sig=${SCENARIO.storageSignature}`;

/** Three rows and a blank line. */
export const SCENARIO_NDJSON = '{"url":"https://example.com/a","name":"A"}\n{"url":"https://example.com/b","name":"B"}\n\n{"url":"https://example.com/c","name":"C"}\n';

/**
 * Routes the scenario's calls on `server`:
 * - GitBook: a start; the run answers 503 once (retried), then pending, then completed; a 401 that echoes the token;
 * - Import.io: the CSV (gzip) and NDJSON result files; a 404 that echoes the key;
 * - SharinPix: creates that verify the JWT against the secret (401 otherwise); an import's image once polled;
 * - Document360 (under /document360): an export Initiated, then InProgress, then Completed with a signed link to its
 *   zip on `storage` (another origin, which answers CORS as a storage host configured for browsers does: any origin,
 *   the headers a preflight asks for, so a token sent there would arrive and be seen); an import Queued, InProgress,
 *   Completed with its log; a 401 that echoes the token.
 * Returns the issuer of every verified JWT, in order.
 */
export function routeScenario(server: FaultServer, storage: FaultServer): unknown[] {
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

  const envelope = { extension_data: null, success: true, errors: [], warnings: [], information: [] };
  const d360 = "/document360/v2/Project";
  server.route(`POST ${d360}/Export`, { status: 200, json: { ...envelope, id: SCENARIO.exportId, status: "Initiated" } });
  server.route(
    `GET ${d360}/Export/${SCENARIO.exportId}`,
    { status: 200, json: { ...envelope, status: "InProgress", download_url: null } },
    { status: 200, json: { ...envelope, status: "Completed", download_url: storageLink(storage) } },
  );
  server.route(`GET ${d360}/Export/${SCENARIO.deniedExportId}`, {
    status: 401,
    json: { ...envelope, success: false, errors: [{ description: `Invalid api_token ${SCENARIO.document360Token}`, error_code: "401" }] },
  });
  server.route(`POST ${d360}/Import`, { status: 200, json: { ...envelope, id: SCENARIO.importId, status: "Queued" } });
  const log = { new_versions: 1, categories: 2, articles: 3, languages: "1", messages: [{ message_type: 2, message: "Import completed.", cancel_operation: false }] };
  server.route(
    `GET ${d360}/Import/${SCENARIO.importId}`,
    { status: 200, json: { ...envelope, status: "InProgress", import_documentation_log: null } },
    { status: 200, json: { ...envelope, status: "Completed", import_documentation_log: log } },
  );
  const cors = { "access-control-allow-origin": "*" };
  storage.route("OPTIONS /exp/project-export.zip", {
    handler: (req, res) => {
      const asked = req.headers["access-control-request-headers"];
      res.writeHead(204, { ...cors, "access-control-allow-methods": "GET", ...(asked ? { "access-control-allow-headers": asked } : {}) }).end();
    },
  });
  storage.route("GET /exp/project-export.zip", {
    status: 200,
    body: SCENARIO_ZIP,
    headers: { ...cors, "content-type": "application/zip", "content-length": String(SCENARIO_ZIP.length) },
  });
  return issuers;
}
