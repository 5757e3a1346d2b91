// @importkit/importio's main flow in a browser bundle: start an extractor, wait for its crawl run, read its rows.
import { createImportIoClient } from "@importkit/importio";

export async function runExtractor(apiKey, extractorId, onRow) {
  const importio = createImportIoClient({ apiKey });
  const run = await importio.extractors.startAndWait(extractorId);
  for await (const row of importio.crawlRuns.rows(run.guid)) onRow(row);
}
