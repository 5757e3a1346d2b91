/**
 * `importkit sharinpix …`: import one image (from a URL, a Salesforce Attachment or a ContentDocument) and wait for it;
 * show an import; bulk-import a CSV or NDJSON file with a checkpoint (resumable) and a final report. All through
 * `@importkit/sharinpix` (`imports.start`, `imports.waitFor`, `imports.bulk`).
 */
import { writeFile } from "node:fs/promises";
import type { BulkFailure, BulkReport, Import, StartImportParams } from "@importkit/sharinpix";
import { readBulkInput, type BulkRow } from "../bulk-input.js";
import { connectSharinPix, type MockHints } from "../connect.js";
import { EXIT, InterruptedError, UsageError } from "../exit.js";
import type { RunContext } from "../runner.js";
import type { Session } from "../session.js";
import { afterInterrupt, call, waitSettings } from "./shared.js";

function describe(item: Import): string {
  return [
    `import ${item.id}: ${item.image_id ? `image ${item.image_id}` : "not processed yet (no image)"}`,
    `  album    ${item.album_id}`,
    `  type     ${item.import_type ?? "url"}`,
    `  created  ${item.created_at}`,
  ].join("\n");
}

/** `Name: value` → [name, value]. */
function header(text: string): [string, string] {
  const colon = text.indexOf(":");
  if (colon <= 0) throw new UsageError(`--header takes "Name: value" (got no name before a colon)`);
  return [text.slice(0, colon).trim(), text.slice(colon + 1).trim()];
}

function keyValue(text: string, option: string): [string, string] {
  const equals = text.indexOf("=");
  if (equals <= 0) throw new UsageError(`${option} takes key=value`);
  return [text.slice(0, equals).trim(), text.slice(equals + 1)];
}

export async function importOne({ options, session }: RunContext): Promise<void> {
  const given = (["url", "attachment", "contentDocument"] as const).filter((name) => options[name] !== undefined);
  if (given.length !== 1) throw new UsageError("give exactly one of --url, --attachment, --content-document");
  const headers = Object.fromEntries(((options.header as string[] | undefined) ?? []).map(header));
  if (Object.keys(headers).length && options.url === undefined) throw new UsageError("--header goes with --url (SharinPix sends it when it fetches the URL)");
  // Header values are usually credentials for the image's host, and SharinPix echoes them back.
  for (const value of Object.values(headers)) session.addSecret(value);
  const metadatas = Object.fromEntries(((options.metadata as string[] | undefined) ?? []).map((m) => keyValue(m, "--metadata")));
  const common = {
    album_id: options.album as string,
    ...(options.filename !== undefined ? { filename: options.filename as string } : {}),
    ...(options.tag ? { tags: options.tag as string[] } : {}),
    ...(Object.keys(metadatas).length ? { metadatas } : {}),
  };
  const params: StartImportParams =
    options.url !== undefined
      ? { ...common, url: options.url, ...(Object.keys(headers).length ? { headers } : {}) }
      : options.attachment !== undefined
        ? { ...common, import_type: "salesforce", attachment_id: options.attachment }
        : { ...common, import_type: "salesforce", content_document_id: options.contentDocument };
  const { client } = await connectSharinPix(session, options, { albumIds: [options.album] });
  const started = await client.imports.start(params, call(session));
  if (!options.wait) {
    session.result(started, `started import ${started.id} into album ${started.album_id}\nfollow it: importkit sharinpix get ${started.id} --wait`);
    return;
  }
  session.note(`started import ${started.id} into album ${started.album_id}`);
  const done = await followImport(session, client, started.id, options);
  session.result(done, `import ${done.id}: image ${done.image_id}`);
}

export async function followImport(session: Session, client: Awaited<ReturnType<typeof connectSharinPix>>["client"], id: string, options: Record<string, any>): Promise<Import> {
  const view = await session.progress({ title: `import ${id}` });
  try {
    const done = await client.imports.waitFor(id, waitSettings<Import>(session, options, (current) => view.update(0, undefined, current.image_id ? `image ${current.image_id}` : "waiting for the image")));
    view.stop();
    return done;
  } catch (error) {
    view.stop();
    await afterInterrupt(session, options, `import ${id}`, `importkit sharinpix get ${id} --wait`);
    throw error;
  }
}

export async function getImport({ args, options, session }: RunContext): Promise<void> {
  const id = args[0] as string;
  const { client } = await connectSharinPix(session, options);
  const found = options.wait ? await followImport(session, client, id, options) : await client.imports.get(id, call(session));
  session.result(found, describe(found));
}

// ---- bulk ------------------------------------------------------------------------------------------------------------

interface ReportEntry {
  line: number;
  key: string | undefined;
  importId?: string | undefined;
  error?: { name: string; message: string; status?: number };
  item?: unknown;
}

