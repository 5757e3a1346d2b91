/**
 * One handler for every way of using a twin. `dispatch` turns a Fetch `Request` into an `Outcome` (a response,
 * possibly cut or slowed down, or a connection reset); `twin.fetch`, the MSW handlers and the node:http server each
 * render that outcome the way their transport would: a rejected fetch, `HttpResponse.error()`, a destroyed socket.
 *
 * The order of checks is the real APIs': route (404/405), injected faults, credentials (401), rate limit (429),
 * Prism's validation against the spec (400 in the provider's envelope), then the provider's own behaviour.
 */
import { TwinClock } from "./clock.js";
import { bodyBytes, type TwinResponse } from "./http.js";
import type { IdSource } from "./ids.js";
// `#request-validator` is Prism's validator, or in a browser bundle a stand-in (package.json "imports", browser condition).
import { loadRequestValidator, type RequestValidator } from "#request-validator";
import type { Spec } from "./spec.js";

/** Where faults come from: the test's `failNext`. */
export type Fault =
  /** Answer this status instead (the provider's error envelope for it), with `Retry-After` when given. The operation does not run. */
  | { status: number; retryAfter?: number; message?: string }
  /** Drop the connection: a fetch rejects, a socket is destroyed. `after: true` runs the operation first (it acted). */
  | { reset: true; after?: boolean }
  /** Send the real status and headers (Content-Length of the whole body), then drop the connection after N bytes. */
  | { truncate: number }
  /** Send the real status and headers, then stall the body for `slow` ms of twin time after `afterBytes` bytes. */
  | { slow: number; afterBytes?: number };

export type FaultKind = "status" | "reset" | "truncate" | "slow";

export interface TwinRequestRecord {
  /** When the twin received it, on the twin's clock (ms since the epoch). */
  at: number;
  method: string;
  /** The full URL as sent (query string, API key and all: it is the test's own data). */
  url: string;
  /** The spec's operationId, or a twin route's name (e.g. `downloadExport`); undefined for unknown routes. */
  operationId?: string;
  /** Header names in lower case, values as sent. */
  headers: Record<string, string>;
  /** The body as text, when there was one. */
  body?: string;
  /** The body parsed, when it was JSON. */
  json?: unknown;
  /** The status answered; undefined when the connection was reset before any answer. */
  status?: number;
  /** The injected fault that shaped the answer, if any. */
  fault?: FaultKind;
  /** Prism's reasons for refusing the request, when it was refused as invalid. */
  violations?: string[];
}

export type Outcome =
  | { kind: "foreign"; url: string }
  | { kind: "reset" }
  | {
      kind: "response";
      status: number;
      headers: Record<string, string>;
      body: Uint8Array;
      /** Bytes to deliver before dropping the connection. */
      cutAfter?: number;
      /** Bytes to deliver before stalling for `ms` of twin time. */
      stall?: { afterBytes: number; ms: number };
    };

/** A request as a provider module sees it. */
export interface Call {
  operationId: string;
  method: string;
  url: URL;
  /** The spec path with parameters filled in. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Headers;
  /** The media type of the body, without parameters, in lower case ("" when none). */
  contentType: string;
  bytes: Uint8Array;
  text: string;
  /** The parsed body when it was JSON. */
  json?: unknown;
}

export interface RateLimitWindow {
  limit: number;
  remaining: number;
  /** When the window resets, twin time in ms since the epoch. */
  resetAt: number;
  now: number;
}

export interface RateLimitPolicy {
  limit: number;
  windowMs: number;
  /** Headers of a response counted against the window; `exhausted` for the 429 that refuses one. */
  headers(window: RateLimitWindow, exhausted: boolean): Record<string, string>;
}

/** What a provider module gets from the engine. */
export interface Env {
  readonly spec: Spec;
  readonly clock: TwinClock;
  readonly ids: IdSource;
  /** The twin's own base URL, with the API's base path (e.g. `https://gitbook.twin.invalid/v1`). */
  readonly baseUrl: string;
  /** The twin's own origin (e.g. `https://gitbook.twin.invalid`), where it serves its own files. */
  readonly origin: string;
  readonly stepMs: number;
}

