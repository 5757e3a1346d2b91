/**
 * The offline reference pages in a real browser (Debian's Chromium, driven by playwright-core): each page is built
 * fresh from the specs (`scripts/build.mjs --specs-only --out <tmp>`), served from loopback, and must
 * - load without a request leaving loopback (no CDN: `--inlineBundle` put Redoc's scripts in the page),
 * - run without a script error,
 * - show the API's title, and in its sidebar every tag of the spec with every operation under it, and
 * - take a reader from the sidebar to an operation (the address names it, its heading comes into view).
 * The index page must link to every page.
 *
 * Chromium: CHROMIUM_PATH, else /usr/bin/chromium (`apt-get install -y chromium`; .ci/run installs it). Where there
 * is none, the tests are skipped with a note, except in CI, where a missing browser fails them.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = fileURLToPath(new URL("..", import.meta.url));
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveBrowser = existsSync(executablePath);
if (!haveBrowser && process.env.CI) {
  throw new Error(`No Chromium at ${executablePath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
}
if (!haveBrowser) console.warn(`docs browser tests skipped: no Chromium at ${executablePath} (apt-get install -y chromium, or set CHROMIUM_PATH)`);

const PROVIDERS = ["gitbook", "importio", "document360", "sharinpix"] as const;
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

interface Operation {
  operationId: string;
  summary: string;
  tag: string;
}

/** Title and operations as the bundled spec (the page's own input) states them. */
function specOf(dir: string, provider: string): { title: string; operations: Operation[]; tags: string[] } {
  const spec = parse(readFileSync(join(dir, `${provider}.yaml`), "utf8")) as {
    info: { title: string };
    tags?: Array<{ name: string }>;
    paths: Record<string, Record<string, { operationId: string; summary?: string; tags?: string[] }>>;
  };
  const operations = Object.values(spec.paths).flatMap((item) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([, op]) => ({ operationId: op.operationId, summary: op.summary ?? op.operationId, tag: op.tags?.[0] ?? "default" })),
  );
  return { title: spec.info.title, operations, tags: [...new Set(operations.map((op) => op.tag))] };
}

/** An operation's entry in the sidebar (Redoc links operations by `#/<tag>/<operationid>`). */
const sidebarEntry = (page: Page, op: Operation) => page.locator('a[href^="#/"]', { hasText: op.summary }).first();

function serveStatic(dir: string): Promise<{ server: Server; origin: string }> {
  const types: Record<string, string> = { ".html": "text/html; charset=utf-8", ".yaml": "text/yaml", ".json": "application/json" };
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(dir, path.endsWith("/") ? `${path}index.html` : path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

describe.skipIf(!haveBrowser)("reference pages in Chromium", () => {
  const out = mkdtempSync(join(tmpdir(), "importkit-docs-"));
  let browser: Browser;
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    const built = spawnSync(process.execPath, [join(root, "scripts", "build.mjs"), "--specs-only", "--out", out], { encoding: "utf8" });
    if (built.status !== 0) throw new Error(`building the docs failed:\n${built.stdout}\n${built.stderr}`);
    ({ server, origin } = await serveStatic(join(out, "docs")));
    browser = await chromium.launch({
      executablePath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(out, { recursive: true, force: true });
  });

  /** A fresh page that records script errors and every request not addressed to our loopback server (refused). */
  async function openPage(path: string): Promise<{ page: Page; errors: string[]; foreign: string[] }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    const foreign: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`) || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
      foreign.push(url);
      return route.abort();
    });
    await page.goto(`${origin}${path}`, { waitUntil: "load" });
    return { page, errors, foreign };
  }

  it.each(PROVIDERS)("%s: loads offline, lists every operation, and the sidebar leads to one", async (provider) => {
    const { title, operations, tags } = specOf(out, provider);
    expect(operations.length).toBeGreaterThan(0);
    const { page, errors, foreign } = await openPage(`/${provider}.html`);
    try {
      // Redoc renders after its bundle ran: wait for the API's title.
      await page.getByRole("heading", { level: 1 }).filter({ hasText: title }).waitFor({ timeout: 30_000 });

      // Each tag opens in the sidebar onto its operations.
      const missing: string[] = [];
      for (const tag of tags) {
        await page.getByRole("link", { name: tag, exact: true }).first().click();
        for (const op of operations.filter((o) => o.tag === tag)) {
          if (!(await sidebarEntry(page, op).isVisible())) missing.push(`${tag} › ${op.operationId}`);
        }
      }
      expect(missing, "operations missing from the sidebar").toEqual([]);

      // Clicking the last operation: the address names it and its heading comes into view.
      const target = operations[operations.length - 1]!;
      await sidebarEntry(page, target).click();
      await expect
        .poll(() => page.evaluate(() => decodeURIComponent(location.hash).toLowerCase()), { timeout: 10_000 })
        .toContain(target.operationId.toLowerCase());
      const heading = page.getByRole("heading", { level: 2 }).filter({ hasText: target.summary }).first();
      await expect.poll(() => heading.isVisible(), { timeout: 10_000 }).toBe(true);
      await expect
        .poll(async () => {
          const box = await heading.boundingBox();
          return box !== null && box.y >= -1 && box.y < page.viewportSize()!.height;
        }, { timeout: 10_000 })
        .toBe(true);

      expect(foreign, "requests that left loopback").toEqual([]);
      expect(errors, "script errors").toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it("the index links to every page, and a link opens it", async () => {
    const { page, errors, foreign } = await openPage("/");
    try {
      const links = await page.locator("a").evaluateAll((anchors) => anchors.map((a) => (a as HTMLAnchorElement).getAttribute("href")));
      expect(links.sort()).toEqual(PROVIDERS.map((p) => `./${p}.html`).sort());
      const { title } = specOf(out, "sharinpix");
      await page.getByRole("link", { name: title }).click();
      await page.getByRole("heading", { level: 1 }).filter({ hasText: title }).waitFor({ timeout: 30_000 });
      expect(page.url()).toBe(`${origin}/sharinpix.html`);
      expect(foreign).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
