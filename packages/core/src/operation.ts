/**
 * The operation table: everything a client needs to know about one operation of a spec, generated from the spec
 * by scripts/generate.mjs (`packages/<provider>/src/generated/operations.ts`) and never written by hand. Facts that
 * OpenAPI cannot state (does a call start work, how a list pages, when a wait is over) come from the spec's
 * `x-importkit-*` extensions on the operation, so every fact about an operation lives in its spec.
 *
 * Also here: the types that turn a generated `operations` interface (openapi-typescript) into the input and output
 * of a call, and the one function that turns a call's input into a URL and a body.
 */
import { ndjsonBody } from "./ndjson-body.js";
import type { OperationSchema } from "./validate.js";

export type HttpMethod = "GET" | "PUT" | "POST" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS" | "TRACE";

/** How a list operation pages (`x-importkit-pagination`). */
export interface PaginationRule {
  /**
   * `cursor`: the next page's cursor is read from each page's body at `next` and sent as `param`; the list ends
   * when there is none. `page`: page numbers from `start`, sent as `param`; the list ends at the first empty page
   * (a short page is not trusted to be the last: servers cap page sizes below what was asked).
   */
  style: "cursor" | "page";
  /** The query parameter that selects a page. */
  param: string;
  /** Dotted path of the items in a page's body; `""` when the body is the array itself. */
  items: string;
  /** `cursor` style: dotted path of the next page's cursor in the body. */
  next?: string;
  /** `page` style: the first page's number (default 1). */
  start?: number;
}

/** When polling an operation's resource is over (`x-importkit-wait`). */
export interface WaitRule {
  /** Dotted path of the field that tells where the work is, e.g. `status`. */
  field: string;
  /** Values of `field` that mean the work succeeded; absent: any value but null or undefined (an id that appears). */
  succeeded?: readonly unknown[];
  /** Values of `field` that mean the work failed for good. */
  failed?: readonly unknown[];
  /** Dotted path of the failure's explanation, when the API gives one. */
  reason?: string;
  /** What is awaited: picks the error class (ImportFailedError or ExportFailedError) and names it in messages. */
  kind?: "import" | "export";
  /** The default overall limit in ms, where the API never reports a failure (so a failed import ends here). */
  deadline?: number;
}

/** One operation of a spec, as the client uses it. */
export interface OperationSpec {
  operationId: string;
  method: HttpMethod;
  /** The path template, e.g. `/org/{organizationId}/imports/{importRunId}`. */
  path: string;
  /** Media types the request body may be sent as (the first is the default); absent: no body. */
  requestMediaTypes?: readonly string[];
  /** Media types of the success responses. */
  responseMediaTypes: readonly string[];
  /** `x-importkit-starts-work`: resent only when the server cannot have acted on it. */
  startsWork?: boolean;
  /** `x-importkit-bodyless`: a success may come without a body. Otherwise an empty 2xx is an InvalidResponseError. */
  bodyless?: boolean;
  /** `x-importkit-download`: the success body is a file, streamed to the caller, never buffered. */
  download?: boolean;
  pagination?: PaginationRule;
  wait?: WaitRule;
  /** The parameter and body schemas, checked before anything is sent. */
  validation: OperationSchema;
}

/** A provider's generated table: one entry per operationId of `Ops` (openapi-typescript's `operations`). */
export type OperationTable<Ops> = { readonly [K in keyof Ops & string]: OperationSpec };

// ---- From openapi-typescript's `operations[K]` to a call's input and output ----------------------------------

type Defined<T> = Exclude<T, undefined>;
type IsNever<T> = [T] extends [never] ? true : false;

type PathParams<Op> = Op extends { parameters: { path: infer P } } ? Defined<P> : never;
type QueryParams<Op> = Op extends { parameters: { query?: infer Q } } ? Defined<Q> : never;
type RequestContent<Op> = Op extends { requestBody?: infer B } ? (Defined<B> extends { content: infer C } ? C : never) : never;
/** The body as the caller gives it: the JSON form when the spec has one, else the first media type's. */
type RequestBody<Op> = RequestContent<Op> extends infer C ? ("application/json" extends keyof C ? C["application/json"] : C[keyof C]) : never;