export interface Progress {
  /** Steps taken so far. */
  step: number;
  /** Reads of the resource (the `poll` clock advances one step per read). */
  polls: number;
  /** Twin time of creation. */
  createdAt: number;
}

export function newProgress(env: Env): Progress {
  return { step: 0, polls: 0, createdAt: env.clock.now() };
}

/**
 * Moves a resource along its life cycle up to where the clock says it is: one step per poll (`poll` clock; `poll`
 * is true when this read is a poll of the resource itself), or one step per `stepMs` of twin time since creation
 * (`manual` clock). `apply` takes one step at the given twin time; it stops at a final state.
 */
export function catchUp(env: Env, progress: Progress, poll: boolean, isFinal: () => boolean, apply: (at: number) => void): void {
  let target: number;
  if (env.clock.mode === "poll") {
    if (poll && !isFinal()) progress.polls++;
    target = progress.polls;
  } else {
    target = Math.floor((env.clock.now() - progress.createdAt) / env.stepMs);
  }
  while (progress.step < target && !isFinal()) {
    progress.step++;
    apply(env.clock.mode === "manual" ? progress.createdAt + progress.step * env.stepMs : env.clock.now());
  }
}

/** What each provider module provides. */
export interface ProviderModule<C = unknown, S = unknown, Seeded = unknown, SeedApi = unknown> {
  readonly spec: Spec;
  readonly rateLimit?: RateLimitPolicy;
  /** The twin's credentials: the test's `overrides`, the rest made up (deterministically). */
  credentials(ids: IdSource, overrides: Partial<C>, baseUrl: string): C;
  create(env: Env, credentials: C, seed: boolean): { state: S; seeded: Seeded; seedApi: SeedApi };
  /** The credential key the request is counted under, or the refusal to answer. */
  authenticate(call: Call, env: Env, state: S, credentials: C): { key: string } | TwinResponse | Promise<{ key: string } | TwinResponse>;
  /** The provider's documented error answer for a status, with `message` where its envelope has one. */
  error(operationId: string | undefined, status: number, message?: string): TwinResponse;
  readonly operations: Readonly<Record<string, (call: Call, env: Env, state: S) => TwinResponse>>;
  /** Routes of the twin itself, outside the spec, on its own origin only (downloads, registered files). No auth. */
  readonly twinRoutes?: readonly { id: string; method: string; pattern: RegExp; handle(match: RegExpExecArray, env: Env, state: S): TwinResponse }[];
  failImport(state: S, env: Env, id: string, reason: string | undefined): boolean;
  failNextImport(state: S, reason: string | undefined): void;
}

export interface EngineOptions {
  clock: TwinClock;
  stepMs: number;
  baseUrl: string;
  rateLimit: { limit?: number; windowMs?: number } | false | undefined;
  validateRequests: boolean;
  seed: boolean;
  ids: IdSource;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

export class Engine<C, S, Seeded, SeedApi> {
  readonly module: ProviderModule<C, S, Seeded, SeedApi>;
  readonly env: Env;
  readonly state: S;
  readonly seeded: Seeded;
  readonly seedApi: SeedApi;
  readonly credentials: C;
  readonly requests: TwinRequestRecord[] = [];
  readonly #basePath: string;
  readonly #faults = new Map<string, { fault: Fault; times: number }[]>();
  readonly #windows = new Map<string, { start: number; count: number }>();
  readonly #rateLimit: RateLimitPolicy | undefined;
  readonly #validate: boolean;
  #validator: Promise<RequestValidator | undefined> | undefined;

  constructor(module: ProviderModule<C, S, Seeded, SeedApi>, credentials: C, options: EngineOptions) {
    this.module = module;
    this.credentials = credentials;
    const base = new URL(options.baseUrl);
    this.#basePath = base.pathname.replace(/\/+$/, "");
    this.env = {
      spec: module.spec,
      clock: options.clock,
      ids: options.ids,
      baseUrl: `${base.origin}${this.#basePath}`,
      origin: base.origin,
      stepMs: options.stepMs,
    };
    this.#validate = options.validateRequests;
    this.#rateLimit =
      options.rateLimit === false || !module.rateLimit
        ? undefined
        : { ...module.rateLimit, limit: options.rateLimit?.limit ?? module.rateLimit.limit, windowMs: options.rateLimit?.windowMs ?? module.rateLimit.windowMs };
    const created = module.create(this.env, credentials, options.seed);
    this.state = created.state;
    this.seeded = created.seeded;
    this.seedApi = created.seedApi;
  }

