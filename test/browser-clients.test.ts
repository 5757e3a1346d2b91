/**
 * The clients in a real browser (Debian's Chromium via playwright-core), as the READMEs promise: everything but
 * `saveTo` runs there. The packages are compiled to JavaScript (bench/transpile.mjs) and loaded as plain ES
 * modules with an import map for their two dependencies (openapi-fetch, jose), from a loopback server that also
 * plays the APIs (same origin, so no CORS in the way). In the page (test/browser/clients-scenario.mjs):
 * - GitBook: start, then waitFor through a retried 503; a refused input is a ValidationError; a 401 echoing the
 *   token is an AuthenticationError without it;
 * - Import.io: a gzip result file through download() (the browser's fetch decodes it) and NDJSON rows(); saveTo
 *   ends in a clear ImportkitError before any request (no file system), not in a failed import of node:fs;
 * - SharinPix: a JWT minted with jose on the browser's WebCrypto (verified here), an import created and waited for.
 * Loading the main entries at all proves they import no `node:*` module. No request may leave loopback.
 *
 * Chromium as in test/docs-browser.test.ts: CHROMIUM_PATH or /usr/bin/chromium; skipped with a note where there is
 * none, except in CI.
 */
import { spawnSync } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFaultServer, type FaultServer } from "./fault-server.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveBrowser = existsSync(executablePath);
if (!haveBrowser && process.env.CI) throw new Error(`No Chromium at ${executablePath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
if (!haveBrowser) console.warn(`browser client tests skipped: no Chromium at ${executablePath} (apt-get install -y chromium, or set CHROMIUM_PATH)`);

const GITBOOK_TOKEN = "gb_browser_SENTINEL_3e1f";
const IMPORTIO_KEY = "io_browser_SENTINEL_9b2c";
const SHARINPIX_SECRET = "browser-secret-8d4a";
const CRAWLRUN = "8b4c7e6d-3a2f-4b1c-8d0e-6f7a8b9c0d1e";
const csv = Array.from({ length: 500 }, (_, i) => `https://example.com/p/${i},Item ${i},ünïcödé\n`).join("");
const ndjson = '{"url":"https://example.com/a"}\n{"url":"https://example.com/b"}\n';

/** Static files under a URL prefix, answered through the fault server's routes. */
function serveFiles(server: FaultServer, prefix: string, dir: string): void {
  const types: Record<string, string> = { ".js": "text/javascript", ".mjs": "text/javascript", ".html": "text/html" };
  server.route(
    (request) => request.method === "GET" && request.url.startsWith(`${prefix}/`),
    {
      handler: (req, res) => {
        const path = normalize(decodeURIComponent((req.url ?? "").slice(prefix.length).split("?")[0]!)).replace(/^(\.\.[/\\])+/, "");
        const file = join(dir, path);
        if (!file.startsWith(dir) || !existsSync(file)) return void res.writeHead(404).end();
        res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
      },
    },
  );
}

function verifiedClaims(header: string | undefined, secret: string): Record<string, unknown> | undefined {
  const jwt = /^Token token="([^"]+)"$/.exec(header ?? "")?.[1];
  const [head, payload, signature] = jwt?.split(".") ?? [];
  if (!head || !payload || !signature) return undefined;
  if (createHmac("sha256", secret).update(`${head}.${payload}`).digest("base64url") !== signature) return undefined;
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
}

