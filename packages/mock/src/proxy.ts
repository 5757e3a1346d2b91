/**
 * A validation proxy: point a client (staging traffic, say) at it, and it forwards every request to the real API
 * unchanged while checking both directions against the curated spec with Prism's validators, in-process. The
 * report lists every request and response that departs from the spec, with secrets redacted. It is how a spec
 * learns what the vendor really does.
 *
 * Prism's own proxy (`prism proxy`, the forwarder of @stoplight/prism-http) re-encodes what it forwards: it reads
 * non-JSON bodies as UTF-8 text in both directions (zip bytes `fffe0080` arrive as `efbfbd efbfbd 00 efbfbd`),
 * strips `content-encoding`, re-serialises query strings, adds its own `User-Agent` and mocks on an upstream 501.
 * So the transport here is our own: bytes are forwarded as they came, both ways, and only a copy is decoded for
 * validation. Prism does the rest (routing, security, request and response validation) through its documented
 * `createInstance` with this forwarder plugged in.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { createLogger } from "@stoplight/prism-core";
import { createInstance, getHttpOperationsFromSpec, type IHttpRequest, type IHttpResponse } from "@stoplight/prism-http";
import { Redactor } from "@importkit/core/internal";
import { specPath, type Provider } from "@importkit/specs";

export interface ValidationProxyOptions {
  /** A provider whose curated spec to check against; or give `spec`. */
  provider?: Provider;
  /** Path of any OpenAPI document (overrides `provider`). */
  spec?: string;
  /**
   * Where to forward, e.g. `https://api.gitbook.com`. An origin alone gets the base path of the spec's first
   * server appended (`/v1` for GitBook, `/api/v1` for SharinPix), as clients address the proxy like a mock
   * server: paths at `/`. A URL with a path is used as given.
   */
  upstream: string | URL;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** More values to hide in the report (the proxy already hides credentials it sees and anything shaped like one). */
  secrets?: string[];
  /** Bodies up to this size (default 16 MiB) are validated; larger ones pass through unvalidated, and the report says so. */
  maxValidatedBodyBytes?: number;
  /** Request bodies are held to be validated before forwarding; a larger one is refused with 413 (default 64 MiB). */
  maxRequestBodyBytes?: number;
  /** Called once per exchange that departs from the spec, already redacted. */
  onDeparture?: (exchange: ProxyExchange) => void;
}

export interface ProxyViolation {
  /** Where, e.g. `request.body.url`, `response.headers.x-ratelimit-limit`. */
  location: string;
  severity: "error" | "warning" | "information" | "hint";
  code?: string | number;
  message: string;
}

export interface ProxyExchange {
  /** 1, 2, 3… in arrival order. */
  id: number;
  method: string;
  /** The path and query as received, secret parameters redacted. */
  path: string;
  /** The spec's operation, when the request matched one. */
  operationId?: string;
  /** The upstream's status, or the proxy's own (413, 502) when the upstream was not reached. */
  status?: number;
  request: ProxyViolation[];
  response: ProxyViolation[];
  /** What the proxy could not check, and why (a binary or oversized body, an unreachable upstream). */
  notes: string[];
}

export interface ProxyReport {
  /** Exchanges seen so far. */
  exchanges: number;
  /** Every exchange with at least one violation or note, in arrival order. */
  departures: ProxyExchange[];
}

