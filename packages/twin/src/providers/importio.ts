/**
 * Import.io (API v2). Extractors hold their inputs (one object per input, `{"_url": …, …attributes}`); starting one
 * creates a crawl run that goes `PENDING` → `STARTED` → one URL per step → `FINISHED` (or `FAILED` when marked to,
 * `CANCELLED` by stop). Its result files are built from the rows it extracted: CSV, newline-delimited JSON, a sample,
 * a real XLSX workbook, a zip of the fetched pages and the log. Reports compare an extractor's last two finished
 * crawl runs; their runs go `STARTED` → `FINISHED` (or `FAILED` when there is nothing to compare) with CSV, XLSX and
 * JSON outputs.
 *
 * Media types, the 400s of start/stop and the inputs' wire format follow whatever the spec declares.
 */
import { document } from "../generated/importio.js";
import { catchUp, newProgress, type Call, type Env, type Progress, type ProviderModule } from "../engine.js";
import { csv, ndjson, xlsx, zip } from "../files.js";
import { empty, file, json, type TwinResponse } from "../http.js";
import { Spec } from "../spec.js";
import { documentedBody, hash, pageOf, statusText } from "./shared.js";

const spec = new Spec(document);

export interface ImportIoCredentials {
  /** Sent as the `_apikey` query parameter. */
  apiKey: string;
}

export interface ImportIoSeeded {
  /** The seeded extractor ("Product pages", three product URLs as inputs). */
  extractorId: string;
  /** A finished crawl run of that extractor. */
  crawlRunId: string;
  /** A Change report on that extractor. */
  reportId: string;
}

/** One input of an extractor: the URL and any attributes (`{"_url": "https://…", "Max Screens": 50}`). */
export type ImportIoInput = { _url: string } & Record<string, unknown>;

export interface ImportIoSeedApi {
  /** Adds an extractor; fields default to Name, Price and Description. Returns its guid. */
  extractor(options?: { name?: string; fields?: string[]; inputs?: (string | ImportIoInput)[]; tags?: string[] }): string;
  /** Adds a Change report on an extractor. Returns its guid. */
  report(options: { extractorId: string; name?: string }): string;
}

interface Field {
  id: string;
  name: string;
  type: string;
  captureLink: boolean;
}
interface Meta {
  timestamp: number;
  creationTimestamp: number;
}
interface Extractor {
  guid: string;
  name: string;
  fields: Field[];
  tags: string[];
  archived: boolean;
  latestConfigId: string;
  inputs: ImportIoInput[];
  meta: Meta;
}
interface Row {
  url: string;
  values: Record<string, string>;
  resourceId: string;
  timestamp: number;
  sequenceNumber: number;
}
interface CrawlRun {
  guid: string;
  extractorId: string;
  previousRunId: string | null;
  state: "PENDING" | "STARTED" | "FINISHED" | "FAILED" | "CANCELLED";
  startedAt?: number;
  stoppedAt?: number;
  urls: string[];
  processed: number;
  rows: Row[];
  log: string[];
  fieldNames: string[];
  progress: Progress;
  failWith?: string;
  meta: Meta;
}
interface Report {
  guid: string;
  name: string;
  type: string;
  extractorId: string;
  latestConfigId: string;
  deleted: boolean;
  meta: Meta;
}
interface ReportRun {
  guid: string;
  report: Report;
  status: "STARTED" | "FINISHED" | "FAILED";
  progress: Progress;
  configId: string;
  compared?: { latest: CrawlRun; previous?: CrawlRun };
  outputs?: { csv: string; json: string; xlsx: string };
  errorMessage?: string;
  failWith?: string;
  meta: Meta;
}

interface State {
  ownerGuid: string;
  extractors: Map<string, Extractor>;
  crawlRuns: CrawlRun[];
  reports: Map<string, Report>;
  reportRuns: ReportRun[];
  failNext: string[];
}

