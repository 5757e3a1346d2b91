/**
 * The clients in a real browser (Debian's Chromium via playwright-core), as the READMEs promise: everything but
 * `saveTo` runs there. The built packages (the one build's `dist/`, scripts/built.ts) are served as plain ES modules
 * with an import map made from their package.json `exports` (and their two dependencies, openapi-fetch and jose),
 * from a loopback server that also plays the APIs (same origin, so no CORS in the way). In the page
 * (test/browser/clients-scenario.mjs), importing the packages by name:
 * - GitBook: start, then waitFor through a retried 503; a refused input is a ValidationError; a 401 echoing the
 *   token is an AuthenticationError without it;
 * - Import.io: a gzip result file through download() (the browser's fetch decodes it) and NDJSON rows(); saveTo
 *   ends in a clear ImportkitError before any request (no file system), not in a failed import of node:fs;
 * - SharinPix: a JWT minted with jose on the browser's WebCrypto (verified here), an import created and waited for.
 * Loading the main entries at all proves they import no `node:*` module. No request may leave loopback.
 *
 * Chromium as test/chromium.ts finds it (skipped with a note where there is none, except in CI).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPackages } from "../scripts/built.ts";
import { chromiumAvailable, launchChromium, openWatchedPage } from "./chromium.ts";
import { serveFiles, startFaultServer, type FaultServer } from "./fault-server.ts";
import { routeScenario, SCENARIO, SCENARIO_CSV } from "./client-scenario.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const haveBrowser = chromiumAvailable("browser client tests");

describe.skipIf(!haveBrowser)("the clients in Chromium", () => {
  const PACKAGES = ["core", "gitbook", "importio", "sharinpix"];
  const vendor = (pkg: string, ...path: string[]) => join(root, "packages", "sharinpix", "node_modules", pkg, ...path);
  let server: FaultServer;
  let browser: Browser;
  let issuers: unknown[] = [];

  beforeAll(async () => {
    buildPackages(PACKAGES);
    server = await startFaultServer();
    // jose's entries as its package.json `exports` map them (SharinPix imports `jose/jwt/sign`).
    const imports: Record<string, string> = { "openapi-fetch": "/vendor/openapi-fetch/index.mjs", jose: "/vendor/jose/index.js", "jose/jwt/sign": "/vendor/jose/jwt/sign.js" };
    for (const pkg of PACKAGES) {
      serveFiles(server, `/lib/${pkg}`, join(root, "packages", pkg, "dist"));
      Object.assign(imports, importMapOf(pkg));
    }
    serveFiles(server, "/scenario", join(root, "test", "browser"));
    serveFiles(server, "/vendor/openapi-fetch", vendor("openapi-fetch", "dist"));
    serveFiles(server, "/vendor/jose", vendor("jose", "dist", "webapi"));
    const importMap = { imports };
    server.route("GET /", {
      status: 200,
      headers: { "content-type": "text/html" },
      body: `<!doctype html><html><head><script type="importmap">${JSON.stringify(importMap)}</script></head><body>clients</body></html>`,
    });

    issuers = routeScenario(server);

    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("GitBook, Import.io and SharinPix run in the page; saveTo says it needs a file system", async () => {
    // The console is left out: Chromium logs there each error status the scenario provokes on purpose.
    const { page, errors, foreign } = await openWatchedPage(browser, server.url, "/", { consoleErrors: false });

    const config = { ...SCENARIO, base: server.url };
    // A string, not a function: the test runner would rewrite a function's `import()` for Node.
    const seen = await page.evaluate(`import("${server.url}/scenario/clients-scenario.mjs").then((m) => m.run(${JSON.stringify(config)}))`);
    await page.close();

    expect(seen).toEqual({
      gitbook: { started: SCENARIO.runId, final: "completed", polled: ["pending", "completed"] },
      refused: { isValidationError: true, fields: ["target"] },
      denied: { isAuthenticationError: true, leaks: false },
      download: { text: SCENARIO_CSV.toString("utf8") },
      rows: 3,
      saveTo: { isImportkitError: true, message: expect.stringContaining("saveTo needs a file system"), leaks: false },
      sharinpix: { created: expect.stringMatching(/^[0-9a-f-]{36}$/), imageSet: true },
    });
    // saveTo gave up before any request for the file: the only CSV request is download()'s.
    expect(server.requests.filter((r) => r.url.startsWith(`/importio/crawlruns/${SCENARIO.crawlrunId}/csv`))).toHaveLength(1);
    expect(issuers).toEqual([SCENARIO.sharinpixSecretId]);
    expect(foreign, "requests that left loopback").toEqual([]);
    expect(errors, "script errors").toEqual([]);
  }, 60_000);
});

/**
 * `@importkit/<pkg>[/<subpath>]` → `/lib/<pkg>/…` for each export of the package, taking the target a browser
 * would (`browser`, `import` or `default`; never the `importkit-source` condition, which only the workspace's
 * typecheck uses).
 */
function importMapOf(pkg: string): Record<string, string> {
  const manifest = JSON.parse(readFileSync(join(root, "packages", pkg, "package.json"), "utf8")) as { name: string; exports: Record<string, unknown> };
  const target = (value: unknown): string | undefined => {
    if (typeof value === "string") return value;
    if (!value || typeof value !== "object") return undefined;
    for (const condition of ["browser", "import", "default"]) {
      const found = target((value as Record<string, unknown>)[condition]);
      if (found) return found;
    }
    return undefined;
  };
  const map: Record<string, string> = {};
  for (const [subpath, value] of Object.entries(manifest.exports)) {
    const file = target(value);
    if (!file || subpath.includes("*") || !file.startsWith("./dist/")) continue;
    map[`${manifest.name}${subpath.slice(1)}`] = `/lib/${pkg}/${file.slice("./dist/".length)}`;
  }
  return map;
}
