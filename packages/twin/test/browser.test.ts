/**
 * The twin in a real browser (Debian's Chromium via playwright-core): its main entry bundled by esbuild for the
 * browser (the package's `browser` field swaps Prism's validator out), loaded by a page, and driven there: a GitBook
 * run to completion, a SharinPix JWT minted with the page's WebCrypto and verified by the twin, a Document360 export
 * zip and an Import.io workbook built by fflate, a reset surfacing as a rejected fetch. No request leaves the page's
 * origin: the twin answers in memory.
 *
 * Skipped with a note where there is no Chromium, except in CI (test/chromium.ts).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium, openWatchedPage } from "../../../test/chromium.ts";

const haveBrowser = chromiumAvailable("twin browser test");

// Runs in the page, as a string (the test runner would rewrite a function's `import()` for Node).
const SCENARIO = `
(async () => {
  const { createTwin } = await import("/twin.js");
  const out = {};
  const gitbook = createTwin({ provider: "gitbook" });
  out.validator = await gitbook.ready();
  const h = { authorization: "Bearer " + gitbook.credentials.token, "content-type": "application/json" };
  const org = "https://api.gitbook.com/v1/org/" + gitbook.credentials.organizationId + "/imports";
  const run = await (await gitbook.fetch(org, { method: "POST", headers: h, body: JSON.stringify({ source: { type: "website", url: "https://docs.example.com/" }, target: { space: gitbook.credentials.spaceId } }) })).json();
  const statuses = [];
  for (let s = run.status; s !== "completed"; ) { s = (await (await gitbook.fetch(run.urls.location, { headers: h })).json()).status; statuses.push(s); }
  out.gitbook = statuses;

  const spx = createTwin({ provider: "sharinpix" });
  const b64 = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  const enc = new TextEncoder();
  const head = b64(enc.encode(JSON.stringify({ typ: "JWT", alg: "HS256" }))) + "." + b64(enc.encode(JSON.stringify({ iss: spx.credentials.secretId, admin: true, exp: Math.floor(Date.now() / 1000) + 600 })));
  const key = await crypto.subtle.importKey("raw", enc.encode(spx.credentials.secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const jwt = head + "." + b64(new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(head))));
  const auth = { authorization: 'Token token="' + jwt + '"', "content-type": "application/json" };
  const created = await spx.fetch(spx.baseUrl + "/imports", { method: "POST", headers: auth, body: JSON.stringify({ album_id: spx.credentials.albumId, url: "https://images.example.com/1.png" }) });
  const { id } = await created.json();
  out.sharinpix = { created: created.status, imageSet: (await (await spx.fetch(spx.baseUrl + "/imports/" + id, { headers: auth })).json()).image_id !== null,
    denied: (await spx.fetch(spx.baseUrl + "/imports", { method: "POST", headers: { ...auth, authorization: 'Token token="x.y.z"' }, body: "{}" })).headers.get("x-message") };

  const d360 = createTwin({ provider: "document360" });
  const dh = { api_token: d360.credentials.apiToken, "content-type": "application/json" };
  const exp = await (await d360.fetch("https://apihub.document360.io/v2/Project/Export", { method: "POST", headers: dh, body: JSON.stringify({ entity: "Project" }) })).json();
  let status;
  do status = await (await d360.fetch("https://apihub.document360.io/v2/Project/Export/" + exp.id, { headers: dh })).json(); while (status.status !== "Completed");
  const zip = new Uint8Array(await (await d360.fetch(status.download_url)).arrayBuffer());
  out.document360 = { magic: [zip[0], zip[1]], bytes: zip.length };

  const io = createTwin({ provider: "importio" });
  const xlsx = new Uint8Array(await (await io.fetch("https://api.import.io/crawlruns/" + io.seeded.crawlRunId + "/xlsx?_apikey=" + io.credentials.apiKey)).arrayBuffer());
  out.importio = { magic: [xlsx[0], xlsx[1]] };
  io.failNext("listExtractors", { reset: true });
  out.reset = await io.fetch("https://api.import.io/extractors?_apikey=" + io.credentials.apiKey).then(() => "answered", (e) => e.name + ": " + e.message);
  return out;
})()`;

describe.skipIf(!haveBrowser)("the twin in Chromium", () => {
  let server: Server;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL("../src/index.ts", import.meta.url))],
      bundle: true,
      write: false,
      platform: "browser",
      format: "esm",
      logLevel: "silent",
    });
    const code = bundle.outputFiles[0]!.text;
    server = createServer((req, res) => {
      if (req.url === "/twin.js") return void res.writeHead(200, { "content-type": "text/javascript" }).end(code);
      res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>twin</title>");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("runs the four twins in the page, in memory, with the browser's validator stand-in", async () => {
    const { page, errors, foreign } = await openWatchedPage(browser, origin, "/");
    const seen = await page.evaluate(SCENARIO);
    await page.close();
    expect(seen).toEqual({
      validator: "none",
      gitbook: ["in-progress", "in-progress", "in-progress", "in-progress", "completed"],
      sharinpix: { created: 200, imageSet: true, denied: "Access denied" },
      document360: { magic: [0x50, 0x4b], bytes: expect.any(Number) },
      importio: { magic: [0x50, 0x4b] },
      reset: "TypeError: fetch failed",
    });
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
  });
});
