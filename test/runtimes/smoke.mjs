// What test/runtimes.test.ts runs in each other runtime (Node 24, Bun, Deno): the built packages, imported by name
// as users do (they resolve through the repository's node_modules to each package's `exports`, i.e. its dist/),
// against the loopback servers of that test. Plain JavaScript with only web APIs and node:crypto/node:fs, which all
// three provide. Prints one JSON line of what it saw; the test judges it.
//   <runtime> smoke.mjs <config JSON> <work dir>
// The config is test/client-scenario.ts's SCENARIO with `base`, the origin of the server playing the APIs, and
// `storage`, the origin of the storage host Document360's export link points at.
const [configJson, workDir] = typeof Deno !== "undefined" ? Deno.args : process.argv.slice(2);
const config = JSON.parse(configJson);
const { base: server, gitbookToken: GITBOOK_TOKEN, importioKey: IMPORTIO_KEY, crawlrunId, sharinpixSecretId, sharinpixSecret } = config;
const { createHash } = await import("node:crypto");
const { readFileSync } = await import("node:fs");

const { createGitBookClient, ValidationError, AuthenticationError } = await import("@importkit/gitbook");
const { createImportIoClient } = await import("@importkit/importio");
const { createSharinPixClient } = await import("@importkit/sharinpix");
const { createDocument360Client } = await import("@importkit/document360");
const { fileDownloadTransport } = await import("@importkit/core/node");

const out = {
  runtime: typeof Bun !== "undefined" ? `bun ${Bun.version}` : typeof Deno !== "undefined" ? `deno ${Deno.version.deno}` : `node ${process.version}`,
  saveToTransport: fileDownloadTransport() ? "node:http" : "fetch",
};
const leaks = (error, ...secrets) => {
  const text = `${error?.message}\n${error?.stack}\n${JSON.stringify(error)}\n${String(error)}`;
  return secrets.filter((secret) => text.includes(secret));
};

// GitBook: start, then waitFor through a 503 (retried), pending and completed.
const gitbook = createGitBookClient({ token: GITBOOK_TOKEN, baseUrl: `${server}/gitbook` });
const started = await gitbook.imports.start({ organizationId: "org_1", source: { type: "website", url: "https://example.com" }, target: { space: "s" } });
const polled = [];
const done = await gitbook.imports.waitFor(started.id, { organizationId: "org_1" }, { interval: 10, onProgress: (run) => polled.push(run.status) });
out.gitbook = { started: started.id, final: done.status, polled };

// Bad input: refused before sending, as the exported class.
const refused = await gitbook.imports.start({ organizationId: "org_1", source: { type: "website", url: "https://example.com" } }).catch((e) => e);
out.validation = { isValidationError: refused instanceof ValidationError, fields: refused.issues?.map((i) => i.path) };

// A 401 that echoes the token: typed, and the token is nowhere in the error.
const denied = await gitbook.imports.get("denied", { organizationId: "org_1" }).catch((e) => e);
out.denied = { isAuthenticationError: denied instanceof AuthenticationError, status: denied.status, leaks: leaks(denied, GITBOOK_TOKEN) };

// Import.io: a gzip-encoded result file saved to disk, and NDJSON rows.
const importio = createImportIoClient({ apiKey: IMPORTIO_KEY, baseUrl: `${server}/importio` });
const path = `${workDir}/results.csv`;
const saved = await importio.crawlRuns.download(crawlrunId, "csv").saveTo(path);
out.saveTo = { bytes: saved.bytes, sha256: createHash("sha256").update(readFileSync(path)).digest("hex") };
const rows = [];
for await (const row of importio.crawlRuns.rows(crawlrunId)) rows.push(row);
out.rows = rows.length;
const missing = await importio.crawlRuns.get("00000000-0000-4000-8000-000000000000").catch((e) => e);
out.importioError = { name: missing.name, status: missing.status, leaks: leaks(missing, IMPORTIO_KEY) };

// SharinPix: JWTs minted with jose on this runtime's WebCrypto, a bulk import with a checkpoint file, then the
// same bulk again: the checkpoint must skip every item.
const sharinpix = createSharinPixClient({ secretUrl: `sharinpix://${sharinpixSecretId}:${sharinpixSecret}@api.sharinpix.com/api/v1`, baseUrl: `${server}/api/v1` });
const items = Array.from({ length: 5 }, (_, i) => ({ album_id: "album-1", url: `https://example.com/${i}.jpg` }));
const checkpoint = `${workDir}/bulk.checkpoint`;
const first = await sharinpix.imports.bulk(items, { concurrency: 2, checkpoint });
const again = await sharinpix.imports.bulk(items, { concurrency: 2, checkpoint });
out.bulk = { imported: first.imported.length, failed: first.failed.length, againImported: again.imported.length, againSkipped: again.skipped };

// Document360: an export started and waited for; its zip (on the storage host, another origin: never sent the token)
// read through download() and saved by saveTo from the export's id (its status fetched again); an import waited
// for; a 401 echoing the token.
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
const D360_TOKEN = config.document360Token;
const d360 = createDocument360Client({ apiToken: D360_TOKEN, baseUrl: `${server}/document360` });
const exported = await d360.exports.start({ entity: "Project", version_id: [] });
const exportPolled = [];
const finished = await d360.exports.waitFor(exported.id, { interval: 10, onProgress: (s) => exportPolled.push(s.status) });
const download = await d360.exports.download(finished);
const read = new Uint8Array(await new Response(download.body).arrayBuffer());
const zipPath = `${workDir}/export/project-export.zip`;
const savedZip = await d360.exports.download(exported.id).saveTo(zipPath);
const imported = await d360.imports.start({ source_documentation_url: "https://files.example.com/exports/project.zip", import_by: "5a619a315481302d50b736d8", publish_article: true });
const importPolled = [];
const importDone = await d360.imports.waitFor(imported.id, { interval: 10, onProgress: (s) => importPolled.push(s.status) });
const d360Denied = await d360.exports.get(config.deniedExportId).catch((e) => e);
out.document360 = {
  export: { started: exported.id, polled: exportPolled, final: finished.status },
  download: {
    bytes: read.byteLength,
    sha256: sha256(read),
    contentType: download.contentType,
    fromStorage: download.url.startsWith(`${config.storage}/`),
    showsSignature: download.url.includes(config.storageSignature),
  },
  saveTo: { bytes: savedZip.bytes, sha256: sha256(readFileSync(zipPath)) },
  import: { started: imported.id, polled: importPolled, final: importDone.status, articles: importDone.import_documentation_log?.articles },
  denied: { name: d360Denied.name, status: d360Denied.status, leaks: leaks(d360Denied, D360_TOKEN) },
};

console.log(JSON.stringify(out));
