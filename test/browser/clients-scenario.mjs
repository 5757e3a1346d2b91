// What test/browser-clients.test.ts runs in the page (a module of its own: the test runner rewrites `import()` in
// functions it could hand to the browser). Plain JavaScript for the browser; returns what it saw.
// `config` is test/client-scenario.ts's SCENARIO with `base`, the origin serving both the modules and the APIs.
export async function run({ base, gitbookToken, importioKey, crawlrunId, sharinpixSecretId, sharinpixSecret }) {
  const leaks = (error, secret) => `${error.message}\n${error.stack}\n${JSON.stringify(error)}\n${String(error)}`.includes(secret);
  const { createGitBookClient, ValidationError, AuthenticationError } = await import("@importkit/gitbook");
  const { createImportIoClient, ImportkitError } = await import("@importkit/importio");
  const { createSharinPixClient } = await import("@importkit/sharinpix");

  const gitbook = createGitBookClient({ token: gitbookToken, baseUrl: `${base}/gitbook` });
  const started = await gitbook.imports.start({ organizationId: "org_1", source: { type: "website", url: "https://example.com" }, target: { space: "s" } });
  const polled = [];
  const done = await gitbook.imports.waitFor(started.id, { organizationId: "org_1" }, { interval: 10, onProgress: (r) => polled.push(r.status) });
  const refused = await gitbook.imports.start({ organizationId: "org_1", source: { type: "website", url: "https://example.com" } }).catch((e) => e);
  const denied = await gitbook.imports.get("denied", { organizationId: "org_1" }).catch((e) => e);

  const importio = createImportIoClient({ apiKey: importioKey, baseUrl: `${base}/importio` });
  const text = await new Response((await importio.crawlRuns.download(crawlrunId, "csv")).body).text();
  const rows = [];
  for await (const row of importio.crawlRuns.rows(crawlrunId)) rows.push(row);
  const noFiles = await importio.crawlRuns.download(crawlrunId, "csv").saveTo("results.csv").catch((e) => e);

  const sharinpix = createSharinPixClient({ secretUrl: `sharinpix://${sharinpixSecretId}:${sharinpixSecret}@api.sharinpix.com/api/v1`, baseUrl: `${base}/api/v1` });
  const created = await sharinpix.imports.start({ album_id: "album-1", url: "https://example.com/a.jpg" });
  const processed = await sharinpix.imports.waitFor(created.id, { interval: 10 });

  return {
    gitbook: { started: started.id, final: done.status, polled },
    refused: { isValidationError: refused instanceof ValidationError, fields: refused.issues?.map((i) => i.path) },
    denied: { isAuthenticationError: denied instanceof AuthenticationError, leaks: leaks(denied, gitbookToken) },
    download: { text },
    rows: rows.length,
    saveTo: { isImportkitError: noFiles instanceof ImportkitError, message: noFiles.message, leaks: leaks(noFiles, importioKey) },
    sharinpix: { created: created.id, imageSet: typeof processed.image_id === "string" },
  };
}
