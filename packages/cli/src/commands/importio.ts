/**
 * `importkit importio …`: extractors (list, show, set inputs), crawl runs (start and follow URL by URL, save a result
 * file, print rows as NDJSON) and reports. All through `@importkit/importio`.
 */
import { readFile } from "node:fs/promises";
import type { Crawlrun, CrawlrunFileType, ExtractorInput, ImportIoClient, ReportRun, ReportRunFileType } from "@importkit/importio";
import { connectImportIo } from "../connect.js";
import { UsageError } from "../exit.js";
import type { RunContext } from "../runner.js";
import type { Session } from "../session.js";
import { afterInterrupt, call, checkOut, savedResult, collectAll, resultFormat, saveResult, table, waitSettings, when, type SavedResult, type WaitFlags } from "./shared.js";

const CRAWL_RUN_FORMATS: readonly CrawlrunFileType[] = ["csv", "json", "xlsx", "files", "log", "sample"];
const REPORT_RUN_FORMATS: readonly ReportRunFileType[] = ["csv", "json", "xlsx"];

/** `--out` or `--format` asks for a result file: the run must be waited for first. */
function wantsResult(options: { out?: string; format?: string }): boolean {
  return options.out !== undefined || options.format !== undefined;
}

export async function listExtractors({ options, session }: RunContext): Promise<void> {
  const { client } = await connectImportIo(session, options);
  const extractors = await collectAll(client.extractors.list(undefined, call(session)), options.limit);
  session.result(extractors, () =>
    extractors.length === 0
      ? "no extractors"
      : table(
          ["ID", "NAME", "FIELDS", "TAGS"],
          extractors.map((e) => [e.guid ?? "", e.name ?? "", String(e.fields?.length ?? 0), (e.tags ?? []).join(",")]),
        ),
  );
}

export async function showExtractor({ args, options, session }: RunContext): Promise<void> {
  const id = args[0] as string;
  const { client } = await connectImportIo(session, options);
  const [extractor, inputs] = await Promise.all([client.extractors.get(id, call(session)), client.extractors.getInputs(id, call(session))]);
  const urls = inputs.map((input) => input._url);
  session.result({ extractor, inputs: urls }, () =>
    [
      `extractor ${extractor.guid}: ${extractor.name ?? ""}`,
      `  fields   ${(extractor.fields ?? []).map((f) => f.name).join(", ")}`,
      `  tags     ${(extractor.tags ?? []).join(", ")}`,
      `  inputs   ${urls.length} URL${urls.length === 1 ? "" : "s"}`,
      ...urls.map((url) => `    ${url}`),
    ].join("\n"),
  );
}

/**
 * The inputs of a file: one per line, either a URL or an input object as JSON (`{"_url": …, "Max Screens": 50}`, the
 * line-separated form Import.io stores); blank lines and `#` comments are skipped.
 */
function parseInputLines(text: string, file: string): ExtractorInput[] {
  const inputs: ExtractorInput[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("{")) {
      let input: unknown;
      try {
        input = JSON.parse(line);
      } catch {
        throw new UsageError(`${file}: line ${index + 1} starts like an input object but is not JSON`);
      }
      if (input === null || typeof input !== "object" || typeof (input as { _url?: unknown })._url !== "string") {
        throw new UsageError(`${file}: line ${index + 1} is an object without a "_url" string`);
      }
      inputs.push(input as ExtractorInput);
    } else {
      if (!URL.canParse(line)) throw new UsageError(`${file}: line ${index + 1} is not a valid URL (nor a JSON input object)`);
      inputs.push({ _url: line });
    }
  }
  return inputs;
}