  /** Prism's validator for this spec, loaded once (undefined where it cannot run, or when validation is off). */
  validator(): Promise<RequestValidator | undefined> {
    if (!this.#validate) return Promise.resolve(undefined);
    return (this.#validator ??= loadRequestValidator(this.module.spec.document));
  }

  /** Whether a URL is one this twin answers: its own origin, or one of the real API's. */
  serves(url: URL): boolean {
    return url.origin === this.env.origin || this.module.spec.servers.some((s) => s.origin.test(url.origin));
  }

  failNext(operationId: string, fault: Fault, times: number): void {
    const known = new Set([...this.module.spec.operations.map((o) => o.operationId), ...(this.module.twinRoutes ?? []).map((r) => r.id)]);
    if (!known.has(operationId)) {
      throw new TypeError(`failNext: "${operationId}" is not an operation of this twin. Known: ${[...known].join(", ")}.`);
    }
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`failNext: times must be a whole number ≥ 1, got ${String(times)}`);
    checkFault(fault);
    const queue = this.#faults.get(operationId) ?? [];
    queue.push({ fault, times });
    this.#faults.set(operationId, queue);
  }

  #takeFault(operationId: string): Fault | undefined {
    const queue = this.#faults.get(operationId);
    const head = queue?.[0];
    if (!head) return undefined;
    if (--head.times === 0) queue!.shift();
    return head.fault;
  }

  async dispatch(request: Request): Promise<Outcome> {
    const url = new URL(request.url);
    if (!this.serves(url)) return { kind: "foreign", url: `${url.origin}${url.pathname}` };

    const bytes = new Uint8Array(await request.arrayBuffer());
    const text = new TextDecoder().decode(bytes);
    const contentType = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    const record: TwinRequestRecord = {
      at: this.env.clock.now(),
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers),
      ...(bytes.length ? { body: text } : {}),
    };
    let parsed: unknown;
    let badJson = false;
    if (bytes.length && JSON_TYPE.test(contentType)) {
      try {
        parsed = JSON.parse(text);
        record.json = parsed;
      } catch {
        badJson = true;
      }
    }
    this.requests.push(record);
    const done = (outcome: Outcome): Outcome => {
      if (outcome.kind === "response") record.status = outcome.status;
      return outcome;
    };

