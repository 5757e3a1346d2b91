/**
 * The four clients as targets for the cross-provider reliability suites (fault matrix, leak scan): how to build
 * each one against a fault server with sentinel secrets and a recording logger, one READ call and one WORK-STARTING
 * call with a valid success body, the provider's error envelope and its rate-limit reset header; and the faults
 * themselves (`faults`), each installed on one call's route, whose error answers quote the request back.
 *
 * Nothing here asserts; the suites do. Every sentinel is a value no server, log or error could produce by chance.
 */
import type { RequestOptions } from "../packages/core/src/index.ts";
import { createDocument360Client } from "../packages/document360/src/index.ts";
import { createGitBookClient } from "../packages/gitbook/src/index.ts";
import { createImportIoClient } from "../packages/importio/src/index.ts";
import { createSharinPixClient } from "../packages/sharinpix/src/index.ts";
import type { IncomingMessage } from "node:http";
import { gzipSync } from "node:zlib";
import type { Answer, Fault, FaultServer, RecordedRequest, RouteMatcher } from "./fault-server.ts";
import type { ClockProgress } from "./fake-clock.ts";
import { recordingLogger } from "./recording-logger.ts";

export type ProviderName = "gitbook" | "importio" | "document360" | "sharinpix";

/** The secrets each client is given. None may surface anywhere but in the requests themselves. */
export const SENTINELS = {
  gitbookToken: "gbtok_SENTINEL_fm_7d41c9e2",
  importioKey: "iokey_SENTINEL_fm_3b8a51f0",
  document360Token: "d360tok_SENTINEL_fm_c2e9a6b4",
  sharinpixSecret: "spxsecret_SENTINEL_fm_91f3d7a8",
  /** What a SharinPix URL import hands SharinPix for its own fetch of the image (`headers[Authorization]`). */
  urlImportBearer: "urlbearer_SENTINEL_fm_5a0c2e6d",
} as const;

export const SHARINPIX_SECRET_ID = "0fc2aae7-36e6-4781-b0d9-9778d11b40de";
export const SHARINPIX_SECRET_URL = `sharinpix://${SHARINPIX_SECRET_ID}:${SENTINELS.sharinpixSecret}@api.sharinpix.com/api/v1`;

export interface TargetSetup {
  /** The fault server's origin (or a refused one); the target adds the provider's base path. */
  origin: string;
  maxRetries?: number;
  timeout?: number;
  signal?: AbortSignal;
  /** Any other client options (e.g. `maxResponseBytes`). */
  extra?: Record<string, unknown>;
}

/** What the fetch beneath the client saw: every attempt, refused ones included, and the body bytes it read. */
export interface FetchTrace {
  attempts: number;
  /** Attempts that settled: answered (headers in) or failed (refused, reset, aborted). */
  settled: number;
  /** Body bytes the client pulled from each response, in order (a client that stops reading stops this). */
  bytesRead: number[];
}

export interface Harness<C> {
  client: C;
  log: ReturnType<typeof recordingLogger>;
  trace: FetchTrace;
}

export type CallKind = "read" | "start";

export interface CallSpec<C> {
  kind: CallKind;
  /** e.g. `gitbook.imports.get`. */
  name: string;
  /** The operationId errors name. */
  operation: string;
  /** Matches this call's own requests on the fault server. */
  route: RouteMatcher;
  /** A success the spec allows, for the fault server to answer with. */
  success: Answer;
  run(client: C, options: RequestOptions): Promise<unknown>;
  /** What identifies the value `success` yields (compared with `toEqual`). */
  identify(value: unknown): unknown;
  expected: unknown;
  /** Other routes the call needs answered, e.g. Import.io's lookup of a crawl run a start did not name. */
  support?: Array<[RouteMatcher, Fault]>;
}

export interface FaultTarget<C = any> {
  provider: ProviderName;
  /** The path the API's operations hang under on the server (SharinPix: `/api/v1`). */
  basePath: string;
  build(setup: TargetSetup): Harness<C>;
  read: CallSpec<C>;
  start: CallSpec<C>;
  /** Sentinels given to the client, plus those learned from the requests (SharinPix's minted JWTs). */
  secrets(requests: readonly RecordedRequest[]): string[];
  /** Whether a recorded request carried the client's credential (so a leak check is not vacuous). */
  carriesCredential(request: RecordedRequest): boolean;
  /** The provider's error envelope, with `message` as its explanation. */
  errorBody(status: number, message: string): { json?: unknown; headers?: Record<string, string> };
  /**
   * Headers that say the rate-limit window resets `seconds` from now, in the provider's own format (GitBook: a
   * UTC epoch in seconds; Document360: seconds until the reset). Undefined: the provider documents none.
   */
  resetHeaders?(seconds: number, now?: number): Record<string, string>;
}

