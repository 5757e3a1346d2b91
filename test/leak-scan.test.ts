/**
 * Secret-leak scan (issue 7, docs/reliability.md "Redaction"). Every fault of the matrix, and every error path of
 * every client (each error class the packages export), is run with sentinel secrets: the GitBook token, the
 * Import.io key (in the query string), the Document360 api_token, the SharinPix secret, its secret URL and every
 * JWT minted from it, and a URL import's `headers[Authorization]`. The fault server quotes back whatever it
 * received (URL, credential headers, body) in its error bodies and headers, as careless servers do. Then every
 * rendering of the resulting error, its cause chain, what it exposes and every logged line is searched for every
 * sentinel. A leak fails its case; the summary line says how many renderings were searched.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, describe, expect, it, type ExpectStatic } from "vitest";
import * as coreErrors from "../packages/core/src/errors.ts";
import {
  AbortError,
  ApiError,
  AuthenticationError,
  CheckpointDamagedError,
  CheckpointLockedError,
  ConnectionError,
  ExportFailedError,
  FileError,
  ImportFailedError,
  ImportkitError,
  InvalidRequestError,
  InvalidResponseError,
  NotFoundError,
  PaginationLimitError,
  RateLimitError,
  RedirectError,
  ResponseTooLargeError,
  TimeoutError,
  ValidationError,
  WaitTimeoutError,
} from "../packages/core/src/index.ts";
import { createDocument360Client, ExportLimitError } from "../packages/document360/src/index.ts";
import { createGitBookClient } from "../packages/gitbook/src/index.ts";
import { CrawlAlreadyRunningError, ResultParseError } from "../packages/importio/src/index.ts";
import { createSharinPixClient } from "../packages/sharinpix/src/index.ts";
import { driveClock, restoreClock, useFakeClock } from "./fake-clock.ts";
import { refusedUrl, startFaultServer, type Fault, type FaultServer, type RecordedRequest } from "./fault-server.ts";
import {
  clockProgress,
  document360Target,
  echoOf,
  echoing,
  faults,
  gitbookTarget,
  importioTarget,
  SENTINELS,
  SHARINPIX_SECRET_ID,
  SHARINPIX_SECRET_URL,
  sharinpixTarget,
  sharinpixUrlImport,
  targets,
  type CallSpec,
  type FaultTarget,
  type Harness,
  type TargetSetup,
} from "./fault-targets.ts";

type ErrorClass = abstract new (...args: any[]) => Error;

/** Extra sentinels some cases hand a client: a site password, a storage link's signature. */
const PASSWORD = "sitepass_SENTINEL_ls_42e1b07c";
const STORAGE_SIG = "storagesig_SENTINEL_ls_8c3f6a21";
const ALL_SENTINELS = [...Object.values(SENTINELS), SHARINPIX_SECRET_URL, PASSWORD, STORAGE_SIG];

/** Everything an error can be turned into, or hand over, plus the logs. */
const RENDERINGS = [
  "message",
  "stack",
  "cause chain",
  "String()",
  "JSON.stringify()",
  "util.inspect()",
  "error.request",
  "error.headers",
  "error.body",
  "other own properties",
  "logged lines",
] as const;
type Rendering = (typeof RENDERINGS)[number];

function json(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch (error) {
    return `unserializable: ${String(error)}`;
  }
}

/**
 * Every string in a value, keys included, however deep (iterative: JSON.stringify and inspect give up on a 5 000-level
 * body, which would hide what is down there from the scan).
 */
function strings(value: unknown): string {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const stack: unknown[] = [value];
  while (stack.length) {
    const next = stack.pop();
    if (typeof next === "string") out.push(next);
    else if (next !== null && typeof next === "object" && !seen.has(next)) {
      seen.add(next);
      for (const [key, member] of Object.entries(next)) stack.push(key, member);
    }
  }
  return out.join("\n");
}

function render(error: unknown, log: readonly string[]): Record<Rendering, string> {
  const e = (error ?? {}) as Record<string, unknown> & Partial<Error>;
  const causes: string[] = [];
  for (let cause = e.cause as (Error & { cause?: unknown }) | undefined, depth = 0; cause && depth < 10; cause = cause.cause as typeof cause, depth++) {
    causes.push(String(cause.message), String(cause.stack), String(cause), json(cause), inspect(cause, { depth: 10, showHidden: true }));
  }
  const own = error && typeof error === "object" ? Object.getOwnPropertyNames(error).filter((k) => !["message", "stack", "cause"].includes(k)) : [];
  return {
    message: String(e.message ?? ""),
    stack: String(e.stack ?? ""),
    "cause chain": causes.join("\n"),
    "String()": error === undefined ? "" : String(error),
    "JSON.stringify()": error === undefined ? "" : json(error),
    "util.inspect()": error === undefined ? "" : inspect(error, { depth: 20, showHidden: true }),
    "error.request": json(e.request),
    "error.headers": json(e.headers),
    "error.body": typeof e.body === "string" ? e.body : `${json(e.body)}\n${strings(e.body)}`,
    "other own properties": own.map((k) => `${k}=${json(e[k])} ${inspect(e[k], { depth: 10 })} ${strings(e[k])}`).join("\n"),
    "logged lines": log.join("\n"),
  };
}