    // The twin's own routes (downloads) live on its own origin, outside the spec and without credentials.
    if (url.origin === this.env.origin) {
      for (const route of this.module.twinRoutes ?? []) {
        const found = route.method === request.method ? route.pattern.exec(url.pathname) : null;
        if (!found) continue;
        record.operationId = route.id;
        const fault = this.#takeFault(route.id);
        if (fault) record.fault = faultKind(fault);
        if (fault && "reset" in fault && !fault.after) return done({ kind: "reset" });
        if (fault && "status" in fault) return done(this.#render(this.#faultResponse(undefined, fault), undefined));
        return done(this.#render(route.handle(found, this.env, this.state), fault));
      }
    }

    const path = this.#specPath(url);
    const match = path === undefined ? undefined : this.module.spec.match(request.method, path);
    if (!match) return done(this.#render(this.module.error(undefined, 404, `No route for ${request.method} ${url.pathname}`), undefined));
    if ("allowed" in match) {
      const refused = this.module.error(undefined, 405, `Method ${request.method} not allowed on ${url.pathname}`);
      refused.headers.allow = match.allowed.join(", ");
      return done(this.#render(refused, undefined));
    }
    const operationId = match.operation.operationId;
    record.operationId = operationId;

    const fault = this.#takeFault(operationId);
    if (fault) record.fault = faultKind(fault);
    if (fault && "reset" in fault && !fault.after) return done({ kind: "reset" });
    if (fault && "status" in fault) return done(this.#render(this.#faultResponse(operationId, fault), undefined));

    const call: Call = {
      operationId,
      method: request.method,
      url,
      path: path!,
      params: match.params,
      query: url.searchParams,
      headers: request.headers,
      contentType,
      bytes,
      text,
      ...(parsed !== undefined ? { json: parsed } : {}),
    };

    const auth = await this.module.authenticate(call, this.env, this.state, this.credentials);
    if (!("key" in auth)) return done(this.#render(this.#withRateLimitHeaders(auth, undefined), undefined));

    const window = this.#count(auth.key);
    if (window && window.remaining < 0) {
      const refused = this.module.error(operationId, 429);
      Object.assign(refused.headers, this.#rateLimit!.headers({ ...window, remaining: 0 }, true));
      return done(this.#render(refused, undefined));
    }

    if (badJson) {
      return done(this.#render(this.#withRateLimitHeaders(this.module.error(operationId, 400, "The request body is not valid JSON."), window), undefined));
    }
    const validator = await this.validator();
    const violations = validator?.({
      operationId,
      method: request.method,
      path: path!,
      query: url.searchParams,
      headers: request.headers,
      body: bytes.length ? (JSON_TYPE.test(contentType) ? parsed : text) : undefined,
      bodyLength: bytes.length,
    });
    if (violations?.length) {
      record.violations = violations;
      const refused = this.module.error(operationId, 400, `Invalid request: ${violations.join("; ")}`);
      return done(this.#render(this.#withRateLimitHeaders(refused, window), undefined));
    }

    const handler = this.module.operations[operationId];
    let response: TwinResponse;
    try {
      response = handler ? handler(call, this.env, this.state) : this.module.error(operationId, 501, `The twin does not implement ${operationId} yet.`);
    } catch (cause) {
      // A bug of the twin, not of the test: answered like a server would, and kept for the record.
      record.violations = [`twin error: ${cause instanceof Error ? cause.message : String(cause)}`];
      response = this.module.error(operationId, 500);
    }
    if (fault && "reset" in fault) return done({ kind: "reset" });
    return done(this.#render(this.#withRateLimitHeaders(response, window), fault));
  }

  /** The spec path of a URL: without the server's base path (on a real origin it is required; on the twin's own
   *  origin it is optional, so the twin also answers at `/`, as Prism does). */
  #specPath(url: URL): string | undefined {
    if (url.origin === this.env.origin) {
      const base = this.#basePath;
      if (base && (url.pathname === base || url.pathname.startsWith(`${base}/`))) return url.pathname.slice(base.length) || "/";
      return url.pathname;
    }
    for (const server of this.module.spec.servers) {
      if (!server.origin.test(url.origin)) continue;
      const base = server.basePath;
      if (!base) return url.pathname;
      if (url.pathname === base || url.pathname.startsWith(`${base}/`)) return url.pathname.slice(base.length) || "/";
    }
    return undefined;
  }

  #count(key: string): RateLimitWindow | undefined {
    const policy = this.#rateLimit;
    if (!policy) return undefined;
    const now = this.env.clock.now();
    let window = this.#windows.get(key);
    if (!window || now >= window.start + policy.windowMs) {
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    if (window.count >= policy.limit) return { limit: policy.limit, remaining: -1, resetAt: window.start + policy.windowMs, now };
    window.count++;
    return { limit: policy.limit, remaining: policy.limit - window.count, resetAt: window.start + policy.windowMs, now };
  }

  #withRateLimitHeaders(response: TwinResponse, window: RateLimitWindow | undefined): TwinResponse {
    const policy = this.#rateLimit;
    if (!policy) return response;
    // A request that was not counted (refused credentials) still shows the budget of a fresh window.
    const now = this.env.clock.now();
    const shown = window ?? { limit: policy.limit, remaining: policy.limit, resetAt: now + policy.windowMs, now };
    return { ...response, headers: { ...policy.headers(shown, false), ...response.headers } };
  }

  #faultResponse(operationId: string | undefined, fault: Extract<Fault, { status: number }>): TwinResponse {
    const response = this.module.error(operationId, fault.status, fault.message);
    if (fault.retryAfter !== undefined) response.headers["retry-after"] = String(fault.retryAfter);
    if (fault.status === 429 && this.#rateLimit) {
      const now = this.env.clock.now();
      const resetAt = now + (fault.retryAfter ?? 0) * 1000;
      Object.assign(response.headers, this.#rateLimit.headers({ limit: this.#rateLimit.limit, remaining: 0, resetAt, now }, true));
    }
    return response;
  }

  #render(response: TwinResponse, fault: Fault | undefined): Outcome {
    const body = bodyBytes(response);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) headers[name.toLowerCase()] = value;
    headers["content-length"] = String(body.length);
    const outcome: Outcome = { kind: "response", status: response.status, headers, body };
    if (fault && "truncate" in fault) outcome.cutAfter = Math.max(0, Math.min(fault.truncate, Math.max(0, body.length - 1)));
    if (fault && "slow" in fault) outcome.stall = { afterBytes: Math.min(fault.afterBytes ?? 0, body.length), ms: fault.slow };
    return outcome;
  }
}

function faultKind(fault: Fault): FaultKind {
  return "status" in fault ? "status" : "reset" in fault ? "reset" : "truncate" in fault ? "truncate" : "slow";
}

function checkFault(fault: Fault): void {
  const f = fault as Record<string, unknown> | null;
  const shape = "{ status, retryAfter? } | { reset: true, after? } | { truncate: bytes } | { slow: ms, afterBytes? }";
  if (!f || typeof f !== "object") throw new TypeError(`failNext: a fault is one of ${shape}`);
  if ("status" in f) {
    if (!Number.isInteger(f.status) || (f.status as number) < 400 || (f.status as number) > 599) {
      throw new RangeError(`failNext: status must be an error status (400-599), got ${String(f.status)}`);
    }
    if (f.retryAfter !== undefined && !(typeof f.retryAfter === "number" && f.retryAfter >= 0)) {
      throw new RangeError(`failNext: retryAfter must be a number of seconds ≥ 0, got ${String(f.retryAfter)}`);
    }
  } else if ("reset" in f) {
    if (f.reset !== true) throw new TypeError("failNext: write a reset as { reset: true }");
  } else if ("truncate" in f) {
    if (!Number.isInteger(f.truncate) || (f.truncate as number) < 0) throw new RangeError(`failNext: truncate must be a byte count ≥ 0, got ${String(f.truncate)}`);
  } else if ("slow" in f) {
    if (!(typeof f.slow === "number" && f.slow >= 0)) throw new RangeError(`failNext: slow must be milliseconds ≥ 0, got ${String(f.slow)}`);
  } else {
    throw new TypeError(`failNext: a fault is one of ${shape}`);
  }
}

/** The error a real fetch rejects with when the peer resets the connection (undici's shape: TypeError + cause). */
export function connectionReset(): TypeError {
  const cause = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", errno: -104, syscall: "read" });
  return new TypeError("fetch failed", { cause });
}

/** The error a real fetch body stream fails with when the connection drops midway (undici: "terminated"). */
export function bodyTerminated(): TypeError {
  const cause = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
  return new TypeError("terminated", { cause });
}

/** An outcome as a Fetch `Response`: a cut body errors its stream, a stalled one waits on the twin clock. */
export function toResponse(outcome: Extract<Outcome, { kind: "response" }>, clock: TwinClock, signal: AbortSignal | undefined, url: string, method: string): Response {
  const nullBody = [101, 204, 205, 304].includes(outcome.status) || method === "HEAD";
  let body: BodyInit | null = nullBody ? null : (outcome.body as Uint8Array<ArrayBuffer>);
  const headers = new Headers(outcome.headers);
  if (nullBody) headers.delete("content-length");
  else if (outcome.cutAfter !== undefined || outcome.stall) {
    const { cutAfter, stall } = outcome;
    const all = outcome.body;
    const first = all.subarray(0, cutAfter ?? stall!.afterBytes);
    let sent = false;
    body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!sent) {
          sent = true;
          if (first.length) return controller.enqueue(first);
        }
        if (cutAfter !== undefined) return controller.error(bodyTerminated());
        try {
          await clock.sleep(stall!.ms, signal);
        } catch (reason) {
          return controller.error(reason);
        }
        const rest = all.subarray(stall!.afterBytes);
        if (rest.length) controller.enqueue(rest);
        controller.close();
      },
    });
  }
  const response = new Response(body, { status: outcome.status, headers });
  Object.defineProperty(response, "url", { value: url });
  return response;
}