/** The report file: the run's outcome, then every item by the line it came from. Items are redacted (headers). */
function reportFile(session: Session, input: string, checkpoint: string, rows: BulkRow[], report: BulkReport) {
  const lineOf = (index: number) => rows[index]?.line ?? 0;
  const failure = (f: BulkFailure): ReportEntry => ({
    line: lineOf(f.index),
    key: f.key,
    error: { name: f.error.name, message: f.error.message, ...("status" in f.error && typeof f.error.status === "number" ? { status: f.error.status } : {}) },
    item: f.item,
  });
  return session.redactor.value({
    input,
    checkpoint,
    total: report.total,
    imported: report.imported.length,
    skipped: report.skipped,
    failed: report.failed.length,
    uncertain: report.uncertain.length,
    aborted: report.aborted,
    stoppedBy: report.stoppedBy ? { name: report.stoppedBy.name, message: report.stoppedBy.message } : null,
    elapsedMs: report.elapsedMs,
    successes: report.imported.map((s) => ({ line: lineOf(s.index), key: s.key, importId: s.importId ?? null })),
    failures: report.failed.map(failure),
    uncertainItems: report.uncertain.map(failure),
  });
}

export interface BulkRun {
  input: string;
  rows: BulkRow[];
  keyed: boolean;
  checkpoint: string;
  reportPath: string;
  concurrency?: number | undefined;
  itemRetries?: number | undefined;
  keyMetadata?: string | undefined;
}

/** Runs `imports.bulk` over checked rows with an items bar, and writes the report file. */
export async function bulkImport(session: Session, client: Awaited<ReturnType<typeof connectSharinPix>>["client"], run: BulkRun): Promise<{ report: BulkReport; file: ReturnType<typeof reportFile> }> {
  const { rows } = run;
  const view = await session.progress({ title: "images", unit: "items" });
  let report: BulkReport;
  try {
    report = await client.imports.bulk(
      rows.map((row) => row.item),
      {
        checkpoint: run.checkpoint,
        signal: session.signal,
        ...(run.concurrency !== undefined ? { concurrency: run.concurrency } : {}),
        ...(run.itemRetries !== undefined ? { itemRetries: run.itemRetries } : {}),
        ...(run.keyMetadata !== undefined ? { keyMetadata: run.keyMetadata } : {}),
        ...(run.keyed ? { key: (_item: StartImportParams, index: number) => rows[index]!.key! } : {}),
        onProgress: (p) => view.update(p.done, p.total, `${p.imported} imported, ${p.skipped} skipped, ${p.failed} failed, ${p.uncertain} uncertain`),
      },
    );
  } finally {
    view.stop();
  }
  const file = reportFile(session, run.input, run.checkpoint, rows, report);
  await writeFile(run.reportPath, `${JSON.stringify(file, null, 2)}\n`);
  return { report, file };
}

export function bulkSummary(report: BulkReport): string {
  return `${report.imported.length} imported, ${report.skipped} skipped (already done), ${report.failed.length} failed, ${report.uncertain.length} uncertain, of ${report.total} rows in ${(report.elapsedMs / 1000).toFixed(1)} s`;
}

export async function bulk({ args, options, session }: RunContext): Promise<number> {
  const input = args[0] as string;
  const checkpoint = (options.checkpoint as string | undefined) ?? `${input}.checkpoint`;
  const reportPath = (options.report as string | undefined) ?? `${input}.report.json`;
  // Everything is read and checked before the first request.
  const { rows, albums, keyed } = await readBulkInput(input, options.album, options.validate, (text) => session.warn(text));
  for (const row of rows) {
    const headers = (row.item as { headers?: Record<string, unknown> }).headers;
    if (headers && typeof headers === "object") for (const value of Object.values(headers)) if (typeof value === "string") session.addSecret(value);
  }
  const hints: MockHints = { albumIds: options.album !== undefined ? [options.album, ...albums] : albums };
  const { client } = await connectSharinPix(session, options, hints);
  session.note(`${rows.length} row${rows.length === 1 ? "" : "s"} checked in ${input}; checkpoint ${checkpoint}`);
  const { report, file } = await bulkImport(session, client, {
    input,
    rows,
    keyed,
    checkpoint,
    reportPath,
    concurrency: options.concurrency,
    itemRetries: options.itemRetries,
    keyMetadata: options.keyMetadata,
  });
  session.result({ ...file, report: reportPath }, () => [bulkSummary(report), `report: ${reportPath}`, `checkpoint: ${checkpoint}`].join("\n"));
  if (report.aborted) {
    session.note(`stopped early: the requests already sent were finished and recorded; run the same command again to resume from ${checkpoint}`);
    throw new InterruptedError();
  }
  if (report.stoppedBy) {
    session.error(`the bulk import stopped: ${report.stoppedBy.message}`);
    return EXIT.failure;
  }
  if (report.failed.length || report.uncertain.length) {
    for (const f of [...report.failed, ...report.uncertain].slice(0, 5)) session.note(`  line ${rows[f.index]?.line ?? "?"}: ${f.error.message}`);
    session.note(`failed items are sent again by the next run; uncertain ones are not (see ${reportPath})`);
    return EXIT.importFailed;
  }
  return EXIT.ok;
}
