/**
 * A small local HTTP server for tests that Prism cannot serve: faults (resets, stalls, truncation, 429 storms),
 * binary and streamed bodies. Listens on 127.0.0.1 port 0; every request loop a test runs against it is bounded.
 *
 *   const server = await startFaultServer();
 *   server.queue({ status: 503 }, { status: 200, json: { ok: true } });   // one behaviour per request, in order
 *   server.fallback = { status: 200, json: {} };                           // once the queue is empty
 *   server.route("GET /crawlruns", { status: 200, json: [] });             // by method and path, before the queue
 *   const url = await refusedUrl();                                         // an origin where nothing listens
 *
 * A test file that shares one server across its tests: `useFaultServer` (below) registers the hooks.
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { extname, join, normalize } from "node:path";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { recordingLogger } from "./recording-logger.ts";

/** A plain answer: a status, headers and a JSON or raw body. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string | Uint8Array;
  /** Wait before answering, in ms. */
  delayMs?: number;
}

export type Fault =
  | Answer
  | { fault: "reset-before-headers" }
  | { fault: "reset-after-headers"; status?: number; headers?: Record<string, string>; partialBody?: string }
  /** Accept the request and never answer (a timeout). */
  | { fault: "no-headers" }
  /** Send headers and half the body, then stall forever. */
  | { fault: "stall-body"; status?: number; headers?: Record<string, string>; partialBody: string }
  /** Promise a Content-Length, send less, close. */
  | { fault: "truncated-body"; status?: number; headers?: Record<string, string>; partialBody: string; declaredLength: number }
  /**
   * A large body of `bytes` bytes (e.g. a 10 MB error page), written in chunks with backpressure, so the bytes the
   * client actually took are recorded in the request's `bytesSent` (a client that stops reading stops the writes).
   */
  | {
      fault: "large-body";
      status: number;
      bytes: number;
      headers?: Record<string, string>;
      fill?: string;
      /** Written first (counted in `bytes`), e.g. an echo of the request. */
      prefix?: string | ((req: IncomingMessage, body: Buffer) => string);
    }
  /** Anything: full control. */
  | { handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void> };

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
  /** When the request arrived (Date.now()). */
  at: number;
  /** For `large-body`: how many body bytes the socket accepted before the client stopped reading or it ended. */
  bytesSent?: number;
}

/** Which requests a route answers: `"GET /path"`, `"/path"` (any method), a RegExp on `METHOD /path?query`, or a test. */
export type RouteMatcher = string | RegExp | ((request: RecordedRequest) => boolean);

export interface FaultServer {
  url: string;
  requests: RecordedRequest[];
  queue(...faults: Fault[]): void;
  /** Drops what is still queued (faults a call did not use up, e.g. the good answer after a fault it did not retry). */
  clearQueue(): void;
  fallback: Fault;
  /**
   * Answers every request that matches with `fault` (one after another for several faults, the last one then
   * repeating), before the queue is looked at. Later routes win over earlier ones.
   */
  route(matcher: RouteMatcher, ...faults: Fault[]): void;
  close(): Promise<void>;
}

/** The recording logger of the current test (test/recording-logger.ts). */
export interface RecordingLog {
  readonly lines: string[];
  readonly logger: ReturnType<typeof recordingLogger>["logger"];
  /** Resolves with the first line that matches, logged or to come (recordingLogger's `when`). */
  when(pattern: RegExp): Promise<string>;
}

/**
 * One fault server for all the tests of a file, and a recording logger for each test. Registers the vitest hooks
 * itself: the server starts in beforeAll and closes in afterAll; in beforeEach its recorded requests are cleared,
 * its fallback is set back to `fallback` and a fresh logger is made. (Queued faults and routes are left as they are.)
 *
 *   const { server, log } = useFaultServer({ fallback: { status: 200, json: run } });
 *   it("retries", async () => { server.queue({ status: 503 }); …; expect(log.lines).toContain(…); });
 *
 * `server` and `log` stand for the file's server and the current test's logger: destructuring them is fine, but
 * read their members only inside hooks and tests (before beforeAll there is no server). Read `log.logger` when a
 * client is made, as before: a client keeps the logger of the test that made it.
 */
export function useFaultServer(options: { fallback: Fault }): { server: FaultServer; log: RecordingLog } {
  let current: FaultServer | undefined;
  let recording = recordingLogger();
  const live = (): FaultServer => {
    if (!current) throw new Error("useFaultServer: the server is started in beforeAll; use it inside hooks and tests");
    return current;
  };
  beforeAll(async () => {
    current = await startFaultServer();
  });
  afterAll(() => current?.close());
  beforeEach(() => {
    live().requests.length = 0;
    live().fallback = options.fallback;
    recording = recordingLogger();
  });
  const server: FaultServer = {
    get url() {
      return live().url;
    },
    get requests() {
      return live().requests;
    },
    queue: (...faults) => live().queue(...faults),
    clearQueue: () => live().clearQueue(),
    get fallback() {
      return live().fallback;
    },
    set fallback(fault: Fault) {
      live().fallback = fault;
    },
    route: (matcher, ...faults) => live().route(matcher, ...faults),
    close: () => live().close(),
  };
  const log: RecordingLog = {
    get lines() {
      return recording.lines;
    },
    get logger() {
      return recording.logger;
    },
    when: (pattern) => recording.when(pattern),
  };
  return { server, log };
}

