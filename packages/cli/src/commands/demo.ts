/**
 * `importkit demo` (`pnpm start`): the quick start. Each provider's main job, end to end, against its twin (in
 * process: no account, no network), through the same code as the commands it names:
 * 1. GitBook: a website import into a space, waited to completion page by page;
 * 2. Import.io: an extractor run, followed URL by URL, its CSV saved to disk;
 * 3. Document360: the project exported, the zip downloaded, then imported back from the export's URL;
 * 4. SharinPix: a few hundred images bulk-imported from a CSV with a checkpoint, then the same command again, which
 *    the checkpoint turns into a no-op.
 * The ids printed are the ones the twins hold from start to finish; the files are listed at the end.
 *
 * Twins follow the documented rate limits (GitBook and Document360: 60 requests a minute). The demo polls every
 * 50 ms to keep the tour short, so it turns the limits off (`rateLimit: false`); the commands' `--mock` keeps them.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { connectDocument360, connectGitBook, connectImportIo, connectSharinPix, type ConnectionOptions, type MockHints } from "../connect.js";
import type { RunContext } from "../runner.js";
import { followRun, finished } from "./gitbook.js";
import { followCrawlRun } from "./importio.js";
import { followExport, followImport, importLog, saveExport } from "./document360.js";
import { bulkImport, bulkSummary } from "./sharinpix.js";
import { readBulkInput } from "../bulk-input.js";
import { call, describeSaved, saveResult } from "./shared.js";

const MOCK: ConnectionOptions = { mock: true };
/** No rate limits in the demo: see above. */
const DEMO_TWIN: MockHints = { twin: { rateLimit: false } };
const IMAGES = 300;