/** What one case produced. */
interface Run {
  error?: unknown;
  /** Errors besides the thrown one (e.g. a bulk run's per-item failures). */
  more?: unknown[];
  log: readonly string[];
  requests: readonly RecordedRequest[];
  /** Secrets only this case knows (minted JWTs are added from the requests). */
  secrets?: string[];
  /** The case sends nothing to the fault server (refused, refused before sending, built wrong). */
  offline?: boolean;
}

interface LeakCase {
  provider: string;
  name: string;
  /** The class the case must end in; undefined: it ends in a value (only its logs are scanned). */
  error?: ErrorClass;
  target: FaultTarget;
  run(server: FaultServer): Promise<Run>;
  /** Time is the subject (a timeout, waitFor's deadline): run alone, on the fake clock (test/fake-clock.ts). */
  clock?: true;
}

/** Set while a `clock` case runs: the calls below then move fake time event by event (driveClock). */
let clockOn = false;
async function settleDriven(pending: Promise<unknown>, server: FaultServer, h: Harness<unknown>): Promise<unknown> {
  const settled = settle(pending);
  return clockOn ? driveClock(settled, () => clockProgress(server, h)) : settled;
}

const tally = { runs: 0, errorCases: 0, renderingsSearched: 0, leaks: 0, classes: new Map<string, number>() };

/**
 * The forms a secret can be echoed in, which the scan looks for besides the secret itself: percent-encoded (each
 * character, lower- and upper-case hex) and base64/base64url at each of the three byte alignments (what stays the
 * same in the encoding of any text that contains it, e.g. `user:secret`).
 */