/** What `call(operationId, input)` takes: `path`, `query` and `body` as the spec types them. */
export type OperationInput<Op> = (IsNever<PathParams<Op>> extends true ? { path?: undefined } : { path: PathParams<Op> }) &
  (IsNever<QueryParams<Op>> extends true ? { query?: undefined } : { query?: QueryParams<Op> }) &
  (IsNever<RequestBody<Op>> extends true
    ? { body?: undefined }
    : Op extends { requestBody: unknown }
      ? { body: RequestBody<Op>; contentType?: keyof RequestContent<Op> & string }
      : { body?: RequestBody<Op>; contentType?: keyof RequestContent<Op> & string });

type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 206 | "2XX";
type Responses<Op> = Op extends { responses: infer R } ? R : never;
type ContentData<R> = R extends { content: infer C }
  ? "application/json" extends keyof C
    ? C["application/json"]
    : C[keyof C]
  : undefined;

/** What a call's promise resolves to: the success body as the spec types it (undefined for a success without one). */
export type OperationData<Op> = {
  [S in keyof Responses<Op>]: S extends SuccessStatus ? ContentData<Responses<Op>[S]> : never;
}[keyof Responses<Op>];

/** The items of a page body: the body itself when it is an array, else its `items`. */
export type PageItem<Body> = Body extends readonly (infer I)[] ? I : Body extends { items: readonly (infer I)[] } ? I : unknown;

// ---- Building the request -----------------------------------------------------------------------------------

/** What a call becomes on the wire, before credentials are added (per attempt, beneath everything that logs). */
export interface BuiltRequest {
  method: HttpMethod;
  /** Absolute URL, path parameters encoded, query serialized. */
  url: string;
  /** The serialized body and its media type, when there is one. */
  body?: string | Uint8Array | FormData | Blob | URLSearchParams;
  contentType?: string;
}

/** Serializes a body for one media type. Providers add their own (SharinPix: Rails-style forms). */
export type BodyEncoder = (body: unknown) => string | Uint8Array | FormData | Blob | URLSearchParams;

const JSON_MEDIA = /^application\/(?:[\w.+-]+\+)?json\b|^text\/json\b/i;
const NDJSON_MEDIA = /^application\/(?:x-)?ndjson\b|^application\/json\s*;\s*boundary=nl\b|^application\/jsonl\b/i;

export function isJsonMediaType(mediaType: string): boolean {
  return JSON_MEDIA.test(mediaType) && !NDJSON_MEDIA.test(mediaType);
}

export function isNdjsonMediaType(mediaType: string): boolean {
  return NDJSON_MEDIA.test(mediaType);
}

/** The encoders every client has; a provider's own win for the same media type. */
export const DEFAULT_ENCODERS: Readonly<Record<string, BodyEncoder>> = {
  json: (body) => JSON.stringify(body),
  ndjson: ndjsonBody,
  form: (body) => new URLSearchParams(body as Record<string, string>),
};

function encoderFor(mediaType: string, encoders: Readonly<Record<string, BodyEncoder>>): BodyEncoder {
  const exact = encoders[mediaType.toLowerCase()];
  if (exact) return exact;
  if (isNdjsonMediaType(mediaType)) return encoders["ndjson"]!;
  if (isJsonMediaType(mediaType)) return encoders["json"]!;
  if (/^application\/x-www-form-urlencoded\b/i.test(mediaType)) return encoders["form"]!;
  return (body) => {
    if (typeof body === "string" || body instanceof Uint8Array || body instanceof Blob || body instanceof FormData) return body;
    return JSON.stringify(body);
  };
}

/**
 * A path parameter as a URL segment: percent-encoded, so `/`, `?` and `#` in an id stay inside its segment.
 * (validateCall has already refused empty, `.` and `..` segments and text that cannot be encoded.)
 */