export interface ValidationProxy {
  readonly provider: Provider | undefined;
  /** Origin to use as a client's `baseUrl`. */
  readonly url: string;
  /** The URL requests are forwarded to (with the base path added to a bare origin). */
  readonly upstream: string;
  report(): ProxyReport;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host"]);
const SEVERITIES = ["error", "warning", "information", "hint"] as const;
const DEFAULT_MAX_VALIDATED = 16 * 1024 * 1024;
const DEFAULT_MAX_REQUEST = 64 * 1024 * 1024;

interface Diagnostic {
  path?: Array<string | number>;
  code?: string | number;
  message: string;
  severity: number;
}

/** What the forwarder needs of the exchange Prism is validating: the bytes, the client, the report entry. */
interface Pending {
  raw: Buffer;
  rawUrl: string;
  headers: IncomingMessage["headers"];
  client: ServerResponse;
  clientRequest: IncomingMessage;
  exchange: ProxyExchange;
  responseBodyValidated: boolean;
}

/** Starts one validation proxy in this process. */
export async function startValidationProxy(options: ValidationProxyOptions): Promise<ValidationProxy> {
  const document = options.spec ?? (options.provider ? specPath(options.provider) : undefined);
  if (!document) throw new TypeError("startValidationProxy needs a `provider` or a `spec`.");
  if (options.upstream === undefined) throw new TypeError("startValidationProxy needs an `upstream` (the API's origin or base URL).");
  checkUpstream(options.upstream);
  const maxValidated = options.maxValidatedBodyBytes ?? DEFAULT_MAX_VALIDATED;
  const maxRequest = options.maxRequestBodyBytes ?? DEFAULT_MAX_REQUEST;
  const operations = await getHttpOperationsFromSpec(document);
  const upstream = upstreamUrl(options.upstream, operations[0]?.servers?.[0]);
  const redactor = new Redactor({ secrets: options.secrets ?? [] });
  const pending = new WeakMap<object, Pending>();
  const departures: ProxyExchange[] = [];
  let exchanges = 0;

  const forward = ({ data }: { data: IHttpRequest }, _baseUrl: string, _upstreamProxy: unknown, resource?: { iid?: string; id?: string }) =>
    () =>
    async () => {
      const context = pending.get(data);
      if (!context) return { _tag: "Left" as const, left: new Error("validation proxy: lost track of a request") };
      if (resource) context.exchange.operationId = resource.iid ?? resource.id;
      try {
        return { _tag: "Right" as const, right: await relay(context) };
      } catch (error) {
        return { _tag: "Left" as const, left: error as Error };
      }
    };

  const prism = createInstance(
    {
      isProxy: true,
      upstream,
      upstreamProxy: undefined,
      errors: false,
      checkSecurity: true,
      validateRequest: true,
      validateResponse: true,
      mock: { dynamic: false },
    },
    // Prism's own forwarder re-encodes bodies (see the top of this file): ours relays bytes.
    { logger: createLogger("importkit-proxy", { level: "silent" }), forward: forward as never },
  );

  /** Forwards the exact request bytes, streams the exact response bytes back, and keeps a decoded copy to validate. */
  function relay(context: Pending): Promise<IHttpResponse> {
    const target = new URL(upstream.href.replace(/\/$/, "") + context.rawUrl);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(context.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    headers["content-length"] = String(context.raw.length);
    if (context.raw.length === 0 && !["POST", "PUT", "PATCH"].includes(context.clientRequest.method ?? "")) delete headers["content-length"];
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const outgoing = send(target, { method: context.clientRequest.method, headers }, (incoming) => {
        const responseHeaders: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(incoming.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) responseHeaders[name] = value;
        context.client.writeHead(incoming.statusCode ?? 502, incoming.statusMessage, responseHeaders);
        const kept: Buffer[] = [];
        let size = 0;
        incoming.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size <= maxValidated) kept.push(chunk);
          context.client.write(chunk);
        });
        incoming.on("end", () => {
          context.client.end();
          const flat: Record<string, string> = {};
          for (const [name, value] of Object.entries(incoming.headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
          const decoded = decodeForValidation(Buffer.concat(kept), size, flat, maxValidated, "response");
          context.responseBodyValidated = decoded.validated;
          context.exchange.status = incoming.statusCode;
          context.exchange.notes.push(...decoded.notes);
          resolve({ statusCode: incoming.statusCode ?? 502, headers: flat, body: decoded.body });
        });
        incoming.on("error", reject);
      });
      outgoing.on("error", (error: NodeJS.ErrnoException) => {
        context.exchange.notes.push(`the upstream could not be reached (${error.code ?? error.message}); answered 502`);
        context.exchange.status = 502;
        if (!context.client.headersSent) {
          context.client.writeHead(502, { "content-type": "application/json" });
          context.client.end(JSON.stringify({ error: "importkit validation proxy: upstream unreachable", code: error.code ?? "ERROR" }));
        } else context.client.destroy();
        reject(error);
      });
      // A client that gives up takes the upstream request with it.
      context.client.on("close", () => {
        if (!context.client.writableFinished) outgoing.destroy();
      });
      outgoing.end(context.raw);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const id = ++exchanges;
    const rawUrl = req.url ?? "/";
    const parsed = new URL(rawUrl, "http://proxy.invalid");
    // Every credential this exchange carries is hidden wherever the report might quote it.
    for (const [name, value] of Object.entries(req.headers)) if (redactor.isSecretHeader(name)) for (const v of [value].flat()) redactor.addSecret(v);
    // A parameter the redactor treats as secret (`_apikey`, `api_token`…) is one whose `name=x` it rewrites.
    for (const [name, value] of parsed.searchParams) if (redactor.text(`${name}=x`) !== `${name}=x`) redactor.addSecret(value);
    const exchange: ProxyExchange = { id, method: req.method ?? "GET", path: redactedPath(redactor, rawUrl), request: [], response: [], notes: [] };

    let raw: Buffer;
    try {
      raw = await readBody(req, maxRequest);
    } catch {
      exchange.status = 413;
      exchange.notes.push(`the request body is larger than ${maxRequest} bytes: refused with 413, not forwarded`);
      res.writeHead(413, { "content-type": "application/json", connection: "close" });
      res.end(JSON.stringify({ error: "importkit validation proxy: request body too large" }));
      return record(exchange);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
    // Prism decides whether there is a body from Content-Length; a chunked request has none, so give the real one.
    if (raw.length > 0) headers["content-length"] = String(raw.length);
    const decoded = decodeForValidation(raw, raw.length, headers, maxValidated, "request");
    exchange.notes.push(...decoded.notes);
    const input: IHttpRequest = {
      method: (req.method ?? "GET").toLowerCase() as IHttpRequest["method"],
      url: { path: parsed.pathname, query: nameValues(parsed.searchParams) },
      headers,
      ...(raw.length > 0 ? { body: decoded.body } : {}),
    };
    const context: Pending = { raw, rawUrl, headers: req.headers, client: res, clientRequest: req, exchange, responseBodyValidated: true };
    pending.set(input, context);

    const result = (await prism.request(input, operations)()) as
      | { _tag: "Right"; right: { output: IHttpResponse; validations: { input: Diagnostic[]; output: Diagnostic[] } } }
      | { _tag: "Left"; left: Error };
    if (result._tag === "Right") {
      const { validations } = result.right;
      exchange.request.push(...validations.input.map((d) => violation(redactor, "request", d, exchange)));
      exchange.response.push(
        ...validations.output
          // A body the proxy did not decode (binary, too large) was not given to the validator: no verdict on it.
          .filter((d) => context.responseBodyValidated || d.path?.[0] !== "body")
          .map((d) => violation(redactor, "response", d, exchange)),
      );
    } else if (!res.headersSent) {
      exchange.notes.push(`not forwarded: ${redactor.text(result.left.message)}`);
      res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "importkit validation proxy: the request could not be forwarded" }));
    }
    record(exchange);
  }

  function record(exchange: ProxyExchange) {
    if (!exchange.request.length && !exchange.response.length && !exchange.notes.length) return;
    exchange.notes = exchange.notes.map((note) => redactor.text(note));
    departures.push(exchange);
    options.onDeparture?.(structuredClone(exchange));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "importkit validation proxy: internal error" }));
      departures.push({
        id: exchanges,
        method: req.method ?? "GET",
        path: redactedPath(redactor, req.url ?? "/"),
        request: [],
        response: [],
        notes: [`internal error: ${redactor.text(error instanceof Error ? error.message : String(error))}`],
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  let closed = false;
  return {
    provider: options.provider,
    url: `http://${address.address.includes(":") ? `[${address.address}]` : address.address}:${address.port}`,
    upstream: upstream.href,
    report: () => structuredClone({ exchanges, departures }),
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function violation(redact: Redactor, side: "request" | "response", d: Diagnostic, exchange: ProxyExchange): ProxyViolation {
    const route = !exchange.operationId && side === "request" && d.message === "Selected route not found";
    return {
      location: [side, ...(d.path ?? [])].join("."),
      severity: SEVERITIES[d.severity] ?? "error",
      ...(d.code !== undefined ? { code: d.code } : {}),
      message: redact.text(route ? `no operation of the spec matches ${exchange.method} ${exchange.path.split("?")[0]}` : d.message),
    };
  }
}

function checkUpstream(given: string | URL): void {
  let url: URL;
  try {
    url = new URL(String(given));
  } catch {
    throw new TypeError(`upstream must be an absolute http(s) URL, got ${JSON.stringify(String(given))}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`upstream must be an http(s) URL, got ${url.protocol}`);
}

/** The upstream to forward to: a bare origin gets the base path of the spec's first server (variables at their defaults). */
function upstreamUrl(given: string | URL, server: { url: string; variables?: Record<string, { default?: unknown }> } | undefined): URL {
  const url = new URL(String(given));
  if ((url.pathname === "/" || url.pathname === "") && server?.url) {
    const resolved = server.url.replace(/\{([^}]+)\}/g, (_m, name: string) => String(server.variables?.[name]?.default ?? ""));
    try {
      url.pathname = new URL(resolved).pathname;
    } catch {
      // A server URL that is not absolute (e.g. `/v2`) is its own base path.
      if (resolved.startsWith("/")) url.pathname = resolved;
    }
  }
  return url;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        reject(new Error("too large"));
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** A decoded copy of a body for the validator (the bytes forwarded are never these). */
function decodeForValidation(
  bytes: Buffer,
  size: number,
  headers: Record<string, string>,
  max: number,
  side: "request" | "response",
): { body: unknown; validated: boolean; notes: string[] } {
  if (size === 0) return { body: side === "request" ? undefined : "", validated: true, notes: [] };
  if (size > max) return { body: "", validated: false, notes: [`${side} body of ${size} bytes is larger than ${max}: passed through, not validated`] };
  let plain = bytes;
  const encoding = (headers["content-encoding"] ?? "").toLowerCase().trim();
  try {
    if (encoding === "gzip" || encoding === "x-gzip") plain = gunzipSync(bytes);
    else if (encoding === "deflate") plain = inflateSync(bytes);
    else if (encoding === "br") plain = brotliDecompressSync(bytes);
    else if (encoding && encoding !== "identity") {
      return { body: "", validated: false, notes: [`${side} body in content-encoding ${encoding}: passed through, not validated`] };
    }
  } catch {
    return { body: "", validated: false, notes: [`${side} body is not valid ${encoding}: passed through, not validated`] };
  }
  const type = (headers["content-type"] ?? "").toLowerCase();
  const mediaType = type.split(";")[0]!.trim();
  const lines = /ndjson|jsonl|json-seq/.test(mediaType) || /boundary\s*=\s*"?nl/.test(type);
  const json = !lines && (/^application\/(.+\+)?json$/.test(mediaType) || mediaType === "text/json");
  const text = plain.toString("utf8");
  if (json) {
    try {
      return { body: JSON.parse(text), validated: true, notes: [] };
    } catch {
      return { body: text, validated: true, notes: [`${side} body is labelled ${mediaType} but is not one JSON value`] };
    }
  }
  if (lines || mediaType.startsWith("text/") || mediaType === "application/x-www-form-urlencoded" || mediaType === "" || mediaType.endsWith("+xml") || mediaType === "application/xml") {
    return { body: text, validated: true, notes: [] };
  }
  // Binary (zip, xlsx, octet-stream…): forwarded byte for byte; its content is not validated. A request still gets
  // a stand-in body (one character per byte) so that its presence and media type are checked against the spec.
  return {
    body: side === "request" ? plain.toString("latin1") : "",
    validated: false,
    notes: [`binary ${side} body (${mediaType}, ${size} bytes) passed through untouched, not validated`],
  };
}

function nameValues(searchParams: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(searchParams.keys())) {
    const values = searchParams.getAll(key);
    out[key] = values.length === 1 ? values[0]! : values;
  }
  return out;
}

function redactedPath(redactor: Redactor, rawUrl: string): string {
  const url = redactor.url(new URL(rawUrl, "http://proxy.invalid"));
  return url.replace(/^http:\/\/proxy\.invalid/, "");
}