function encodedForms(secret: string): string[] {
  const hex = [...secret].map((ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, "0")}`).join("");
  const forms = [hex, hex.toUpperCase()];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), Buffer.from(secret)]).toString("base64").replace(/=+$/, "");
    const core = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + secret.length)) / 6));
    forms.push(core, core.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return forms;
}

/** Searches every rendering for every sentinel, in every form; returns the leaks as `rendering: sentinel`. */
function scan(run: Run, target: FaultTarget): string[] {
  const secrets = [...new Set([...ALL_SENTINELS, ...target.secrets(run.requests), ...sharinpixTarget.secrets(run.requests), ...(run.secrets ?? [])])].flatMap(
    (secret) => [secret, ...encodedForms(secret)],
  );
  const leaks: string[] = [];
  const errors = [run.error, ...(run.more ?? [])].filter((e) => e !== undefined);
  const renderings = errors.length ? errors.map((e) => render(e, run.log)) : [render(undefined, run.log)];
  for (const rendered of renderings) {
    for (const [name, text] of Object.entries(rendered)) {
      if (errors.length) tally.renderingsSearched++;
      for (const secret of secrets) if (text.includes(secret)) leaks.push(`${name}: ${secret.slice(0, 24)}…`);
    }
  }
  return leaks;
}

async function settle(pending: Promise<unknown>): Promise<unknown> {
  return pending.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** Builds the target's client against the server and runs `call`, keeping the error, the log and the requests. */
async function runWith<C>(
  server: FaultServer,
  target: FaultTarget<C>,
  call: (h: Harness<C>) => Promise<unknown>,
  setup: Partial<TargetSetup> = {},
): Promise<Run> {
  // A bound for a hang, not a race: anything timed is a `clock` case.
  const harness = target.build({ origin: server.url, maxRetries: 0, timeout: 15_000, ...setup });
  const error = await settleDriven(call(harness), server, harness);
  return { error, log: harness.log.lines, requests: server.requests };
}

// ─── 1. Every fault of the matrix, for every provider's read and work-starting call ─────────────────────────────

const faultCases: LeakCase[] = faults.flatMap((fault) =>
  targets.flatMap((target) =>
    (["read", "start"] as const).map(
      (kind): LeakCase => ({
        provider: target.provider,
        name: `fault ${fault.id} · ${kind}`,
        target,
        ...(fault.clock ? { clock: true as const } : {}),
        run: async (server) => {
          const call = target[kind] as CallSpec<unknown>;
          for (const [matcher, answer] of call.support ?? []) server.route(matcher, answer);
          fault.serve({ server, target, call });
          const origin = fault.refused ? await refusedUrl() : server.url;
          const controller = new AbortController();
          const harness = target.build({ origin, maxRetries: fault.maxRetries ?? 1, ...(fault.timeout ? { timeout: fault.timeout } : {}) });
          if (fault.abortWhenLogged) void harness.log.when(fault.abortWhenLogged).then(() => controller.abort());
          const error = await settleDriven(call.run(harness.client, { signal: controller.signal }), server, harness);
          return { error, log: harness.log.lines, requests: server.requests, ...(fault.refused ? { offline: true } : {}) };
        },
      }),
    ),
  ),
);

// ─── 2. Every error status, echoing the request, for every provider ──────────────────────────────────────────

const STATUS_CLASSES: Array<[number, ErrorClass]> = [
  [400, InvalidRequestError],
  [401, AuthenticationError],
  [403, AuthenticationError],
  [404, NotFoundError],
  [409, ApiError],
  [422, InvalidRequestError],
  [429, RateLimitError],
  [500, ApiError],
];

const statusCases: LeakCase[] = targets.flatMap((target) =>
  STATUS_CLASSES.flatMap(([status, error]) =>
    (["read", "start"] as const).map(
      (kind): LeakCase => ({
        provider: target.provider,
        name: `${status} echoing the request · ${kind}`,
        error,
        target,
        run: async (server) => {
          const call = target[kind] as CallSpec<unknown>;
          server.route(call.route, echoing({ server, target, call }, status, { "set-cookie": "session=abc", "www-authenticate": 'Bearer realm="api"' }, `refused ${status}`));
          return runWith(server, target, (h) => call.run(h.client, {}));
        },
      }),
    ),
  ),
);

// ─── 3. The error paths each client has of its own ────────────────────────────────────────────────────────────

/** A 200 whose JSON is `make(echo of the request)`. */
const echoJson = (make: (echo: string) => unknown, status = 200): Fault => ({
  handler: (req, res, body) => void res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(make(echoOf(req, body)))),
});

const GB_ORG = "org_fm";
const GB_REF = ["run_fm_1", { organizationId: GB_ORG }] as const;
const IO_RUN = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const IO_EXTRACTOR = "0f3d5c1a-8e2b-4c7d-9a6f-1b2c3d4e5f60";
const SPX_IMPORT = "1e908c13-c77e-43b2-b471-b474c2e00a78";
const envelope = { extension_data: null, success: true, errors: [], warnings: [], information: [] };

function own<C>(target: FaultTarget<C>, name: string, error: ErrorClass, run: (server: FaultServer) => Promise<Run>): LeakCase {
  return { provider: target.provider, name, error, target, run };
}
/** A case whose subject is time: it runs on the fake clock. */
function timed<C>(target: FaultTarget<C>, name: string, error: ErrorClass, run: (server: FaultServer) => Promise<Run>): LeakCase {
  return { ...own(target, name, error, run), clock: true };
}

const offline = (error: unknown, log: readonly string[] = []): Run => ({ error, log, requests: [], offline: true });

const ownCases: LeakCase[] = [
  // GitBook
  own(gitbookTarget, "ImportFailedError: a failed run whose reason quotes the request", ImportFailedError, (server) => {
    server.route(gitbookTarget.read.route, echoJson((echo) => ({ object: "import-run", id: "run_fm_1", status: "failed", reason: `rejected: ${echo}` })));
    return runWith(server, gitbookTarget, (h) => h.client.imports.waitFor(...GB_REF, { interval: 5 }));
  }),
  timed(gitbookTarget, "WaitTimeoutError: a run still pending, quoting the request", WaitTimeoutError, (server) => {
    server.route(gitbookTarget.read.route, echoJson((echo) => ({ object: "import-run", id: "run_fm_1", status: "running", reason: echo })));
    return runWith(server, gitbookTarget, (h) => h.client.imports.waitFor(...GB_REF, { interval: 10, deadline: 100 }));
  }),
  own(gitbookTarget, "PaginationLimitError: a list that never ends, its items quoting the request", PaginationLimitError, (server) => {
    server.route(`GET /org/${GB_ORG}/imports`, echoJson((echo) => ({ items: [{ object: "import-run", id: "r", status: "pending", reason: echo }], next: { page: "p2" } })));
    return runWith(server, gitbookTarget, (h) => h.client.imports.list({ organizationId: GB_ORG }, { maxPages: 1 }).toArray());
  }),
  own(gitbookTarget, "ValidationError: the token pasted into a URL field", ValidationError, async () => {
    const h = gitbookTarget.build({ origin: "http://127.0.0.1:9" });
    const error = await settle(
      h.client.imports.start({ organizationId: GB_ORG, source: { type: "website", url: `not a url ${SENTINELS.gitbookToken}` }, target: { space: "s" } }),
    );
    return offline(error, h.log.lines);
  }),
  own(gitbookTarget, "ValidationError: a token with a line break, refused when the client is built", ValidationError, async (server) => {
    // Headers.set would refuse it with a TypeError that quotes the whole header value: the client says so first.
    const token = `${SENTINELS.gitbookToken}\nsecond-line`;
    const error = await settle(Promise.resolve().then(() => createGitBookClient({ token, baseUrl: server.url, maxRetries: 0 }).imports.get(...GB_REF)));
    return { error, log: [], requests: server.requests, offline: true };
  }),

  // Import.io
  own(importioTarget, "ImportFailedError: a FAILED crawl run quoting the request", ImportFailedError, (server) => {
    server.route(importioTarget.read.route, echoJson((echo) => ({ guid: IO_RUN, extractorId: IO_EXTRACTOR, state: "FAILED", url: echo })));
    return runWith(server, importioTarget, (h) => h.client.crawlRuns.waitFor(IO_RUN, { interval: 5 }));
  }),
  timed(importioTarget, "WaitTimeoutError: a crawl run still STARTED, quoting the request", WaitTimeoutError, (server) => {
    server.route(importioTarget.read.route, echoJson((echo) => ({ guid: IO_RUN, extractorId: IO_EXTRACTOR, state: "STARTED", url: echo })));
    return runWith(server, importioTarget, (h) => h.client.crawlRuns.waitFor(IO_RUN, { interval: 10, deadline: 100 }));
  }),
  own(importioTarget, "PaginationLimitError: pages that never run out", PaginationLimitError, (server) => {
    server.route("GET /extractors", echoJson((echo) => [{ guid: IO_EXTRACTOR, name: echo }]));
    return runWith(server, importioTarget, (h) => h.client.extractors.list(undefined, { maxPages: 1 }).toArray());
  }),
  own(importioTarget, "InvalidResponseError: a list page that is not an array", InvalidResponseError, (server) => {
    server.route("GET /extractors", echoJson((echo) => ({ message: echo })));
    return runWith(server, importioTarget, (h) => h.client.extractors.list().toArray());
  }),
  own(importioTarget, "ValidationError: the API key pasted where an id belongs", ValidationError, async () => {
    const h = importioTarget.build({ origin: "http://127.0.0.1:9" });
    // Ids in UUID form are an inferred rule: refused in strict mode (the default warns, and sends).
    return offline(await settle(h.client.crawlRuns.get(SENTINELS.importioKey, { validate: "strict" })), h.log.lines);
  }),
  own(importioTarget, "ResultParseError: a result row that is not JSON, quoting the request", ResultParseError, (server) => {
    server.route(`GET /crawlruns/${IO_RUN}/json`, {
      handler: (req, res, body) => void res.writeHead(200, { "content-type": "application/x-ndjson" }).end(`{"ok":1}\nnot json: ${echoOf(req, body)}\n`),
    });
    return runWith(server, importioTarget, async (h) => {
      for await (const _row of h.client.crawlRuns.rows(IO_RUN)) void _row;
    });
  }),
  own(importioTarget, "NotFoundError: a result file download answered 404 quoting the request", NotFoundError, (server) => {
    server.route(`GET /crawlruns/${IO_RUN}/csv`, echoing({ server, target: importioTarget, call: importioTarget.read }, 404, {}, "no such file"));
    return runWith(server, importioTarget, async (h) => void (await h.client.crawlRuns.download(IO_RUN, "csv")));
  }),
  timed(importioTarget, "TimeoutError: a result file that stalls mid-body", TimeoutError, (server) => {
    server.route(`GET /crawlruns/${IO_RUN}/csv`, { fault: "stall-body", status: 200, headers: { "content-type": "text/csv" }, partialBody: "a,b\n1," });
    return runWith(
      server,
      importioTarget,
      async (h) => {
        const download = await h.client.crawlRuns.download(IO_RUN, "csv");
        await new Response(download.body).text();
      },
      { timeout: 150 },
    );
  }),
  own(importioTarget, "CrawlAlreadyRunningError: a start refused while a crawl runs, quoting the request", CrawlAlreadyRunningError, (server) => {
    server.route(importioTarget.start.route, echoJson((echo) => ({ code: 400, message: `Extractor is archived or a crawl already in progress. ${echo}` }), 400));
    return runWith(server, importioTarget, (h) => importioTarget.start.run(h.client, {}));
  }),
  own(importioTarget, "InvalidRequestError: a site password refused, the body quoting it", InvalidRequestError, async (server) => {
    server.route(`POST /extractors/${IO_EXTRACTOR}/credentials`, echoing({ server, target: importioTarget, call: importioTarget.start }, 400, {}, "bad login"));
    const run = await runWith(server, importioTarget, (h) => h.client.extractors.setCredentials(IO_EXTRACTOR, { username: "me", password: PASSWORD }));
    expect(server.requests[0]?.body).toContain(PASSWORD);
    return run;
  }),

  // Document360
  own(document360Target, "ExportLimitError: the daily export cap, its description quoting the request", ExportLimitError, (server) => {
    server.route(
      "POST /v2/Project/Export",
      echoJson(
        (echo) => ({
          ...envelope,
          success: false,
          errors: [{ description: `Export API request limit(2) is reached for the day. ${echo}`, error_code: "400" }],
        }),
        400,
      ),
    );
    return runWith(server, document360Target, (h) => h.client.exports.start({ entity: "Project", version_id: [] }));
  }),
  own(document360Target, "ImportFailedError: an import in Error whose log quotes the request", ImportFailedError, (server) => {
    server.route(
      document360Target.read.route,
      echoJson((echo) => ({ ...envelope, status: "Error", import_documentation_log: { messages: [{ message: `failed: ${echo}`, message_type: 0 }] } })),
    );
    return runWith(server, document360Target, (h) => h.client.imports.waitFor("imp_fm_1", { interval: 5 }));
  }),
  timed(document360Target, "WaitTimeoutError: an import still InProgress, quoting the request", WaitTimeoutError, (server) => {
    server.route(document360Target.read.route, echoJson((echo) => ({ ...envelope, status: "InProgress", information: [{ description: echo }] })));
    return runWith(server, document360Target, (h) => h.client.imports.waitFor("imp_fm_1", { interval: 10, deadline: 100 }));
  }),
  own(document360Target, "InvalidResponseError: a start answered without an id, its errors quoting the request", InvalidResponseError, (server) => {
    server.route(document360Target.start.route, echoJson((echo) => ({ ...envelope, success: false, errors: [{ description: echo, error_code: "x" }] })));
    return runWith(server, document360Target, (h) => document360Target.start.run(h.client, {}));
  }),
  own(document360Target, "ValidationError: a signed URL with the token in its query, and an empty import_by (strict)", ValidationError, async () => {
    const h = document360Target.build({ origin: "http://127.0.0.1:9" });
    const url = `https://files.example.com/export.txt?sig=${STORAGE_SIG}&api_token=${SENTINELS.document360Token}`;
    return offline(await settle(h.client.imports.start({ source_documentation_url: url, import_by: "" }, { validate: "strict" })), h.log.lines);
  }),
  own(document360Target, "ValidationError: a token with a stray newline, refused when the client is built", ValidationError, async () =>
    offline(await settle(Promise.resolve().then(() => createDocument360Client({ apiToken: `${SENTINELS.document360Token}\n` })))),
  ),
  own(document360Target, "AuthenticationError: the storage host refuses a signed download link, quoting it", AuthenticationError, async (server) => {
    server.route("GET /storage/export.zip", {
      handler: (req, res) => void res.writeHead(403, { "content-type": "application/xml", "x-request-echo": String(req.url) }).end(`<Error>AuthenticationFailed ${req.url}</Error>`),
    });
    const status = { ...envelope, status: "Completed", download_url: `${server.url}/storage/export.zip?sv=2024&sig=${STORAGE_SIG}` };
    const run = await runWith(server, document360Target, async (h) => void (await h.client.exports.download(status)));
    return { ...run, offline: true, secrets: [STORAGE_SIG] };
  }),

  // SharinPix
  own(sharinpixTarget, "AuthenticationError: SharinPix's empty 401, X-message quoting the credential", AuthenticationError, (server) => {
    server.route(sharinpixTarget.start.route, { handler: (req, res) => void res.writeHead(401, { "x-message": `Access denied for ${req.headers.authorization}` }).end() });
    return runWith(server, sharinpixTarget, (h) => sharinpixTarget.start.run(h.client, {}));
  }),
  timed(sharinpixTarget, "WaitTimeoutError: an import not yet processed, echoing the URL import's headers", WaitTimeoutError, (server) => {
    server.route(
      sharinpixTarget.read.route,
      echoJson((echo) => ({ id: SPX_IMPORT, organization_id: SHARINPIX_SECRET_ID, image_id: null, params: { ...sharinpixUrlImport, note: echo } })),
    );
    return runWith(server, sharinpixTarget, (h) => h.client.imports.waitFor(SPX_IMPORT, { interval: 10, deadline: 100 }));
  }),
  own(sharinpixTarget, "ValidationError: a secret URL without a host", ValidationError, async () =>
    offline(await settle(Promise.resolve().then(() => createSharinPixClient({ secretUrl: `sharinpix://${SHARINPIX_SECRET_ID}:${SENTINELS.sharinpixSecret}@` })))),
  ),
  own(sharinpixTarget, "ValidationError: a secret URL with a query", ValidationError, async () =>
    offline(
      await settle(
        Promise.resolve().then(() => createSharinPixClient({ secretUrl: `${SHARINPIX_SECRET_URL}?token=${SENTINELS.urlImportBearer}` })),
      ),
    ),
  ),
  own(sharinpixTarget, "ValidationError: a URL import with a credential in a bad URL and a bad header", ValidationError, async () => {
    const h = sharinpixTarget.build({ origin: "http://127.0.0.1:9" });
    const params = { album_id: "a", url: `ftp://files.example.com/a.jpg?token=${SENTINELS.urlImportBearer}`, headers: { Authorization: 5 } };
    return offline(await settle(h.client.imports.start(params as unknown as typeof sharinpixUrlImport, { validate: "strict" })), h.log.lines);
  }),
  own(sharinpixTarget, "bulk: every item's error, 500s and resets echoing the request", ApiError, async (server) => {
    let n = 0;
    server.route(sharinpixTarget.start.route, {
      handler: (req, res, body) => {
        if (n++ % 2) return void req.socket.destroy();
        res.writeHead(500, { "content-type": "text/plain", "x-request-echo": echoOf(req, body) }).end(echoOf(req, body));
      },
    });
    const h = sharinpixTarget.build({ origin: server.url, maxRetries: 0 });
    const report = await h.client.imports.bulk([sharinpixUrlImport, { ...sharinpixUrlImport, url: "https://files.example.com/b.jpg" }], { concurrency: 1 });
    const errors = [...report.failed, ...report.uncertain].map((f) => f.error);
    expect(errors.length).toBe(2);
    return { error: errors[0], more: [...errors.slice(1), report.stoppedBy].filter(Boolean), log: h.log.lines, requests: server.requests };
  }),
  own(sharinpixTarget, "ImportkitError: a bulk item an earlier run left uncertain, not resent", ImportkitError, async (server) => {
    // The first run's request is reset after it arrived: the item may exist. The second run must not resend it.
    server.route(sharinpixTarget.start.route, { fault: "reset-before-headers" });
    const checkpoint = join(mkdtempSync(join(tmpdir(), "importkit-leak-")), "bulk.checkpoint");
    const h = sharinpixTarget.build({ origin: server.url, maxRetries: 0 });
    await h.client.imports.bulk([sharinpixUrlImport], { checkpoint });
    const again = await h.client.imports.bulk([sharinpixUrlImport], { checkpoint });
    expect(again.uncertain).toHaveLength(1);
    return { error: again.uncertain[0]!.error, log: h.log.lines, requests: server.requests };
  }),

  // Every provider: a redirect to another origin, its Location carrying the credential, is not followed.
  ...targets.map((target) =>
    own(target, "RedirectError: an API call redirected to another origin, the Location quoting the request", RedirectError, async (server) => {
      const elsewhere = await startFaultServer();
      try {
        server.route(target.read.route, { handler: (req, res, body) => void res.writeHead(307, { location: `${elsewhere.url}/collect?echo=${encodeURIComponent(echoOf(req, body))}` }).end() });
        const run = await runWith(server, target, (h) => target.read.run(h.client, {}));
        expect(elsewhere.requests).toHaveLength(0);
        return run;
      } finally {
        await elsewhere.close();
      }
    }),
  ),
  // Every provider: a success body past maxResponseBytes that quotes the request.
  ...targets.map((target) =>
    own(target, "ResponseTooLargeError: a success body over the cap, quoting the request", ResponseTooLargeError, (server) => {
      server.route(target.read.route, {
        handler: (req, res, body) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ echo: echoOf(req, body), pad: "x".repeat(8 * 1024) }));
        },
      });
      return runWith(server, target, (h) => target.read.run(h.client, {}), { extra: { maxResponseBytes: 4096 } });
    }),
  ),
  own(importioTarget, "FileError: a result file saved onto a directory, refused before any request", FileError, async (server) => {
    const directory = mkdtempSync(join(tmpdir(), `importkit-leak-${SENTINELS.importioKey}-`));
    const run = await runWith(server, importioTarget, (h) => h.client.crawlRuns.download(IO_RUN, "csv").saveTo(directory));
    expect(server.requests).toHaveLength(0);
    // The path is the caller's own (here it holds the key): it stays in the error, the key does not.
    return { ...run, offline: true };
  }),
  own(sharinpixTarget, "CheckpointDamagedError: a checkpoint altered between runs", CheckpointDamagedError, async (server) => {
    server.route(sharinpixTarget.start.route, sharinpixTarget.start.success);
    const checkpoint = join(mkdtempSync(join(tmpdir(), "importkit-leak-")), "bulk.checkpoint");
    const h = sharinpixTarget.build({ origin: server.url, maxRetries: 0 });
    await h.client.imports.bulk([sharinpixUrlImport], { checkpoint });
    const lines = readFileSync(checkpoint, "utf8").split("\n");
    lines[1] = lines[1]!.replace(/"s":"[a-z]+"/, '"s":"failed"');
    writeFileSync(checkpoint, lines.join("\n"));
    const error = await settle(h.client.imports.bulk([sharinpixUrlImport], { checkpoint }));
    return { error, log: h.log.lines, requests: server.requests };
  }),
  own(sharinpixTarget, "CheckpointLockedError: two runs on one checkpoint at once", CheckpointLockedError, async (server) => {
    server.route(sharinpixTarget.start.route, { ...sharinpixTarget.start.success, delayMs: 200 });
    const checkpoint = join(mkdtempSync(join(tmpdir(), "importkit-leak-")), "bulk.checkpoint");
    const h = sharinpixTarget.build({ origin: server.url, maxRetries: 0 });
    // Whichever run takes the lock second is refused: no race decides the outcome, only which of the two it is.
    const [a, b] = await Promise.all([settle(h.client.imports.bulk([sharinpixUrlImport], { checkpoint })), settle(h.client.imports.bulk([sharinpixUrlImport], { checkpoint }))]);
    return { error: a ?? b, log: h.log.lines, requests: server.requests };
  }),
  own(document360Target, "ExportFailedError: an export in Error whose description quotes the request", ExportFailedError, (server) => {
    server.route(
      "GET /v2/Project/Export/exp_fm_1",
      echoJson((echo) => ({ ...envelope, status: "Error", errors: [{ description: `export failed: ${echo}`, error_code: "x" }] })),
    );
    return runWith(server, document360Target, (h) => h.client.exports.waitFor("exp_fm_1", { interval: 5 }));
  }),
];

