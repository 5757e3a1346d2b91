// @importkit/importio in a browser (bundled and run as test/browser/gitbook.mjs says): a gzip result file through
// download() (the browser's fetch decodes it), NDJSON rows(), and saveTo, which must end in a clear ImportkitError
// before any request: its file helpers are a chunk the bundler split off (core's lazy `#files` import, the browser
// stand-in under the `browser` condition), not a failed import of node:fs.
import { createImportIoClient, ImportkitError } from "@importkit/importio";
import { leaks } from "./leaks.mjs";

export async function run({ base, importioKey, crawlrunId }) {
  const importio = createImportIoClient({ apiKey: importioKey, baseUrl: `${base}/importio` });
  const text = await new Response((await importio.crawlRuns.download(crawlrunId, "csv")).body).text();
  const rows = [];
  for await (const row of importio.crawlRuns.rows(crawlrunId)) rows.push(row);
  const noFiles = await importio.crawlRuns.download(crawlrunId, "csv").saveTo("results.csv").catch((e) => e);
  return {
    text,
    rows: rows.length,
    saveTo: { isImportkitError: noFiles instanceof ImportkitError, message: noFiles.message, leaks: leaks(noFiles, importioKey) },
  };
}
