/**
 * Debian's Chromium, driven by playwright-core, for the tests that need a real browser (test/docs-browser.test.ts,
 * test/browser-clients.test.ts). A test tool's own browser download cannot work on these machines.
 *
 * CHROMIUM_PATH, else /usr/bin/chromium (`apt-get install -y chromium`; .ci/run installs it). Where there is none,
 * `chromiumAvailable` says so once and the tests are skipped, except in CI, where a missing browser fails them.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Whether Chromium is there; `what` names the skipped tests in the note. Throws in CI instead of skipping. */
export function chromiumAvailable(what: string): boolean {
  if (existsSync(chromiumPath)) return true;
  if (process.env.CI) throw new Error(`No Chromium at ${chromiumPath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  console.warn(`${what} skipped: no Chromium at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  return false;
}

/** Headless, and without the background connections this machine's closed network refuses. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}

export interface WatchedPage {
  page: Page;
  /** Script errors, and console errors where asked for. */
  errors: string[];
  /** Every request not addressed to `origin` (or an origin of `alsoAllowed`): refused, and listed here. */
  foreign: string[];
}

/**
 * A fresh page at `origin + path` that refuses and records every request leaving `origin` (data: and blob: URLs
 * stay in the page, and so do requests to the origins of `alsoAllowed`, e.g. a second loopback server playing a
 * storage host) and records script errors. `consoleErrors: false` leaves out the console, where Chromium reports
 * every error status a page's fetch receives.
 */
export async function openWatchedPage(
  browser: Browser,
  origin: string,
  path: string,
  options: { consoleErrors?: boolean; alsoAllowed?: readonly string[] } = {},
): Promise<WatchedPage> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const foreign: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  if (options.consoleErrors !== false) {
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
  }
  const allowed = [origin, ...(options.alsoAllowed ?? [])].map((o) => `${o}/`);
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (allowed.some((prefix) => url.startsWith(prefix)) || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  await page.goto(`${origin}${path}`, { waitUntil: "load" });
  return { page, errors, foreign };
}
