/**
 * The clients in a real browser (Debian's Chromium via playwright-core), as a web app ships them: each provider's
 * main flow (test/browser/<provider>.mjs, importing its package by name) is bundled by esbuild (`platform:
 * "browser"`) and by Vite (test/browser-bundle.mjs) from the packages as they ship (the one build's dist/,
 * scripts/built.ts), and each bundle runs in a page against loopback servers playing the APIs
 * (test/client-scenario.ts; the page's own origin, so no CORS in the way) and Document360's storage host (another
 * origin, as in production). For each bundler:
 * - the bundle was made without an error, a warning (Vite's "externalized for browser compatibility" above all) or
 *   a `node:` import left in it: a browser bundle needs no Node built-in, and each export condition a browser
 *   takes (core's `#files` → its browser stand-in) was taken;
 * - GitBook: start, then waitFor through a retried 503; a refused input is a ValidationError; a 401 echoing the
 *   token is an AuthenticationError without it;
 * - Import.io: a gzip result file through download() (the browser's fetch decodes it) and NDJSON rows(); saveTo
 *   ends in a clear ImportkitError before any request, loading the file-helper chunk the bundler split off;
 * - Document360: an export started and waited for, its zip read from the storage link intact (SHA-256 on
 *   WebCrypto), the storage origin never sent the api_token; an import waited for; saveTo
 *   refused before any request; a 401 echoing the token as an AuthenticationError without it;
 * - SharinPix: a JWT minted with jose on the browser's WebCrypto (verified here), an import created and waited for.
 * No request may leave loopback. Prints each bundle's size (informational: the budgets are scripts/size.mjs's).
 *
 * Chromium as test/chromium.ts finds it (skipped with a note where there is none, except in CI).
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPackages } from "../scripts/built.ts";
import { chromiumAvailable, launchChromium, openWatchedPage } from "./chromium.ts";
import { routeScenario, SCENARIO, SCENARIO_CSV, SCENARIO_ZIP, storageLink } from "./client-scenario.ts";
import { serveFiles, startFaultServer, type FaultServer } from "./fault-server.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const haveBrowser = chromiumAvailable("browser client tests");

const PROVIDERS = ["gitbook", "importio", "document360", "sharinpix"] as const;
type Provider = (typeof PROVIDERS)[number];
const BUNDLERS = ["esbuild", "vite"] as const;
type Bundler = (typeof BUNDLERS)[number];

/** What test/browser-bundle.mjs reports of one bundle. */
interface Bundle {
  /** The file to import (undefined when the build failed). */
  entry: string | undefined;
  files: string[];
  bytes: number;
  gzipped: number;
  /** Errors, warnings and `node:` imports: each one a reason the bundle is not fit for a browser. */
  problems: string[];
}

/** What each provider's scenario must have seen, whichever bundler made it. */
const EXPECTED: Record<Provider, unknown> = {
  gitbook: {
    started: SCENARIO.runId,
    final: "completed",
    polled: ["pending", "completed"],
    refused: { isValidationError: true, fields: ["target"] },
    denied: { isAuthenticationError: true, status: 401, leaks: false },
  },
  importio: {
    text: SCENARIO_CSV.toString("utf8"),
    rows: 3,
    saveTo: { isImportkitError: true, message: expect.stringContaining("saveTo needs a file system"), leaks: false },
  },
  document360: {
    export: { started: SCENARIO.exportId, polled: ["InProgress", "Completed"], final: "Completed" },
    download: {
      bytes: SCENARIO_ZIP.length,
      sha256: createHash("sha256").update(SCENARIO_ZIP).digest("hex"),
      contentType: "application/zip",
      contentLength: SCENARIO_ZIP.length,
      fromStorage: true,
      showsSignature: false,
    },
    saveTo: { isImportkitError: true, message: expect.stringContaining("saveTo needs a file system"), leaks: false },
    import: { started: SCENARIO.importId, polled: ["InProgress", "Completed"], final: "Completed", articles: 3 },
    denied: { isAuthenticationError: true, status: 401, leaks: false },
  },
  sharinpix: { created: expect.stringMatching(/^[0-9a-f-]{36}$/), imageSet: true },
};