/** An origin where nothing listens (a server started on port 0, then closed): every connection is refused. */
export async function refusedUrl(): Promise<string> {
  const server = await startFaultServer();
  const { url } = server;
  await server.close();
  return url;
}

/** Whether a recorded request is one a route with this matcher answers. */
export function routeMatches(matcher: RouteMatcher, request: RecordedRequest): boolean {
  if (typeof matcher === "function") return matcher(request);
  const path = request.url.split("?")[0] ?? "";
  if (matcher instanceof RegExp) return matcher.test(`${request.method} ${request.url}`);
  const [first, second] = matcher.split(" ");
  return second === undefined ? path === first : request.method === first && path === second;
}

export async function startFaultServer(): Promise<FaultServer> {
  const pending: Fault[] = [];
  const sockets = new Set<Socket>();
  const state = {
    fallback: { status: 404, json: { error: "no behaviour queued" } } as Fault,
  };
  const requests: RecordedRequest[] = [];
  const routes: Array<{ matcher: RouteMatcher; faults: Fault[] }> = [];

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const recorded: RecordedRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: body.toString("utf8"), at: Date.now() };
    requests.push(recorded);
    const route = routes.findLast((r) => routeMatches(r.matcher, recorded));
    const fault = route ? (route.faults.length > 1 ? route.faults.shift()! : route.faults[0]!) : (pending.shift() ?? state.fallback);
    await play(fault, req, res, body, recorded);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    queue: (...faults) => pending.push(...faults),
    clearQueue: () => void pending.splice(0),
    get fallback() {
      return state.fallback;
    },
    set fallback(fault: Fault) {
      state.fallback = fault;
    },
    route(matcher, ...faults) {
      if (faults.length === 0) throw new Error("route() needs at least one fault");
      routes.push({ matcher, faults });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function play(fault: Fault, req: IncomingMessage, res: ServerResponse, body: Buffer, recorded: RecordedRequest): Promise<void> {
  if ("handler" in fault) return fault.handler(req, res, body);
  if ("status" in fault && !("fault" in fault)) {
    if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    const payload = fault.json !== undefined ? JSON.stringify(fault.json) : fault.body;
    const headers: Record<string, string> = {
      ...(fault.json !== undefined ? { "content-type": "application/json" } : {}),
      ...fault.headers,
    };
    res.writeHead(fault.status, headers);
    res.end(payload);
    return;
  }
  switch (fault.fault) {
    case "reset-before-headers":
      req.socket.destroy();
      return;
    case "reset-after-headers":
      res.writeHead(fault.status ?? 200, { "content-type": "application/json", ...fault.headers });
      res.flushHeaders();
      if (fault.partialBody) res.write(fault.partialBody);
      setTimeout(() => req.socket.destroy(), 10);
      return;
    case "no-headers":
      return; // never answer; the socket is destroyed when the server closes
    case "stall-body":
      res.writeHead(fault.status ?? 200, { "content-type": "application/json", ...fault.headers });
      res.write(fault.partialBody);
      return;
    case "truncated-body":
      res.writeHead(fault.status ?? 200, {
        "content-type": "application/json",
        "content-length": String(fault.declaredLength),
        ...fault.headers,
      });
      res.write(fault.partialBody);
      setTimeout(() => req.socket.destroy(), 10);
      return;
    case "large-body":
      return writeLarge(fault, req, res, body, recorded);
  }
}

async function writeLarge(
  fault: Extract<Fault, { fault: "large-body" }>,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  recorded: RecordedRequest,
): Promise<void> {
  const chunkSize = 64 * 1024;
  const chunk = Buffer.alloc(chunkSize, fault.fill ?? "x");
  const prefix = Buffer.from(typeof fault.prefix === "function" ? fault.prefix(req, body) : (fault.prefix ?? ""));
  res.writeHead(fault.status, { "content-type": "text/plain", "content-length": String(fault.bytes), ...fault.headers });
  recorded.bytesSent = 0;
  let closed = false;
  res.on("close", () => (closed = true));
  for (let sent = 0; sent < fault.bytes && !closed; ) {
    const size = Math.min(chunkSize, fault.bytes - sent);
    const piece = sent === 0 && prefix.length > 0 ? Buffer.concat([prefix, chunk]).subarray(0, size) : size === chunkSize ? chunk : chunk.subarray(0, size);
    const ok = res.write(piece);
    sent += size;
    if (!ok) await new Promise<void>((resolve) => {
      const done = () => {
        res.off("drain", done);
        res.off("close", done);
        resolve();
      };
      res.on("drain", done);
      res.on("close", done);
    });
    // Counted once the socket took the chunk (after a drain), so a client that stops reading stops the count.
    recorded.bytesSent = closed ? recorded.bytesSent : sent;
  }
  if (!closed) res.end();
}

const FILE_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".json": "application/json",
  ".yaml": "text/yaml",
};

/**
 * Serves the files of `dir` at `prefix` (`""` for the whole origin; a path ending in `/` gives its index.html):
 * pages, scripts and modules for the browser tests, beside the fault server's API routes on the same origin.
 */
export function serveFiles(server: FaultServer, prefix: string, dir: string): void {
  server.route((request) => request.method === "GET" && request.url.startsWith(`${prefix}/`), {
    handler: (req, res) => {
      const path = normalize(decodeURIComponent((req.url ?? "").slice(prefix.length).split("?")[0]!)).replace(/^(\.\.[/\\])+/, "");
      const file = join(dir, path.endsWith("/") ? `${path}index.html` : path);
      if (!file.startsWith(dir) || !existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": FILE_TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
    },
  });
}