const FINAL_RUN = ["FINISHED", "FAILED", "CANCELLED"];
const DEFAULT_PER_PAGE = 30;
const DEFAULT_REASON = "The site answered HTTP 503 to every request: the crawl run was abandoned.";

/** The media type of each result file (as the operation's description lists them; a test checks the spec declares each). */
export const FILE_MEDIA_TYPES: Record<string, string> = {
  csv: "text/csv",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  json: "application/x-ndjson",
  sample: "application/json",
  log: "text/plain",
  files: "application/zip",
};

function error(operationId: string | undefined, status: number, message?: string): TwinResponse {
  const documented = documentedBody(spec, operationId, status) as { code?: number; message?: string } | undefined;
  const body = documented && typeof documented === "object" ? documented : { code: status, message: statusText(status) };
  body.code = status;
  if (message !== undefined) body.message = message;
  return json(status, body);
}

const meta = (state: State, guid: string, m: Meta) => ({
  timestamp: m.timestamp,
  creationTimestamp: m.creationTimestamp,
  objectGuid: guid,
  ownerGuid: state.ownerGuid,
  deleted: false,
});

function extractorView(state: State, e: Extractor) {
  return { guid: e.guid, name: e.name, fields: e.fields, tags: e.tags, archived: e.archived, latestConfigId: e.latestConfigId, _meta: meta(state, e.guid, e.meta) };
}

function crawlRunView(state: State, run: CrawlRun) {
  const failed = run.processed - run.rows.length;
  return {
    guid: run.guid,
    extractorId: run.extractorId,
    previousRunId: run.previousRunId,
    state: run.state,
    ...(run.startedAt !== undefined ? { startedAt: run.startedAt } : {}),
    ...(run.stoppedAt !== undefined ? { stoppedAt: run.stoppedAt } : {}),
    inProgress: run.state === "STARTED" ? Math.min(2, run.urls.length - run.processed) : 0,
    requeued: 0,
    totalUrlCount: run.urls.length,
    successUrlCount: run.rows.length,
    failedUrlCount: failed,
    rowCount: run.rows.length,
    screenCaptureCount: 0,
    htmlExtractionCount: run.processed,
    _meta: meta(state, run.guid, run.meta),
  };
}

function reportView(state: State, r: Report) {
  return { guid: r.guid, name: r.name, type: r.type, extractorId: r.extractorId, latestConfigId: r.latestConfigId, archived: false, _meta: meta(state, r.guid, r.meta) };
}

function reportRunView(state: State, run: ReportRun) {
  const change = run.compared ? changeOf(run.compared) : undefined;
  return {
    guid: run.guid,
    name: run.report.name,
    type: run.report.type,
    status: run.status,
    reportId: run.report.guid,
    configId: run.configId,
    extractorId: run.report.extractorId,
    ...(run.compared ? { inputs: { crawlRunId: run.compared.latest.guid, ...(run.compared.previous ? { previousCrawlRunId: run.compared.previous.guid } : {}) } } : {}),
    ...(run.outputs ?? {}),
    ...(change ? { summary: { added: change.added.length, removed: change.removed.length, changed: change.changed.length } } : {}),
    ...(run.errorMessage !== undefined ? { errorMessage: run.errorMessage } : {}),
    archived: false,
    _meta: meta(state, run.guid, run.meta),
  };
}