/** A fetch that counts attempts and the body bytes read, around the global one. */
function tracingFetch(trace: FetchTrace): typeof fetch {
  return async (input, init) => {
    trace.attempts++;
    const response = await fetch(input, init).finally(() => trace.settled++);
    if (!response.body) return response;
    const index = trace.bytesRead.push(0) - 1;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          trace.bytesRead[index]! += chunk.byteLength;
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** What test/fake-clock.ts watches to tell events under way from a client waiting on a timer. */
export function clockProgress(server: FaultServer, h: Harness<unknown>): ClockProgress {
  return {
    sent: h.trace.attempts,
    arrived: server.requests.length,
    settled: h.trace.settled,
    other: [h.trace.bytesRead.length, h.trace.bytesRead.reduce((a, b) => a + b, 0), h.log.lines.length],
  };
}

function harness<C>(setup: TargetSetup, make: (common: Record<string, unknown>) => C): Harness<C> {
  const log = recordingLogger();
  const trace: FetchTrace = { attempts: 0, settled: 0, bytesRead: [] };
  const common = {
    baseUrl: setup.origin,
    fetch: tracingFetch(trace),
    // Every level: debug lines name each attempt, so the leak scan reads the most a logger can be told.
    logger: log.logger,
    ...(setup.maxRetries !== undefined ? { maxRetries: setup.maxRetries } : {}),
    ...(setup.timeout !== undefined ? { timeout: setup.timeout } : {}),
    ...(setup.signal ? { signal: setup.signal } : {}),
    ...setup.extra,
  };
  return { client: make(common), log, trace };
}

const path = (request: RecordedRequest) => request.url.split("?")[0] ?? "";

// ─── GitBook ────────────────────────────────────────────────────────────────────────────────────────────────

const GB_ORG = "org_fm";
const GB_RUN = "run_fm_1";
const gitbookRun = { object: "import-run", id: GB_RUN, status: "pending" };

export const gitbookTarget: FaultTarget<ReturnType<typeof createGitBookClient>> = {
  provider: "gitbook",
  basePath: "",
  build: (setup) => harness(setup, (common) => createGitBookClient({ token: SENTINELS.gitbookToken, ...common })),
  read: {
    kind: "read",
    name: "gitbook.imports.get",
    operation: "getImportRun",
    route: `GET /org/${GB_ORG}/imports/${GB_RUN}`,
    success: { status: 200, json: gitbookRun },
    run: (c, o) => c.imports.get(GB_RUN, { organizationId: GB_ORG }, o),
    identify: (v) => (v as { id?: unknown } | undefined)?.id,
    expected: GB_RUN,
  },
  start: {
    kind: "start",
    name: "gitbook.imports.start",
    operation: "startImportRun",
    route: `POST /org/${GB_ORG}/imports`,
    success: { status: 201, json: gitbookRun },
    run: (c, o) => c.imports.start({ organizationId: GB_ORG, source: { type: "website", url: "https://example.com/docs" }, target: { space: "space_fm" } }, o),
    identify: (v) => (v as { id?: unknown } | undefined)?.id,
    expected: GB_RUN,
  },
  secrets: () => [SENTINELS.gitbookToken],
  carriesCredential: (r) => r.headers.authorization === `Bearer ${SENTINELS.gitbookToken}`,
  errorBody: (status, message) => ({ json: { error: { code: status, message } } }),
  resetHeaders: (seconds, now = Date.now()) => ({
    "x-ratelimit-limit": "60",
    "x-ratelimit-remaining": "0",
    "x-ratelimit-reset": String(Math.ceil(now / 1000) + seconds),
  }),
};

// ─── Import.io ──────────────────────────────────────────────────────────────────────────────────────────────

const IO_EXTRACTOR = "0f3d5c1a-8e2b-4c7d-9a6f-1b2c3d4e5f60";
const IO_RUN = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

export const importioTarget: FaultTarget<ReturnType<typeof createImportIoClient>> = {
  provider: "importio",
  basePath: "",
  build: (setup) => harness(setup, (common) => createImportIoClient({ apiKey: SENTINELS.importioKey, ...common })),
  read: {
    kind: "read",
    name: "importio.crawlRuns.get",
    operation: "getCrawlrun",
    route: `GET /crawlruns/${IO_RUN}`,
    success: { status: 200, json: { guid: IO_RUN, extractorId: IO_EXTRACTOR, state: "STARTED" } },
    run: (c, o) => c.crawlRuns.get(IO_RUN, o),
    identify: (v) => (v as { guid?: unknown } | undefined)?.guid,
    expected: IO_RUN,
  },
  start: {
    kind: "start",
    name: "importio.extractors.start",
    operation: "startExtractor",
    route: `POST /extractors/${IO_EXTRACTOR}/start`,
    success: { status: 200, json: { crawlRunId: IO_RUN } },
    run: (c, o) => c.extractors.start(IO_EXTRACTOR, o),
    identify: (v) => (v as { crawlRunId?: unknown } | undefined)?.crawlRunId,
    expected: IO_RUN,
    // A start answered without a crawl run id is followed by a look at the newest crawl runs.
    support: [["GET /crawlruns", { status: 200, json: [{ guid: IO_RUN, extractorId: IO_EXTRACTOR, state: "STARTED" }] }]],
  },
  secrets: () => [SENTINELS.importioKey],
  carriesCredential: (r) => new URL(r.url, "http://x").searchParams.get("_apikey") === SENTINELS.importioKey,
  errorBody: (status, message) => ({ json: { code: status, message } }),
};

// ─── Document360 ────────────────────────────────────────────────────────────────────────────────────────────

const D360_IMPORT = "imp_fm_1";
const envelope = { extension_data: null, success: true, errors: [], warnings: [], information: [] };

export const document360Target: FaultTarget<ReturnType<typeof createDocument360Client>> = {
  provider: "document360",
  basePath: "",
  build: (setup) => harness(setup, (common) => createDocument360Client({ apiToken: SENTINELS.document360Token, ...common })),
  read: {
    kind: "read",
    name: "document360.imports.get",
    operation: "getImportStatus",
    route: `GET /v2/Project/Import/${D360_IMPORT}`,
    success: { status: 200, json: { ...envelope, status: "InProgress", import_documentation_log: null }, headers: { "x-ratelimit-remaining": "59" } },
    run: (c, o) => c.imports.get(D360_IMPORT, o),
    identify: (v) => (v as { status?: unknown } | undefined)?.status,
    expected: "InProgress",
  },
  start: {
    kind: "start",
    name: "document360.imports.start",
    operation: "importDocumentation",
    route: "POST /v2/Project/Import",
    success: { status: 200, json: { ...envelope, id: D360_IMPORT, status: "Queued" }, headers: { "x-ratelimit-remaining": "59" } },
    run: (c, o) =>
      c.imports.start({ source_documentation_url: "https://files.example.com/exports/project.zip", import_by: "5a619a315481302d50b736d8" }, o),
    identify: (v) => (v as { id?: unknown } | undefined)?.id,
    expected: D360_IMPORT,
  },
  secrets: () => [SENTINELS.document360Token],
  carriesCredential: (r) => r.headers.api_token === SENTINELS.document360Token,
  errorBody: (status, message) => ({
    json: { ...envelope, success: false, errors: [{ extension_data: null, stack_trace: null, description: message, error_code: String(status), custom_data: null }] },
  }),
  resetHeaders: (seconds) => ({ "x-ratelimit-limit": "60", "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(seconds) }),
};

// ─── SharinPix ──────────────────────────────────────────────────────────────────────────────────────────────

const SPX_IMPORT = "1e908c13-c77e-43b2-b471-b474c2e00a78";
const SPX_ORG = "5b5e2d8c-1f4a-4a3b-9c6d-7e8f9a0b1c2d";
/** A URL import whose fetch of the image carries a credential (SharinPix echoes it back in `params.headers`). */
export const sharinpixUrlImport = {
  album_id: "imported_album",
  url: "https://files.example.com/roof.jpg",
  headers: { Authorization: `Bearer ${SENTINELS.urlImportBearer}` },
};
const sharinpixImport = {
  id: SPX_IMPORT,
  organization_id: SPX_ORG,
  image_id: null,
  params: { album_id: sharinpixUrlImport.album_id, url: sharinpixUrlImport.url },
};
const jwtOf = (r: RecordedRequest) => /Token token="([^"]+)"/.exec(String(r.headers.authorization ?? ""))?.[1];

export const sharinpixTarget: FaultTarget<ReturnType<typeof createSharinPixClient>> = {
  provider: "sharinpix",
  basePath: "/api/v1",
  build: (setup) =>
    harness({ ...setup, origin: `${setup.origin}/api/v1` }, (common) => createSharinPixClient({ secretUrl: SHARINPIX_SECRET_URL, ...common })),
  read: {
    kind: "read",
    name: "sharinpix.imports.get",
    operation: "getImport",
    route: `GET /api/v1/imports/${SPX_IMPORT}`,
    success: { status: 200, json: sharinpixImport },
    run: (c, o) => c.imports.get(SPX_IMPORT, o),
    identify: (v) => (v as { id?: unknown } | undefined)?.id,
    expected: SPX_IMPORT,
  },
  start: {
    kind: "start",
    name: "sharinpix.imports.start",
    operation: "createImport",
    route: "POST /api/v1/imports",
    success: { status: 200, json: sharinpixImport },
    run: (c, o) => c.imports.start(sharinpixUrlImport, o),
    identify: (v) => (v as { id?: unknown } | undefined)?.id,
    expected: SPX_IMPORT,
  },
  secrets: (requests) => [
    SENTINELS.sharinpixSecret,
    SENTINELS.urlImportBearer,
    SHARINPIX_SECRET_URL,
    ...new Set(requests.map(jwtOf).filter((jwt): jwt is string => jwt !== undefined)),
  ],
  carriesCredential: (r) => /^eyJ/.test(jwtOf(r) ?? ""),
  // SharinPix's refusals have an empty body and say why in X-message; other errors are undocumented.
  errorBody: (_status, message) => ({ headers: { "x-message": message } }),
};

export const targets: readonly FaultTarget[] = [gitbookTarget, importioTarget, document360Target, sharinpixTarget];

export { path as requestPath };

// ─── The faults ─────────────────────────────────────────────────────────────────────────────────────────────

export interface FaultContext {
  server: FaultServer;
  target: FaultTarget;
  call: CallSpec<unknown>;
  /** A wait the server asked for, worked out when it answered (HTTP dates and reset epochs are whole seconds). */
  askedWaitMs?: number;
}

export interface FaultSpec {
  id: string;
  /** The fault, as docs/reliability.md names it. */
  title: string;
  /** Client options for the case (the suites default to `maxRetries: 1`). */
  maxRetries?: number;
  timeout?: number;
  /** The caller's signal aborts once the client logs a line that matches (an event, not a delay that races it). */
  abortWhenLogged?: RegExp;
  /** Time is the subject (timeouts): the suites run the case under a fake clock (test/fake-clock.ts). */
  clock?: true;
  /** Send to an origin where nothing listens. */
  refused?: true;
  /** Other client options for the case (e.g. a small `maxResponseBytes`). */
  extra?: Record<string, unknown>;
  /** Installs the fault on the server, for the call's own route. */
  serve(ctx: FaultContext): void;
}

/** Per-attempt timeout for the timeout faults (on the fake clock: it costs no real time). */
export const FAULT_TIMEOUT_MS = 200;
export const TEN_MB = 10 * 1024 * 1024;

/**
 * What the server says it received: the URL (Import.io's `_apikey` in its query), the credential headers and the
 * body (a SharinPix URL import's `headers[Authorization]`). Every error answer quotes it, as careless servers do,
 * so the leak scan proves redaction against the real values, in the encodings they travelled in.
 */
export function echoOf(req: IncomingMessage, body: Buffer | string): string {
  const said = `${req.method} ${req.url} authorization=${req.headers.authorization ?? ""} api_token=${req.headers.api_token ?? ""} body=${String(body)}`;
  return said.replace(/[^\x20-\x7e]/g, "?");
}

/** An error answer in the provider's envelope whose explanation, and an `x-request-echo` header, quote the request. */
export function echoing(ctx: FaultContext, status: number, headers: Record<string, string> = {}, message = `fault ${status}`): Fault {
  return {
    handler: (req, res, body) => {
      const said = echoOf(req, body);
      const envelope = ctx.target.errorBody(status, `${message}; you sent ${said}`);
      res.writeHead(status, {
        "content-type": envelope.json !== undefined ? "application/json" : "text/html",
        "x-request-echo": said,
        ...envelope.headers,
        ...headers,
      });
      res.end(envelope.json !== undefined ? JSON.stringify(envelope.json) : "");
    },
  };
}

const then = (ctx: FaultContext, ...faults: Fault[]) => ctx.server.route(ctx.call.route, ...faults, ctx.call.success);
const always = (ctx: FaultContext, fault: Fault) => ctx.server.route(ctx.call.route, fault);

/** Every fault of the issue, in the order of docs/reliability.md. Ids name the matrix's `describe` blocks. */
export const faults: readonly FaultSpec[] = [
  {
    id: "429-retry-after-seconds",
    title: "429 with `Retry-After: 1` (seconds), then success",
    serve: (ctx) => then(ctx, echoing(ctx, 429, { "retry-after": "1" })),
  },
  {
    id: "429-retry-after-date",
    title: "429 with `Retry-After` as an HTTP date 1–2 s ahead, then success",
    serve: (ctx) =>
      then(ctx, {
        handler: (req, res, body) => {
          const now = Date.now();
          const at = (Math.floor(now / 1000) + 2) * 1000;
          ctx.askedWaitMs = at - now;
          res.writeHead(429, { "retry-after": new Date(at).toUTCString(), "content-type": "text/plain" }).end(`slow down, ${echoOf(req, body)}`);
        },
      }),
  },
  {
    id: "429-retry-after-ms",
    title: "429 with `retry-after-ms: 50`, then success",
    serve: (ctx) => then(ctx, echoing(ctx, 429, { "retry-after-ms": "50" })),
  },
  {
    id: "429-provider-reset",
    title: "429 with only the provider's rate-limit reset header, 1 s ahead, then success",
    serve: (ctx) =>
      then(ctx, {
        handler: (req, res, body) => {
          const now = Date.now();
          // Providers without a reset header get GitBook's: they must not read it (as seconds it would be ~56 years).
          const headers = ctx.target.resetHeaders?.(1, now) ?? { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.ceil(now / 1000) + 1) };
          const reset = Number(headers["x-ratelimit-reset"]);
          ctx.askedWaitMs = !ctx.target.resetHeaders ? undefined : ctx.target.provider === "gitbook" ? reset * 1000 - now : reset * 1000;
          res.writeHead(429, { "content-type": "text/plain", ...headers }).end(`rate limited, ${echoOf(req, body)}`);
        },
      }),
  },
  {
    id: "429-no-hint",
    title: "429 with no hint at all, then success",
    serve: (ctx) => then(ctx, echoing(ctx, 429)),
  },
  {
    id: "429-every-time",
    title: "429 on every attempt (`Retry-After: 0`)",
    serve: (ctx) => always(ctx, echoing(ctx, 429, { "retry-after": "0" }, "Too many requests")),
  },
  {
    id: "429-over-60s",
    title: "429 with `Retry-After: 120` (over the 60 s cap)",
    serve: (ctx) => always(ctx, echoing(ctx, 429, { "retry-after": "120" }, "Too many requests")),
  },
  {
    id: "429-wait-aborted",
    title: "429 with `Retry-After: 30`; the caller's signal aborts while the client waits (once it logged the retry)",
    abortWhenLogged: /answered 429; retrying in/,
    serve: (ctx) => always(ctx, echoing(ctx, 429, { "retry-after": "30" })),
  },
  {
    id: "503",
    title: "503 (no hint), then success",
    serve: (ctx) => then(ctx, echoing(ctx, 503, {}, "Service unavailable")),
  },
  {
    id: "500",
    title: "500, then success",
    serve: (ctx) => then(ctx, echoing(ctx, 500, {}, "Internal failure 7731")),
  },
  {
    id: "502-html",
    title: "502 with an HTML page, on every attempt",
    serve: (ctx) =>
      always(ctx, {
        handler: (req, res, body) =>
          void res
            .writeHead(502, { "content-type": "text/html" })
            .end(`<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center><!-- ${echoOf(req, body)} --></body></html>`),
      }),
  },
  {
    id: "504",
    title: "504, then success",
    serve: (ctx) => then(ctx, echoing(ctx, 504, {}, "Gateway timeout")),
  },
  {
    id: "reset-before-headers",
    title: "connection reset before the headers, then success",
    serve: (ctx) => then(ctx, { fault: "reset-before-headers" }),
  },
  {
    id: "reset-after-headers",
    title: "connection reset after the headers and half a body, then success",
    serve: (ctx) => then(ctx, { fault: "reset-after-headers", status: ctx.call.success.status, partialBody: '{"id":' }),
  },
  {
    id: "refused",
    title: "connection refused (nothing listens)",
    refused: true,
    serve: () => {},
  },
  {
    id: "timeout-no-headers",
    title: `headers that never come (per-attempt timeout ${FAULT_TIMEOUT_MS} ms), then success`,
    timeout: FAULT_TIMEOUT_MS,
    clock: true,
    serve: (ctx) => then(ctx, { fault: "no-headers" }),
  },
  {
    id: "stalled-body",
    title: `a body that stalls halfway (per-attempt timeout ${FAULT_TIMEOUT_MS} ms), then success`,
    timeout: FAULT_TIMEOUT_MS,
    clock: true,
    serve: (ctx) => then(ctx, { fault: "stall-body", status: ctx.call.success.status, partialBody: '{"id":"' }),
  },
  {
    id: "truncated-body",
    title: "a truncated body (Content-Length promises more), then success",
    serve: (ctx) => then(ctx, { fault: "truncated-body", status: ctx.call.success.status, partialBody: '{"id":"x', declaredLength: 400 }),
  },
  {
    id: "invalid-json",
    title: "invalid JSON on a 2xx",
    serve: (ctx) =>
      always(ctx, {
        handler: (req, res, body) =>
          void res.writeHead(ctx.call.success.status, { "content-type": "application/json" }).end(`{"id": "x", "echo": "${echoOf(req, body)}`),
      }),
  },
  {
    id: "empty-204",
    title: "an empty 204 where the operation returns a resource",
    serve: (ctx) => always(ctx, { status: 204 }),
  },
  {
    id: "error-body-10mb",
    title: "a 500 whose body is 10 MB",
    serve: (ctx) => always(ctx, { fault: "large-body", status: 500, bytes: TEN_MB, fill: "E", prefix: (req, body) => `${echoOf(req, body)} ` }),
  },
  {
    id: "redirect-same-origin",
    title: "a 307 to another path of the API's origin, then success (followed, the credential added again)",
    serve: (ctx) => {
      const [method, path] = String(ctx.call.route).split(" ");
      ctx.server.route(`${method} ${path}/moved`, ctx.call.success);
      always(ctx, { status: 307, headers: { location: `${path}/moved` } });
    },
  },
  {
    id: "redirect-other-origin",
    title: "a 302 to another origin, the Location quoting the request (not followed: RedirectError)",
    serve: (ctx) =>
      always(ctx, {
        handler: (req, res, body) =>
          void res.writeHead(302, { location: `http://127.0.0.1:1/collect?echo=${encodeURIComponent(echoOf(req, body))}` }).end(),
      }),
  },
  {
    id: "body-over-cap",
    title: "a 2xx body larger than maxResponseBytes (64 KiB here), gzip-compressed to a few hundred bytes",
    extra: { maxResponseBytes: 64 * 1024 },
    serve: (ctx) =>
      always(ctx, {
        handler: (_req, res) => {
          // 16 MiB of JSON inflated from ~16 KiB: the cap is counted as it decompresses, not from Content-Length.
          res.writeHead(ctx.call.success.status, { "content-type": "application/json", "content-encoding": "gzip" });
          res.end(gzipSync(Buffer.from(`{"pad":"${"x".repeat(16 * 1024 * 1024)}"}`)));
        },
      }),
  },
  {
    id: "error-body-deep",
    title: "a 400 whose JSON body nests 5 000 levels deep",
    serve: (ctx) => always(ctx, { status: 400, body: `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`, headers: { "content-type": "application/json" } }),
  },
  {
    id: "error-envelope-odd",
    title: "a 404 whose envelope has a message that is an object and a code that is an array, and a __proto__ key",
    serve: (ctx) =>
      always(ctx, {
        status: 404,
        body: '{"__proto__":{"polluted":true},"message":{"text":"gone"},"code":[1,2],"error":{"message":{"x":1}},"errors":"none"}',
        headers: { "content-type": "application/json" },
      }),
  },
];