async function readText(path: string, session: Session): Promise<string> {
  try {
    if (path !== "-") return await readFile(path, "utf8");
    let text = "";
    session.io.stdin.setEncoding("utf8");
    for await (const chunk of session.io.stdin) text += chunk as string;
    return text;
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export async function setInputs({ args, options, session }: RunContext): Promise<void> {
  const [id, file] = args as [string, string];
  const inputs = parseInputLines(await readText(file, session), file);
  if (inputs.length === 0) throw new UsageError(`${file} holds no input (one URL or JSON input object per line; # starts a comment)`);
  const { client } = await connectImportIo(session, options);
  await client.extractors.setInputs(id, inputs, call(session));
  session.result({ extractorId: id, inputs }, `extractor ${id}: ${inputs.length} input${inputs.length === 1 ? "" : "s"} set`);
}

/** Follows a crawl run URL by URL; on Ctrl-C stops the extractor (`--cancel-on-interrupt`) or says how to follow it. */
export async function followCrawlRun(session: Session, client: ImportIoClient, crawlRunId: string, extractorId: string | undefined, options: WaitFlags): Promise<Crawlrun> {
  const view = await session.progress({ title: `crawl run ${crawlRunId}`, unit: "URLs" });
  try {
    const done = await client.crawlRuns.waitFor(
      crawlRunId,
      waitSettings<Crawlrun>(session, options, (run) => view.update((run.successUrlCount ?? 0) + (run.failedUrlCount ?? 0), run.totalUrlCount, run.state)),
    );
    view.stop();
    return done;
  } catch (error) {
    view.stop();
    await afterInterrupt(
      session,
      options,
      `crawl run ${crawlRunId}`,
      `importkit importio crawl-runs show ${crawlRunId} --wait`,
      extractorId === undefined
        ? undefined
        : async (o) => {
            await client.extractors.stop(extractorId, o);
            return "stopped (the extractor was told to stop)";
          },
    );
    throw error;
  }
}

function describeCrawlRun(run: Crawlrun): string {
  return [
    `crawl run ${run.guid}: ${run.state}`,
    `  extractor  ${run.extractorId ?? ""}`,
    `  URLs       ${run.successUrlCount ?? 0} succeeded, ${run.failedUrlCount ?? 0} failed, of ${run.totalUrlCount ?? "?"}`,
    `  rows       ${run.rowCount ?? 0}`,
    `  started    ${when(run.startedAt)}${run.stoppedAt ? `   stopped ${when(run.stoppedAt)}` : ""}`,
  ].join("\n");
}

async function saveCrawlRunFile(session: Session, client: ImportIoClient, crawlRunId: string, options: { out?: string; format?: CrawlrunFileType }): Promise<SavedResult> {
  const format = resultFormat(options.format, options.out, CRAWL_RUN_FORMATS, "csv");
  return saveResult(session, client.crawlRuns.download(crawlRunId, format, call(session)), options.out ?? "-", format);
}

export async function runExtractor({ args, options, session }: RunContext): Promise<void> {
  checkOut(session, options.out);
  const extractorId = args[0] as string;
  const { client } = await connectImportIo(session, options);
  const { crawlRunId } = await client.extractors.start(extractorId, call(session));
  if (!options.wait && !wantsResult(options)) {
    session.result({ crawlRunId, extractorId }, `started crawl run ${crawlRunId} of extractor ${extractorId}\nfollow it: importkit importio crawl-runs show ${crawlRunId} --wait`);
    return;
  }
  session.note(`started crawl run ${crawlRunId} of extractor ${extractorId}`);
  const run = await followCrawlRun(session, client, crawlRunId, extractorId, options);
  const summary = `crawl run ${crawlRunId} ${run.state}: ${run.rowCount ?? 0} rows from ${run.successUrlCount ?? 0} of ${run.totalUrlCount ?? "?"} URLs`;
  if (!wantsResult(options)) {
    session.result(run, summary);
    return;
  }
  session.note(summary);
  const saved = await saveCrawlRunFile(session, client, crawlRunId, options);
  savedResult(session, { crawlRun: run, file: saved }, saved);
}

export async function listCrawlRuns({ options, session }: RunContext): Promise<void> {
  const { client } = await connectImportIo(session, options);
  const query = { _sort: "_meta.creationTimestamp", _sortDirection: "DESC" } as const;
  const all = client.crawlRuns.list(query, call(session));
  const wanted = options.extractor === undefined ? all : filterAsync(all, (run) => run.extractorId === options.extractor);
  const runs = await collectAll(wanted, options.limit);
  session.result(runs, () =>
    runs.length === 0
      ? "no crawl runs"
      : table(
          ["ID", "STATE", "EXTRACTOR", "STARTED", "ROWS"],
          runs.map((r) => [r.guid ?? "", r.state ?? "", r.extractorId ?? "", when(r.startedAt), String(r.rowCount ?? 0)]),
        ),
  );
}

async function* filterAsync<T>(items: AsyncIterable<T>, keep: (item: T) => boolean): AsyncGenerator<T> {
  for await (const item of items) if (keep(item)) yield item;
}

export async function showCrawlRun({ args, options, session }: RunContext): Promise<void> {
  const id = args[0] as string;
  const { client } = await connectImportIo(session, options);
  const run = options.wait ? await followCrawlRun(session, client, id, undefined, options) : await client.crawlRuns.get(id, call(session));
  session.result(run, describeCrawlRun(run));
}

export async function downloadCrawlRun({ args, options, session }: RunContext): Promise<void> {
  checkOut(session, options.out);
  const id = args[0] as string;
  const { client } = await connectImportIo(session, options);
  const saved = await saveCrawlRunFile(session, client, id, options);
  savedResult(session, saved, saved);
}

export async function crawlRunRows({ args, options, session }: RunContext): Promise<void> {
  const id = args[0] as string;
  const { client } = await connectImportIo(session, options);
  let rows = 0;
  const stdout = session.io.stdout;
  for await (const row of client.crawlRuns.rows(id, call(session))) {
    rows++;
    stdout.write(`${JSON.stringify(row)}\n`);
  }
  session.note(`${rows} row${rows === 1 ? "" : "s"}`);
}

export async function listReports({ options, session }: RunContext): Promise<void> {
  const { client } = await connectImportIo(session, options);
  const reports = await collectAll(client.reports.list(undefined, call(session)), options.limit);
  session.result(reports, () =>
    reports.length === 0 ? "no reports" : table(["ID", "TYPE", "EXTRACTOR", "NAME"], reports.map((r) => [r.guid ?? "", r.type ?? "", r.extractorId ?? "", r.name ?? ""])),
  );
}

export async function listReportRuns({ args, options, session }: RunContext): Promise<void> {
  const id = args[0] as string;
  const { client } = await connectImportIo(session, options);
  const runs = await collectAll(client.reportRuns.listForReport(id, { _sort: "_meta.creationTimestamp", _sortDirection: "DESC" }, call(session)), options.limit);
  session.result(runs, () => (runs.length === 0 ? "no runs" : table(["ID", "STATUS", "CREATED"], runs.map((r) => [r.guid ?? "", r.status ?? "", when(r._meta?.creationTimestamp)]))));
}

export async function runReport({ args, options, session }: RunContext): Promise<void> {
  checkOut(session, options.out);
  const reportId = args[0] as string;
  const { client } = await connectImportIo(session, options);
  // The start answers no id: the new run is the newest run of the report.
  const before = (await client.reportRuns.listForReport(reportId, { _sort: "_meta.creationTimestamp", _sortDirection: "DESC", _perpage: 1 }, call(session))).items[0]?.guid;
  await client.reports.start(reportId, call(session));
  const newest = (await client.reportRuns.listForReport(reportId, { _sort: "_meta.creationTimestamp", _sortDirection: "DESC", _perpage: 1 }, call(session))).items[0];
  if (!newest?.guid || newest.guid === before) {
    session.result({ reportId, reportRunId: null }, `started report ${reportId}; its run is not listed yet: importkit importio reports runs ${reportId}`);
    return;
  }
  const runId = newest.guid;
  if (!options.wait && !wantsResult(options)) {
    session.result({ reportId, reportRunId: runId }, `started report run ${runId} of report ${reportId}`);
    return;
  }
  session.note(`started report run ${runId} of report ${reportId}`);
  const view = await session.progress({ title: `report run ${runId}` });
  let run: ReportRun;
  try {
    const settings = waitSettings<ReportRun>(session, options, (current) => view.update(0, undefined, current.status));
    run = await client.reportRuns.waitFor(runId, settings);
    view.stop();
  } catch (error) {
    view.stop();
    await afterInterrupt(session, options, `report run ${runId}`, `importkit importio reports runs ${reportId}`);
    throw error;
  }
  if (!wantsResult(options)) {
    session.result(run, `report run ${runId} ${run.status}`);
    return;
  }
  const format = resultFormat(options.format, options.out, REPORT_RUN_FORMATS, "csv");
  const saved = await saveResult(session, client.reportRuns.download(runId, format, call(session)), options.out ?? "-", format);
  savedResult(session, { reportRun: run, file: saved }, saved);
}

export async function downloadReportRun({ args, options, session }: RunContext): Promise<void> {
  checkOut(session, options.out);
  const id = args[0] as string;
  const { client } = await connectImportIo(session, options);
  const format = resultFormat(options.format, options.out, REPORT_RUN_FORMATS, "csv");
  const saved = await saveResult(session, client.reportRuns.download(id, format, call(session)), options.out ?? "-", format);
  savedResult(session, saved, saved);
}