/** Deterministic values for a page: what the extractor "found" at that URL. */
function extract(url: string, fields: string[], sequenceNumber: number, at: number): Row {
  const h = hash(url);
  const segment = url.replace(/[?#].*$/, "").replace(/\/+$/, "").split("/").pop() || "home";
  const values: Record<string, string> = {};
  for (const field of fields) {
    if (/name|title/i.test(field)) values[field] = `Product ${segment}`;
    else if (/price/i.test(field)) values[field] = (5 + (h % 99_500) / 100).toFixed(2);
    else values[field] = `${field} of ${segment}`;
  }
  return { url, values, resourceId: (h.toString(16).padStart(8, "0") + hash(`${url}#`).toString(16).padStart(8, "0")).repeat(2), timestamp: at, sequenceNumber };
}

function rowObject(row: Row) {
  return {
    url: row.url,
    result: {
      extractorData: { url: row.url, resourceId: row.resourceId, data: [{ group: [Object.fromEntries(Object.entries(row.values).map(([k, v]) => [k, [{ text: v }]]))] }] },
      pageData: { resourceId: row.resourceId, statusCode: 200, timestamp: row.timestamp - 80 },
      timestamp: row.timestamp,
      sequenceNumber: row.sequenceNumber,
    },
  };
}

const flat = (row: Row) => ({ url: row.url, ...row.values });

function stepCrawlRun(run: CrawlRun, at: number): void {
  run.meta.timestamp = at;
  const line = (level: string, text: string) => run.log.push(`${new Date(at).toISOString()} ${level} ${text}`);
  if (run.state === "PENDING") {
    run.state = "STARTED";
    run.startedAt = at;
    line("INFO", `crawl run ${run.guid} started for extractor ${run.extractorId} (${run.urls.length} URLs)`);
    return;
  }
  if (run.failWith !== undefined) {
    run.state = "FAILED";
    run.stoppedAt = at;
    line("ERROR", `crawl run failed: ${run.failWith}`);
    return;
  }
  const url = run.urls[run.processed];
  if (url !== undefined) {
    run.rows.push(extract(url, run.fieldNames, run.processed, at));
    run.processed++;
    line("INFO", `200 ${url} rows=1`);
    return;
  }
  run.state = "FINISHED";
  run.stoppedAt = at;
  line("INFO", `crawl run finished: FINISHED, ${run.rows.length} succeeded, ${run.processed - run.rows.length} failed, ${run.rows.length} rows`);
}

function advanceRun(run: CrawlRun, env: Env, poll: boolean): void {
  catchUp(env, run.progress, poll, () => FINAL_RUN.includes(run.state), (at) => stepCrawlRun(run, at));
}

function changeOf(compared: NonNullable<ReportRun["compared"]>) {
  const before = new Map((compared.previous?.rows ?? []).map((r) => [r.url, r]));
  const after = new Map(compared.latest.rows.map((r) => [r.url, r]));
  const added = [...after.values()].filter((r) => !before.has(r.url)).map(flat);
  const removed = [...before.values()].filter((r) => !after.has(r.url)).map(flat);
  const changed = [...after.values()].flatMap((r) => {
    const old = before.get(r.url);
    if (!old) return [];
    return Object.entries(r.values)
      .filter(([field, value]) => old.values[field] !== undefined && old.values[field] !== value)
      .map(([field, value]) => ({ url: r.url, field, before: old.values[field], after: value }));
  });
  return { added, removed, changed };
}

function advanceReportRun(state: State, run: ReportRun, env: Env, poll: boolean): void {
  catchUp(env, run.progress, poll, () => run.status !== "STARTED", (at) => {
    run.meta.timestamp = at;
    if (run.failWith !== undefined) {
      run.status = "FAILED";
      run.errorMessage = run.failWith;
      return;
    }
    const runs = state.crawlRuns.filter((c) => c.extractorId === run.report.extractorId);
    runs.forEach((c) => advanceRun(c, env, false));
    const finished = runs.filter((c) => c.state === "FINISHED");
    const latest = finished[finished.length - 1];
    if (!latest || latest.rows.length === 0) {
      run.status = "FAILED";
      run.errorMessage = "The crawl run to compare against has no rows.";
      return;
    }
    run.compared = { latest, ...(finished.length > 1 ? { previous: finished[finished.length - 2]! } : {}) };
    run.outputs = { csv: env.ids.uuid(), json: env.ids.uuid(), xlsx: env.ids.uuid() };
    run.status = "FINISHED";
  });
}

/** Sorted (by `_sort`, a dotted path into the view, default `_meta.creationTimestamp`) and paged as asked. */
function listed<T>(call: Call, items: T[], view: (item: T) => Record<string, unknown>): TwinResponse {
  const sortPath = (call.query.get("_sort") ?? "_meta.creationTimestamp").split(".");
  const direction = call.query.get("_sortDirection") === "ASC" ? 1 : -1;
  const views = items.map(view);
  const key = (v: Record<string, unknown>) => sortPath.reduce<unknown>((at, k) => (at as Record<string, unknown> | undefined)?.[k], v);
  // A stable sort: equal keys keep creation order (newest first when DESC).
  const ordered = views.map((v, i) => ({ v, i })).sort((a, b) => {
    const x = key(a.v) as string | number | undefined;
    const y = key(b.v) as string | number | undefined;
    if (x === y || x === undefined || y === undefined) return direction * (a.i - b.i);
    return direction * (x < y ? -1 : 1);
  });
  const page = Number(call.query.get("_page") ?? 1);
  const perPage = Number(call.query.get("_perpage") ?? DEFAULT_PER_PAGE);
  return json(200, pageOf(ordered.map((o) => o.v), page, perPage));
}

/** Reads the inputs of an update in whichever form the request uses: NDJSON lines, or `{"_url": "a\nb"}`. */
function parseInputs(call: Call): ImportIoInput[] | string {
  if (call.contentType === "application/x-ndjson") {
    const inputs: ImportIoInput[] = [];
    const lines = call.text.split(/\r?\n/);
    for (const [i, line] of lines.entries()) {
      if (!line.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        return `line ${i + 1} is not JSON`;
      }
      if (!value || typeof value !== "object" || typeof (value as { _url?: unknown })._url !== "string") return `line ${i + 1} has no "_url" string`;
      inputs.push(value as ImportIoInput);
    }
    return inputs;
  }
  const body = call.json as { _url?: unknown } | ImportIoInput[] | undefined;
  if (Array.isArray(body)) return body;
  if (typeof body?._url !== "string") return 'the body needs "_url": one or more URLs separated by newlines';
  return body._url
    .split(/\r?\n/)
    .map((u) => u.trim())
    .filter(Boolean)
    .map((_url) => ({ _url }));
}

/** Answers the inputs in the form the client asks for among those the spec declares (NDJSON, or the `_url` JSON). */
function inputsResponse(call: Call, extractor: Extractor): TwinResponse {
  const declared = spec.responseMediaTypes(call.operationId, 200);
  const accept = call.headers.get("accept") ?? "";
  const wantsNdjson = declared.includes("application/x-ndjson") && (accept.includes("application/x-ndjson") || !declared.includes("application/json") || !accept.includes("application/json"));
  if (wantsNdjson) return file(200, "application/x-ndjson", ndjson(extractor.inputs));
  return json(200, { _url: extractor.inputs.map((i) => i._url).join("\n") });
}

export const importio: ProviderModule<ImportIoCredentials, State, ImportIoSeeded, ImportIoSeedApi> = {
  spec,
  // Import.io documents no rate limit: none here.

  credentials: (ids, overrides) => ({ apiKey: overrides.apiKey ?? `io_twin_${ids.hex(32)}` }),

  create(env, _credentials, seed) {
    const state: State = { ownerGuid: env.ids.uuid(), extractors: new Map(), crawlRuns: [], reports: new Map(), reportRuns: [], failNext: [] };
    const now = () => env.clock.now();
    const seedApi: ImportIoSeedApi = {
      extractor(options = {}) {
        const guid = env.ids.uuid();
        state.extractors.set(guid, {
          guid,
          name: options.name ?? "Product pages",
          fields: (options.fields ?? ["Name", "Price", "Description"]).map((name) => ({ id: env.ids.uuid(), name, type: "TEXT", captureLink: false })),
          tags: options.tags ?? [],
          archived: false,
          latestConfigId: env.ids.uuid(),
          inputs: (options.inputs ?? []).map((i) => (typeof i === "string" ? { _url: i } : i)),
          meta: { timestamp: now(), creationTimestamp: now() },
        });
        return guid;
      },
      report({ extractorId, name }) {
        if (!state.extractors.has(extractorId)) throw new TypeError(`seed.report: no extractor "${extractorId}"`);
        const guid = env.ids.uuid();
        state.reports.set(guid, { guid, name: name ?? "Price changes", type: "CHANGE", extractorId, latestConfigId: env.ids.uuid(), deleted: false, meta: { timestamp: now(), creationTimestamp: now() } });
        return guid;
      },
    };
    let seeded: ImportIoSeeded = { extractorId: "", crawlRunId: "", reportId: "" };
    if (seed) {
      const extractorId = seedApi.extractor({
        tags: ["shop", "product"],
        inputs: ["https://shop.example.com/p/1001", "https://shop.example.com/p/1002", "https://shop.example.com/p/1003"],
      });
      // One finished crawl run, as if run a while ago.
      const run = newCrawlRun(state, env, state.extractors.get(extractorId)!);
      while (!FINAL_RUN.includes(run.state)) stepCrawlRun(run, now());
      run.progress.step = run.progress.polls = run.urls.length + 2;
      const reportId = seedApi.report({ extractorId });
      seeded = { extractorId, crawlRunId: run.guid, reportId };
    }
    return { state, seeded, seedApi };
  },

  authenticate(call, _env, _state, credentials) {
    if (call.query.get("_apikey") === credentials.apiKey) return { key: credentials.apiKey };
    return error(call.operationId, 401);
  },

  error,

  operations: {
    getCurrentUser: (call, _env, state) => {
      const user = documentedBody(spec, call.operationId, 200) as Record<string, unknown>;
      return json(200, { ...user, guid: state.ownerGuid });
    },
    getCurrentUserSubscription: (call, _env, state) => {
      const subscription = documentedBody(spec, call.operationId, 200) as Record<string, unknown>;
      return json(200, { ...subscription, userId: state.ownerGuid });
    },

    listExtractors: (call, _env, state) => listed(call, [...state.extractors.values()].filter((e) => !e.archived), (e) => extractorView(state, e)),
    getExtractor(call, _env, state) {
      const extractor = state.extractors.get(call.params.extractorId!);
      return extractor ? json(200, extractorView(state, extractor)) : error(call.operationId, 404);
    },
    deleteExtractor(call, env, state) {
      const extractor = state.extractors.get(call.params.extractorId!);
      if (!extractor) return error(call.operationId, 404);
      extractor.archived = true;
      extractor.meta.timestamp = env.clock.now();
      return json(200, extractorView(state, extractor));
    },
    getExtractorInputs(call, _env, state) {
      const extractor = state.extractors.get(call.params.extractorId!);
      return extractor ? inputsResponse(call, extractor) : error(call.operationId, 404);
    },
    updateExtractorInputs(call, env, state) {
      const extractor = state.extractors.get(call.params.extractorId!);
      if (!extractor) return error(call.operationId, 404);
      const inputs = parseInputs(call);
      if (typeof inputs === "string") return error(call.operationId, 400, `Invalid inputs: ${inputs}`);
      extractor.inputs = inputs;
      extractor.meta.timestamp = env.clock.now();
      return empty(200);
    },
    startExtractor(call, env, state) {
      const extractor = state.extractors.get(call.params.extractorId!);
      if (!extractor || extractor.archived) return error(call.operationId, 404);
      const active = state.crawlRuns.find((r) => r.extractorId === extractor.guid && (advanceRun(r, env, false), !FINAL_RUN.includes(r.state)));
      if (active) {
        // Import.io refuses a second start; where the spec does not declare that 400 yet, the running one is answered.
        return spec.declares(call.operationId, 400) ? error(call.operationId, 400, "crawl already in progress") : json(200, { crawlRunId: active.guid });
      }
      const run = newCrawlRun(state, env, extractor);
      const failure = state.failNext.shift();
      if (failure !== undefined) run.failWith = failure;
      return json(200, { crawlRunId: run.guid });
    },
    stopExtractor(call, env, state) {
      const extractor = state.extractors.get(call.params.extractorId!);
      if (!extractor) return error(call.operationId, 404);
      const active = state.crawlRuns.find((r) => r.extractorId === extractor.guid && (advanceRun(r, env, false), !FINAL_RUN.includes(r.state)));
      if (!active) return error(call.operationId, spec.declares(call.operationId, 400) ? 400 : 404, "no in progress crawl");
      active.state = "CANCELLED";
      active.stoppedAt = active.meta.timestamp = env.clock.now();
      active.log.push(`${new Date(active.stoppedAt).toISOString()} WARN crawl run stopped: CANCELLED`);
      return json(200, { crawlRunId: active.guid });
    },
    duplicateExtractor(call, env, state) {
      const source = state.extractors.get(call.params.extractorId!);
      if (!source) return error(call.operationId, 404);
      const guid = env.ids.uuid();
      const now = env.clock.now();
      const copy: Extractor = { ...structuredClone(source), guid, name: `${source.name} (copy)`, archived: false, latestConfigId: env.ids.uuid(), meta: { timestamp: now, creationTimestamp: now } };
      state.extractors.set(guid, copy);
      return json(200, extractorView(state, copy));
    },
    updateExtractorCredentials(call, _env, state) {
      // Stored nowhere the API could show: Import.io never returns them either.
      return state.extractors.has(call.params.extractorId!) ? empty(200) : error(call.operationId, 404);
    },

    listCrawlruns(call, env, state) {
      state.crawlRuns.forEach((r) => advanceRun(r, env, false));
      return listed(call, state.crawlRuns, (r) => crawlRunView(state, r));
    },
    getCrawlrun(call, env, state) {
      const run = state.crawlRuns.find((r) => r.guid === call.params.crawlrunId);
      if (!run) return error(call.operationId, 404);
      advanceRun(run, env, true);
      return json(200, crawlRunView(state, run));
    },
    getCrawlrunFile(call, env, state) {
      const run = state.crawlRuns.find((r) => r.guid === call.params.crawlrunId);
      if (!run) return error(call.operationId, 404);
      advanceRun(run, env, false);
      const type = call.params.fileType!;
      if (type === "log") return file(200, FILE_MEDIA_TYPES.log!, run.log.join("\n") + "\n");
      if (!FINAL_RUN.includes(run.state)) return error(call.operationId, 404, `The crawl run is ${run.state}: its ${type} file exists once it has ended`);
      const columns = ["url", ...run.fieldNames];
      const stamp = new Date(run.stoppedAt ?? env.clock.now());
      switch (type) {
        case "csv":
          return file(200, FILE_MEDIA_TYPES.csv!, csv(columns, run.rows.map(flat)));
        case "xlsx":
          return file(200, FILE_MEDIA_TYPES.xlsx!, xlsx("Results", columns, run.rows.map(flat), stamp));
        case "json":
          return file(200, FILE_MEDIA_TYPES.json!, ndjson(run.rows.map(rowObject)));
        case "sample":
          return json(200, run.rows.slice(0, 3).map(rowObject));
        case "files":
          return file(
            200,
            FILE_MEDIA_TYPES.files!,
            zip(
              Object.fromEntries(
                run.rows.map((row) => [
                  `${row.resourceId}.html`,
                  `<!doctype html><title>${row.values[run.fieldNames[0]!] ?? row.url}</title><p>Fetched from ${row.url} by crawl run ${run.guid}.</p>\n`,
                ]),
              ),
              stamp,
            ),
          );
        default:
          return error(call.operationId, 404, `No ${type} file`);
      }
    },

    listReports: (call, _env, state) => listed(call, [...state.reports.values()].filter((r) => !r.deleted), (r) => reportView(state, r)),
    getReport(call, _env, state) {
      const report = state.reports.get(call.params.reportId!);
      return report && !report.deleted ? json(200, reportView(state, report)) : error(call.operationId, 404);
    },
    deleteReport(call, _env, state) {
      const report = state.reports.get(call.params.reportId!);
      if (!report || report.deleted) return error(call.operationId, 404);
      report.deleted = true;
      return empty(200);
    },
    startReport(call, env, state) {
      const report = state.reports.get(call.params.reportId!);
      if (!report || report.deleted) return error(call.operationId, 404);
      const now = env.clock.now();
      const run: ReportRun = { guid: env.ids.uuid(), report, status: "STARTED", progress: newProgress(env), configId: report.latestConfigId, meta: { timestamp: now, creationTimestamp: now } };
      const failure = state.failNext.shift();
      if (failure !== undefined) run.failWith = failure;
      state.reportRuns.push(run);
      return empty(200);
    },
    listReportRunsForReport(call, env, state) {
      const report = state.reports.get(call.params.reportId!);
      if (!report || report.deleted) return error(call.operationId, 404);
      const runs = state.reportRuns.filter((r) => r.report === report);
      runs.forEach((r) => advanceReportRun(state, r, env, false));
      return listed(call, runs, (r) => reportRunView(state, r));
    },
    listReportRuns(call, env, state) {
      state.reportRuns.forEach((r) => advanceReportRun(state, r, env, false));
      return listed(call, state.reportRuns, (r) => reportRunView(state, r));
    },
    getReportRun(call, env, state) {
      const run = state.reportRuns.find((r) => r.guid === call.params.reportRunId);
      if (!run) return error(call.operationId, 404);
      advanceReportRun(state, run, env, true);
      return json(200, reportRunView(state, run));
    },
    getReportRunFile(call, env, state) {
      const run = state.reportRuns.find((r) => r.guid === call.params.reportRunId);
      if (!run) return error(call.operationId, 404);
      advanceReportRun(state, run, env, false);
      if (run.status !== "FINISHED" || !run.compared) return error(call.operationId, 404, `The report run is ${run.status}: it has no output`);
      const latest = run.compared.latest;
      const columns = ["url", ...latest.fieldNames];
      switch (call.params.fileType) {
        case "csv":
          return file(200, FILE_MEDIA_TYPES.csv!, csv(columns, latest.rows.map(flat)));
        case "xlsx":
          return file(200, FILE_MEDIA_TYPES.xlsx!, xlsx(run.report.name, columns, latest.rows.map(flat), new Date(run.meta.timestamp)));
        case "json":
          return run.report.type === "CHANGE" ? json(200, changeOf(run.compared)) : error(call.operationId, 404, "JSON output exists only for Change reports");
        default:
          return error(call.operationId, 404, `No ${call.params.fileType} file`);
      }
    },
  },

  failImport(state, env, id, reason) {
    const run = state.crawlRuns.find((r) => r.guid === id);
    const reportRun = state.reportRuns.find((r) => r.guid === id);
    if (run) {
      advanceRun(run, env, false);
      if (!FINAL_RUN.includes(run.state)) run.failWith = reason ?? DEFAULT_REASON;
      return true;
    }
    if (reportRun) {
      advanceReportRun(state, reportRun, env, false);
      if (reportRun.status === "STARTED") reportRun.failWith = reason ?? DEFAULT_REASON;
      return true;
    }
    return false;
  },

  failNextImport(state, reason) {
    state.failNext.push(reason ?? DEFAULT_REASON);
  },
};

function newCrawlRun(state: State, env: Env, extractor: Extractor): CrawlRun {
  const now = env.clock.now();
  const previous = [...state.crawlRuns].reverse().find((r) => r.extractorId === extractor.guid);
  const run: CrawlRun = {
    guid: env.ids.uuid(),
    extractorId: extractor.guid,
    previousRunId: previous?.guid ?? null,
    state: "PENDING",
    urls: extractor.inputs.map((i) => i._url),
    processed: 0,
    rows: [],
    log: [],
    fieldNames: extractor.fields.map((f) => f.name),
    progress: newProgress(env),
    meta: { timestamp: now, creationTimestamp: now },
  };
  state.crawlRuns.push(run);
  return run;
}
