/**
 * The offline reference pages in a real browser (Debian's Chromium, driven by playwright-core): each page of
 * @importkit/docs as it ships (the one build, scripts/built.ts, brings packages/docs/dist up to date with the specs
 * first), served from loopback, must
 * - load without a request leaving loopback (no CDN: `--inlineBundle` put Redoc's scripts in the page),
 * - run without a script error,
 * - show the API's title, and in its sidebar every tag of the spec with every operation under it, and
 * - take a reader from the sidebar to an operation (the address names it, its heading comes into view).
 * The index page must link to every page.
 *
 * Chromium as test/chromium.ts finds it (skipped with a note where there is none, except in CI).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildPackages } from "../scripts/built.ts";
import { chromiumAvailable, launchChromium, openWatchedPage } from "./chromium.ts";
import { serveFiles, startFaultServer, type FaultServer } from "./fault-server.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const haveBrowser = chromiumAvailable("docs browser tests");

const PROVIDERS = ["gitbook", "importio", "document360", "sharinpix"] as const;
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

interface Operation {
  operationId: string;
  summary: string;
  tag: string;
}

/** Title and operations as the bundled spec (the page's own input) states them. */
function specOf(provider: string): { title: string; operations: Operation[]; tags: string[] } {
  const spec = parse(readFileSync(join(root, "packages", "specs", "dist", `${provider}.yaml`), "utf8")) as {
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

describe.skipIf(!haveBrowser)("reference pages in Chromium", () => {
  let browser: Browser;
  let server: FaultServer;

  beforeAll(async () => {
    buildPackages(["docs"]);
    server = await startFaultServer();
    serveFiles(server, "", join(root, "packages", "docs", "dist"));
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const openPage = (path: string) => openWatchedPage(browser, server.url, path);

  it.each(PROVIDERS)("%s: loads offline, lists every operation, and the sidebar leads to one", async (provider) => {
    const { title, operations, tags } = specOf(provider);
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
      const { title } = specOf("sharinpix");
      await page.getByRole("link", { name: title }).click();
      await page.getByRole("heading", { level: 1 }).filter({ hasText: title }).waitFor({ timeout: 30_000 });
      expect(page.url()).toBe(`${server.url}/sharinpix.html`);
      expect(foreign).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