describe.skipIf(!haveBrowser)("the clients bundled for browsers, in Chromium", () => {
  let out: string;
  let bundles: Record<string, Bundle> = {};
  const bundleOf = (bundler: Bundler, provider: Provider) => bundles[`${bundler}/${provider}`]!;
  let browser: Browser;

  beforeAll(async () => {
    buildPackages(["core", ...PROVIDERS]);
    out = mkdtempSync(join(tmpdir(), "importkit-bundles-"));
    const launched = launchChromium();
    // One bundle per provider and bundler, as an app using one client would have, made in a process of its own
    // (see test/browser-bundle.mjs: NODE_ENV must not be the test runner's).
    const { NODE_ENV: _testRunners, ...env } = process.env;
    const entries = PROVIDERS.map((provider) => `${provider}=${join(root, "test", "browser", `${provider}.mjs`)}`);
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, "test", "browser-bundle.mjs"), out, ...entries], { cwd: root, env });
    bundles = JSON.parse(stdout) as Record<string, Bundle>;
    browser = await launched;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (out) rmSync(out, { recursive: true, force: true });
    const rows = Object.entries(bundles).map(
      ([name, { files, bytes, gzipped }]) => `${name.padEnd(20)} ${String(bytes).padStart(7)} B  ${String(gzipped).padStart(6)} B gzip  (${files.length} files)`,
    );
    if (rows.length) console.log(`browser bundles (informational; the budgets are scripts/size.mjs's)\n${rows.join("\n")}`);
  });

  describe.each(BUNDLERS)("bundled by %s", (bundler) => {
    // Servers of their own: the scenario's answers (the GitBook run's 503, pending, completed…) are per run.
    let api: FaultServer;
    let storage: FaultServer;
    let issuers: unknown[];

    beforeAll(async () => {
      [api, storage] = await Promise.all([startFaultServer(), startFaultServer()]);
      issuers = routeScenario(api, storage);
      api.route("GET /", { status: 200, headers: { "content-type": "text/html" }, body: "<!doctype html><html><body>clients</body></html>" });
      // Each bundle at /bundles/<provider>/: its entry, and the chunks the entry imports by relative URLs.
      serveFiles(api, "/bundles", join(out, bundler));
    });
    afterAll(async () => {
      await Promise.all([api?.close(), storage?.close()]);
    });

    it.each(PROVIDERS)(`%s: bundled without a warning or a Node built-in, runs in the page`, async (provider) => {
      const bundle = bundleOf(bundler, provider);
      expect(bundle.problems, `${bundler} bundling ${provider}`).toEqual([]);
      expect(bundle.entry).toBeDefined();

      // The console is left out: Chromium logs there each error status the scenario provokes on purpose.
      const { page, errors, foreign } = await openWatchedPage(browser, api.url, "/", { consoleErrors: false, alsoAllowed: [storage.url] });
      const config = { ...SCENARIO, base: api.url, storage: storage.url };
      // A string, not a function: the test runner would rewrite a function's `import()` for Node.
      const seen = await page.evaluate(`import("/bundles/${provider}/${bundle.entry}").then((m) => m.run(${JSON.stringify(config)}))`);
      await page.close();

      expect(seen).toEqual(EXPECTED[provider]);
      expect(foreign, "requests that left loopback").toEqual([]);
      expect(errors, "script errors").toEqual([]);
      const loaded = api.requests.filter((r) => r.url.startsWith(`/bundles/${provider}/`)).map((r) => r.url.split("/").pop());
      expect(loaded.filter((file) => !bundle.files.includes(file!)), "files the page asked for that the bundler did not make").toEqual([]);

      if (provider === "importio") {
        // saveTo gave up before any request for the file, once it had loaded the file-helper chunk the bundler split off.
        expect(api.requests.filter((r) => r.url.startsWith(`/importio/crawlruns/${SCENARIO.crawlrunId}/csv`))).toHaveLength(1);
        expect(loaded.length, "the entry and the split-off file-helper chunk").toBeGreaterThan(1);
      }
      if (provider === "document360") {
        const apiCalls = api.requests.filter((r) => r.url.startsWith("/document360/"));
        expect(apiCalls.map((r) => r.headers.api_token)).toEqual(apiCalls.map(() => SCENARIO.document360Token));
        // The storage host: one download (saveTo asked for none), signed, and never the token. (Chromium's CORS
        // preflight, were one needed, is answered by playwright's request routing: the GET carries what the client set.)
        const gets = storage.requests.filter((r) => r.method === "GET");
        expect(gets.map((r) => r.url)).toEqual([storageLink(storage).slice(storage.url.length)]);
        for (const request of storage.requests) {
          expect(request.headers.api_token, `${request.method} to storage`).toBeUndefined();
          expect(JSON.stringify(request.headers)).not.toContain(SCENARIO.document360Token);
        }
      }
      if (provider === "sharinpix") expect(issuers).toEqual([SCENARIO.sharinpixSecretId]);
    }, 60_000);
  });
});