describe.skipIf(!haveBrowser)("the clients in Chromium", () => {
  // Compiled inside packages/sharinpix, whose node_modules hold openapi-fetch and jose.
  const compiled = join(root, "packages", "sharinpix", `.importkit-browser-${process.pid}`);
  const vendor = (pkg: string, ...path: string[]) => join(root, "packages", "sharinpix", "node_modules", pkg, ...path);
  let server: FaultServer;
  let browser: Browser;
  const issuers: unknown[] = [];

  beforeAll(async () => {
    const built = spawnSync(process.execPath, [join(root, "bench", "transpile.mjs"), compiled, "core", "gitbook", "importio", "sharinpix"], { encoding: "utf8" });
    if (built.status !== 0) throw new Error(`compiling the clients failed:\n${built.stderr}`);
    server = await startFaultServer();
    serveFiles(server, "/lib", compiled);
    serveFiles(server, "/scenario", join(root, "test", "browser"));
    serveFiles(server, "/vendor/openapi-fetch", vendor("openapi-fetch", "dist"));
    serveFiles(server, "/vendor/jose", vendor("jose", "dist", "webapi"));
    const importMap = { imports: { "openapi-fetch": "/vendor/openapi-fetch/index.mjs", jose: "/vendor/jose/index.js" } };
    server.route("GET /", {
      status: 200,
      headers: { "content-type": "text/html" },
      body: `<!doctype html><html><head><script type="importmap">${JSON.stringify(importMap)}</script></head><body>clients</body></html>`,
    });

    const run = { object: "import-run", id: "run_b", status: "pending" };
    server.route("POST /gitbook/org/org_1/imports", { status: 201, json: run });
    server.route(
      "GET /gitbook/org/org_1/imports/run_b",
      { status: 503, json: { error: { code: 503, message: "busy" } } },
      { status: 200, json: run },
      { status: 200, json: { ...run, status: "completed" } },
    );
    server.route("GET /gitbook/org/org_1/imports/denied", { status: 401, json: { error: { code: 401, message: `Invalid token ${GITBOOK_TOKEN}` } } });
    server.route(`GET /importio/crawlruns/${CRAWLRUN}/csv`, { status: 200, body: gzipSync(csv), headers: { "content-type": "text/csv", "content-encoding": "gzip" } });
    server.route(`GET /importio/crawlruns/${CRAWLRUN}/json`, { status: 200, body: ndjson, headers: { "content-type": "application/x-ndjson" } });
    const created = { id: "5c4a7f2e-0b1d-4e8a-9f3c-2d6b8a1e0f77", image_id: null, album_id: "album-1", import_type: "url" };
    server.route("POST /api/v1/imports", {
      handler: (req, res) => {
        const claims = verifiedClaims(req.headers.authorization, SHARINPIX_SECRET);
        if (!claims) return void res.writeHead(401, { "x-message": "Access denied" }).end();
        issuers.push(claims.iss);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(created));
      },
    });
    server.route(`GET /api/v1/imports/${created.id}`, { status: 200, json: created }, { status: 200, json: { ...created, image_id: randomUUID() } });

    browser = await chromium.launch({
      executablePath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(compiled, { recursive: true, force: true });
  });

  it("GitBook, Import.io and SharinPix run in the page; saveTo says it needs a file system", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    const foreign: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(`${server.url}/`)) return route.continue();
      foreign.push(url);
      return route.abort();
    });
    await page.goto(`${server.url}/`);

    const config = { base: server.url, gitbookToken: GITBOOK_TOKEN, importioKey: IMPORTIO_KEY, crawlrunId: CRAWLRUN, sharinpixSecret: SHARINPIX_SECRET };
    // A string, not a function: the test runner would rewrite a function's `import()` for Node.
    const seen = await page.evaluate(`import("${server.url}/scenario/clients-scenario.mjs").then((m) => m.run(${JSON.stringify(config)}))`);
    await page.close();

    expect(seen).toEqual({
      gitbook: { started: "run_b", final: "completed", polled: ["pending", "completed"] },
      refused: { isValidationError: true, fields: ["target"] },
      denied: { isAuthenticationError: true, leaks: false },
      download: { length: csv.length, firstLine: "https://example.com/p/0,Item 0,ünïcödé" },
      rows: 2,
      saveTo: { isImportkitError: true, message: expect.stringContaining("saveTo needs a file system"), leaks: false },
      sharinpix: { created: "5c4a7f2e-0b1d-4e8a-9f3c-2d6b8a1e0f77", imageSet: true },
    });
    // saveTo gave up before any request for the file: the only CSV request is download()'s.
    expect(server.requests.filter((r) => r.url.startsWith(`/importio/crawlruns/${CRAWLRUN}/csv`))).toHaveLength(1);
    expect(issuers).toEqual(["browser-id"]);
    expect(foreign, "requests that left loopback").toEqual([]);
    expect(errors, "script errors").toEqual([]);
  }, 60_000);
});