// ─── The same few error paths for every provider ───────────────────────────────────────────────────────────────

/** Each provider's error envelope with its code field set to `code` (SharinPix has none: its errors are headers). */
const envelopeWithCode: Record<string, (code: string) => unknown> = {
  gitbook: (code) => ({ error: { code, message: "refused" } }),
  importio: (code) => ({ code, message: "refused" }),
  document360: (code) => ({ ...envelope, success: false, errors: [{ description: "refused", error_code: code }] }),
  sharinpix: () => "",
};

/** `value` nested `levels` deep in objects (`{"a":{"a":…}}`), as JSON text, built without recursion. */
const nestedJson = (levels: number, value: unknown) => `${'{"a":'.repeat(levels)}${JSON.stringify(value)}${"}".repeat(levels)}`;
const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const lowerHex = (text: string) => encodeURIComponent(text).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase());
const allHex = (text: string) => [...text].map((ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, "0")}`).join("");

const commonCases: LeakCase[] = targets.flatMap((target) => [
  ...[
    ["40 levels deep", (echo: string) => nestedJson(40, { message: echo })],
    ["5 000 levels deep", (echo: string) => nestedJson(5_000, { message: echo })],
    ["base64 and base64url encoded", (echo: string) => JSON.stringify({ message: "refused", echo: base64(echo), url: Buffer.from(echo).toString("base64url") })],
    ["percent-encoded in lower-case hex", (echo: string) => JSON.stringify({ message: "refused", echo: lowerHex(echo), every: allHex(echo) })],
  ].map(
    ([shape, make]): LeakCase => ({
      provider: target.provider,
      name: `InvalidRequestError: an error body that quotes the request ${shape as string}`,
      error: InvalidRequestError,
      target,
      run: async (server: FaultServer) => {
        server.route(target.read.route, {
          handler: (req, res, body) => void res.writeHead(400, { "content-type": "application/json" }).end((make as (echo: string) => string)(echoOf(req, body))),
        });
        return runWith(server, target, (h) => target.read.run(h.client, {}));
      },
    }),
  ),
  {
    provider: target.provider,
    name: "ApiError fields: an error code and a request id that quote the request",
    error: InvalidRequestError,
    target,
    run: async (server: FaultServer) => {
      server.route(target.read.route, {
        handler: (req, res, body) => {
          const echo = echoOf(req, body);
          res.writeHead(400, { "content-type": "application/json", "x-request-id": `req-${echo}`, "x-message": "refused" });
          res.end(JSON.stringify(envelopeWithCode[target.provider]!(echo)));
        },
      });
      return runWith(server, target, (h) => target.read.run(h.client, {}));
    },
  },
  {
    provider: target.provider,
    name: "AbortError: the caller aborts a request in flight",
    error: AbortError,
    target,
    run: async (server: FaultServer) => {
      // The server tells the test the request arrived (it never answers): the abort lands in flight, always.
      const controller = new AbortController();
      server.route(target.read.route, { handler: () => controller.abort() });
      return runWith(server, target, (h) => target.read.run(h.client, { signal: controller.signal }));
    },
  },
  {
    provider: target.provider,
    name: "TimeoutError: every attempt times out",
    error: TimeoutError,
    target,
    clock: true as const,
    run: async (server: FaultServer) => {
      server.route(target.start.route, { fault: "no-headers" });
      return runWith(server, target, (h) => target.start.run(h.client, {}), { timeout: 100, maxRetries: 1 });
    },
  },
  {
    provider: target.provider,
    name: "ConnectionError: reset on every attempt of a read",
    error: ConnectionError,
    target,
    run: async (server: FaultServer) => {
      server.route(target.read.route, { fault: "reset-after-headers", status: 200, partialBody: "{" });
      return runWith(server, target, (h) => target.read.run(h.client, {}), { maxRetries: 1 });
    },
  },
]);

const cases = [...faultCases, ...statusCases, ...ownCases, ...commonCases];

afterAll(() => {
  const classes = [...tally.classes.entries()].sort().map(([name, n]) => `${name} ${n}`).join(", ");
  console.log(
    `leak scan: ${tally.runs} runs; ${tally.errorCases} error cases × ${RENDERINGS.length} renderings (${tally.renderingsSearched} searched) ` +
      `for ${ALL_SENTINELS.length} sentinels + minted JWTs, ${tally.leaks} leaks\nleak scan classes: ${classes}`,
  );
});

async function runCase(c: LeakCase, expect: ExpectStatic): Promise<void> {
  const server = await startFaultServer();
  if (c.clock) {
    useFakeClock();
    clockOn = true;
  }
  try {
    const run = await c.run(server).finally(() => {
      if (c.clock) {
        clockOn = false;
        restoreClock();
      }
    });
    tally.runs++;
    const errors = [run.error, ...(run.more ?? [])].filter((e) => e !== undefined);
    if (c.error) {
      expect(run.error, "the case ends in its error").toBeInstanceOf(c.error);
      expect((run.error as Error).name).toBe(c.error.name);
    }
    for (const error of errors) {
      expect(error).toBeInstanceOf(ImportkitError);
      const name = (error as Error).name;
      tally.classes.set(name, (tally.classes.get(name) ?? 0) + 1);
      tally.errorCases++;
    }
    // Not vacuous: whatever reached the server carried the real credential (the echo quoted it back).
    if (!run.offline) {
      expect(run.requests.length, "the case reached the server").toBeGreaterThan(0);
      expect(run.requests.some((r) => c.target.carriesCredential(r))).toBe(true);
    }
    const leaks = scan(run, c.target);
    tally.leaks += leaks.length;
    expect(leaks).toEqual([]);
  } finally {
    await server.close();
  }
}

describe.concurrent("leak scan", () => {
  for (const target of targets) {
    describe(target.provider, () => {
      for (const c of cases.filter((x) => x.target === target && !x.clock)) it(c.name, ({ expect }) => runCase(c, expect));
    });
  }
});

// Time is their subject: one at a time, on the fake clock (fake timers belong to the whole worker).
describe("leak scan (fake clock)", () => {
  for (const target of targets) {
    describe(target.provider, () => {
      for (const c of cases.filter((x) => x.target === target && x.clock)) it(c.name, ({ expect }) => runCase(c, expect));
    });
  }
});

describe("the scanner itself", () => {
  it("finds a planted secret in each rendering", () => {
    const secret = SENTINELS.gitbookToken;
    const planted: Record<Rendering, () => Omit<Run, "requests">> = {
      message: () => ({ error: new ImportkitError(`oops ${secret}`), log: [] }),
      stack: () => {
        const error = new ImportkitError("oops");
        error.stack = `ImportkitError: oops\n    at ${secret}`;
        return { error, log: [] };
      },
      "cause chain": () => ({ error: new ImportkitError("oops", { cause: new Error("inner", { cause: new Error(secret) }) }), log: [] }),
      "String()": () => ({ error: Object.assign(new ImportkitError("oops"), { toString: () => secret }), log: [] }),
      "JSON.stringify()": () => ({ error: Object.assign(new ImportkitError("oops"), { toJSON: () => ({ secret }) }), log: [] }),
      "util.inspect()": () => {
        const error = new ImportkitError("oops");
        Object.defineProperty(error, "hidden", { value: secret, enumerable: false });
        return { error, log: [] };
      },
      "error.request": () => ({ error: new ApiError({ status: 400, message: "x", request: { method: "GET", url: `https://x/?k=${secret}` } }), log: [] }),
      "error.headers": () => ({ error: new ApiError({ status: 400, message: "x", headers: { "x-echo": secret } }), log: [] }),
      "error.body": () => ({ error: new ApiError({ status: 400, message: "x", body: { deep: [{ secret }] } }), log: [] }),
      "other own properties": () => ({ error: new WaitTimeoutError("x", { deadlineMs: 1, lastSeen: { secret } }), log: [] }),
      "logged lines": () => ({ error: new ImportkitError("oops"), log: [`warn retrying ${secret}`] }),
    };
    const before = tally.renderingsSearched;
    for (const [rendering, make] of Object.entries(planted)) {
      const leaks = scan({ ...make(), requests: [] }, gitbookTarget);
      expect(leaks.some((l) => l.startsWith(`${rendering}:`)), rendering).toBe(true);
    }
    tally.renderingsSearched = before;
  });
});

describe("coverage", () => {
  /**
   * Every error class the packages export that a call can end in: core's hierarchy and the providers' own.
   * WorkFailedError is only the base of ImportFailedError and ExportFailedError (never thrown itself).
   */
  const exported = [
    ...(Object.values(coreErrors) as unknown[]).filter((v): v is ErrorClass => typeof v === "function" && v.prototype instanceof Error && v !== coreErrors.WorkFailedError),
    ExportLimitError,
    ResultParseError,
    CrawlAlreadyRunningError,
    FileError,
    CheckpointLockedError,
    CheckpointDamagedError,
  ].map((c) => c.name);

  it("the scan ended in every exported error class at least once", () => {
    const seen = new Set(tally.classes.keys());
    expect(exported.filter((name) => !seen.has(name))).toEqual([]);
  });
});