export async function demo({ options, session }: RunContext): Promise<void> {
  const out = options.out !== undefined ? resolve(options.out as string) : await mkdtemp(join(tmpdir(), "importkit-demo-"));
  await mkdir(out, { recursive: true });
  const files: string[] = [];
  const step = (n: number, title: string, command: string) => session.say(`\n${n}/4 ${title}\n    $ ${command}`);
  session.say(`importkit demo: each provider's main job against its twin (in memory: no account, no network).\nFiles go to ${out}`);

  // 1. GitBook ------------------------------------------------------------------------------------------------------
  const gitbook = await connectGitBook(session, MOCK, DEMO_TWIN);
  const { organizationId, spaceId } = gitbook.twin!.credentials;
  const url = "https://docs.example.com/";
  step(1, "GitBook: a website imported into a space, waited to completion", `importkit gitbook import --org ${organizationId} --space ${spaceId} --url ${url} --wait --mock`);
  const run = await gitbook.client.imports.start({ organizationId, source: { type: "website", url }, target: { space: spaceId } }, call(session));
  session.say(`    started import run ${run.id} (${run.status})`);
  const imported = await followRun(session, gitbook.client, run, { ...MOCK, org: organizationId });
  session.say(`    ${finished(imported)}`);

  // 2. Import.io ----------------------------------------------------------------------------------------------------
  const importio = await connectImportIo(session, MOCK, DEMO_TWIN);
  const extractorId = importio.twin!.seeded.extractorId;
  const csv = join(out, "products.csv");
  step(2, "Import.io: an extractor run, its results saved as CSV", `importkit importio run ${extractorId} --wait --format csv --out ${csv} --mock`);
  const { crawlRunId } = await importio.client.extractors.start(extractorId, call(session));
  session.say(`    started crawl run ${crawlRunId} of extractor ${extractorId}`);
  const crawl = await followCrawlRun(session, importio.client, crawlRunId, extractorId, MOCK);
  session.say(`    crawl run ${crawlRunId} ${crawl.state}: ${crawl.rowCount ?? 0} rows from ${crawl.successUrlCount ?? 0} of ${crawl.totalUrlCount ?? "?"} URLs`);
  const savedCsv = await saveResult(session, importio.client.crawlRuns.download(crawlRunId, "csv", call(session)), csv, "csv");
  session.say(`    ${describeSaved(savedCsv)}`);
  files.push(csv);

  // 3. Document360 --------------------------------------------------------------------------------------------------
  const d360 = await connectDocument360(session, MOCK, DEMO_TWIN);
  const zip = join(out, "project-export.zip");
  step(3, "Document360: the project exported as a zip, then imported back", `importkit document360 export --wait --out ${zip} --mock`);
  const exported = await d360.client.exports.start({ entity: "Project", version_id: [] }, call(session));
  session.say(`    started export ${exported.id} (${exported.status})`);
  const exportDone = await followExport(session, d360.client, exported.id, MOCK, "");
  const savedZip = await saveExport(session, d360.client, exportDone, zip);
  session.say(`    export ${exported.id} ${exportDone.status}; ${describeSaved(savedZip)}`);
  files.push(zip);
  // The export's own download URL, on the twin: Document360 fetches the zip from there.
  const source = exportDone.download_url!;
  session.say(`    $ importkit document360 import ${source} --import-by ${d360.twin!.credentials.userId} --wait --mock`);
  const importStarted = await d360.client.imports.start({ source_documentation_url: source, import_by: d360.twin!.credentials.userId }, call(session));
  session.say(`    started import ${importStarted.id} (${importStarted.status})`);
  const importDone = await followImport(session, d360.client, importStarted.id, MOCK, "");
  session.say([`    import ${importStarted.id} ${importDone.status}`, ...importLog(importDone).map((line) => `  ${line}`)].join("\n"));

  // 4. SharinPix ----------------------------------------------------------------------------------------------------
  const sharinpix = await connectSharinPix(session, MOCK, DEMO_TWIN);
  const albumId = sharinpix.twin!.credentials.albumId;
  const images = join(out, "images.csv");
  const rows = Array.from({ length: IMAGES }, (_, i) => {
    const n = String(i + 1).padStart(4, "0");
    return `https://images.example.com/products/${n}.jpg,product-${n}.jpg,catalog|demo,SKU-${n}`;
  });
  await writeFile(images, `url,filename,tags,metadata.sku\n${rows.join("\n")}\n`);
  files.push(images);
  const checkpoint = `${images}.checkpoint`;
  const reportPath = `${images}.report.json`;
  step(4, `SharinPix: ${IMAGES} images bulk-imported from a CSV, with a checkpoint`, `importkit sharinpix bulk ${images} --album ${albumId} --mock`);
  const input = await readBulkInput(images, albumId);
  session.say(`    ${input.rows.length} rows checked against the spec before the first request`);
  const first = await bulkImport(session, sharinpix.client, { input: images, rows: input.rows, keyed: input.keyed, checkpoint, reportPath, concurrency: 16 });
  session.say(`    ${bulkSummary(first.report)}`);
  const second = await bulkImport(session, sharinpix.client, { input: images, rows: input.rows, keyed: input.keyed, checkpoint, reportPath, concurrency: 16 });
  session.say(`    the same command again, resumed from the checkpoint: ${bulkSummary(second.report)}`);
  files.push(checkpoint, reportPath);

  session.say(`\nFiles:\n${files.map((f) => `  ${f}`).join("\n")}\n\nTry any command without an account: add --mock (importkit --help lists them).`);
  session.result(
    {
      out,
      gitbook: { importRunId: run.id, status: imported.status, pages: imported.pages?.length ?? 0 },
      importio: { extractorId, crawlRunId, state: crawl.state, csv: { path: csv, bytes: savedCsv.bytes } },
      document360: { exportId: exported.id, zip: { path: zip, bytes: savedZip.bytes }, importId: importStarted.id, importStatus: importDone.status },
      sharinpix: { albumId, imported: first.report.imported.length, resumedSkipped: second.report.skipped, checkpoint, report: reportPath },
      files,
    },
    undefined,
  );
}