function segment(value: unknown): string {
  return encodeURIComponent(String(value));
}

/** Query values the way openapi-fetch sends them (form style, arrays exploded), skipping undefined. */
function appendQuery(params: URLSearchParams, name: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) appendQuery(params, name, item);
    return;
  }
  if (typeof value === "object") {
    // deepObject, as openapi-fetch does for an object parameter: name[key]=value.
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) appendQuery(params, `${name}[${key}]`, item);
    return;
  }
  params.append(name, String(value));
}

export interface BuildInput {
  path?: Record<string, unknown> | undefined;
  query?: Record<string, unknown> | undefined;
  body?: unknown;
  contentType?: string | undefined;
}

/**
 * A path template split once into literal text and parameter names: `[literal, name, literal, name, literal…]`.
 * Filling it is a few string joins per call: buildRequest of a GET takes ~0.3 µs, where the regex replace with a callback
 * it replaces made it ~4 % of a call's CPU profile (~1.9 µs of 46 µs on the stub transport of bench/core-overhead.ts).
 */
const compiledPaths = new Map<string, readonly string[]>();
function compiledPath(template: string): readonly string[] {
  let parts = compiledPaths.get(template);
  if (!parts) {
    parts = template.split(/\{([^}]+)\}/);
    compiledPaths.set(template, parts);
  }
  return parts;
}

/** The URL and body of a call, straight from its table entry (no openapi-fetch, no Request object). */
export function buildRequest(
  spec: OperationSpec,
  baseUrl: string,
  input: BuildInput,
  encoders: Readonly<Record<string, BodyEncoder>> = DEFAULT_ENCODERS,
): BuiltRequest {
  const template = compiledPath(spec.path);
  let url = baseUrl + template[0];
  if (template.length > 1) {
    const path = input.path ?? {};
    for (let i = 1; i < template.length; i += 2) url += segment(path[template[i]!]) + template[i + 1];
  }
  if (input.query) {
    let params: URLSearchParams | undefined;
    for (const name in input.query) {
      const value = input.query[name];
      if (value === undefined) continue;
      appendQuery((params ??= new URLSearchParams()), name, value);
    }
    const search = params?.toString();
    if (search) url += `?${search}`;
  }
  if (input.body === undefined || !spec.requestMediaTypes?.length) return { method: spec.method, url };
  const contentType = input.contentType ?? spec.requestMediaTypes[0]!;
  const encoded = encoderFor(contentType, encoders)(input.body);
  // FormData sets its own multipart boundary.
  return encoded instanceof FormData ? { method: spec.method, url, body: encoded } : { method: spec.method, url, body: encoded, contentType };
}

/** Reads a dotted path (`next.page`, `status`) from a parsed body; `""` is the body itself. */
export function readPath(value: unknown, path: string): unknown {
  if (path === "") return value;
  let current = value;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = Object.prototype.hasOwnProperty.call(current, key) ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}

/**
 * Finds the operation a raw request addresses, by method and path: `raw` calls carry no operationId, and a user's
 * middleware may have replaced the Request, so the URL is all there is.
 */
export function operationMatcher(table: Readonly<Record<string, OperationSpec>>, basePath: string): (method: string, pathname: string) => OperationSpec | undefined {
  const entries = Object.values(table).map((spec) => ({
    spec,
    // Literal segments first: `/extractors/{id}/inputs` must win over `/crawlruns/{id}/{fileType}` for its URLs.
    literal: spec.path.split("/").filter((part) => part && !part.startsWith("{")).length,
    pattern: new RegExp(`^${escapeRegex(basePath)}${spec.path.split(/\{[^}]+\}/).map(escapeRegex).join("[^/]+")}/?$`),
  }));
  entries.sort((a, b) => b.literal - a.literal);
  return (method, pathname) => entries.find((e) => e.spec.method === method.toUpperCase() && e.pattern.test(pathname))?.spec;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
