/**
 * What openapi-fetch builds for each call, without building an undici Request. Constructing one and reading its
 * body back costs ~60 µs, more than a loopback round trip's worth of our own work; the retrying fetch needs only
 * these fields, and keeps the serialized body as it is (a string is resent as is on every attempt).
 *
 * openapi-fetch takes it through its `Request` option. Code that treats it like a Request (a user's middleware)
 * finds the usual fields and body readers.
 */
export class PreparedRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: BodyInit | null;
  readonly signal: AbortSignal | undefined;
  readonly redirect: RequestRedirect;
  readonly credentials: RequestCredentials | undefined;

  constructor(input: string | URL, init: RequestInit = {}) {
    this.url = String(input);
    this.method = (init.method ?? "GET").toUpperCase();
    this.headers = new Headers(init.headers);
    this.body = init.body ?? null;
    this.signal = init.signal ?? undefined;
    this.redirect = init.redirect ?? "follow";
    this.credentials = init.credentials;
  }

  /** A real Request with the same content, for code that needs one. */
  toRequest(): Request {
    return new Request(this.url, {
      method: this.method,
      headers: this.headers,
      body: this.body,
      redirect: this.redirect,
      ...(this.signal ? { signal: this.signal } : {}),
      ...(this.credentials ? { credentials: this.credentials } : {}),
    });
  }

  clone(): Request {
    return this.toRequest();
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.toRequest().arrayBuffer();
  }
  text(): Promise<string> {
    return this.toRequest().text();
  }
  json(): Promise<unknown> {
    return this.toRequest().json();
  }
}

/** A request as the retrying fetch receives it: openapi-fetch's PreparedRequest, or any real Request. */
export type RequestLike = Request | PreparedRequest;

/**
 * A body that can be sent again on a retry, reading a one-shot stream into memory first. Synchronous in the
 * usual case (no body, or a string), so a request costs no extra tick for it.
 */
export function replayableBody(request: RequestLike): BodyInit | undefined | Promise<BodyInit | undefined> {
  if (request instanceof PreparedRequest) {
    const body = request.body;
    if (body === null) return undefined;
    return body instanceof ReadableStream ? new Response(body).arrayBuffer() : body;
  }
  return request.body ? request.arrayBuffer() : undefined;
}

/**
 * The response with its body already read into memory (within the attempt, so a stalled or cut-off body is
 * caught and retried), served from that buffer without constructing a new Response (~20 µs each).
 */
export function bufferedResponse(response: Response, bytes: ArrayBuffer | null): Response {
  const data = bytes ?? new ArrayBuffer(0);
  const copy = () => new Response(bytes === null ? null : data.slice(0), { status: response.status, statusText: response.statusText, headers: response.headers });
  const define = (name: string, value: unknown) => Object.defineProperty(response, name, { value, configurable: true });
  define("arrayBuffer", async () => data.slice(0));
  define("text", async () => new TextDecoder().decode(data));
  define("json", async () => JSON.parse(new TextDecoder().decode(data)));
  define("blob", async () => new Blob([data], { type: response.headers.get("content-type") ?? "" }));
  define("bytes", async () => new Uint8Array(data.slice(0)));
  define("clone", copy);
  Object.defineProperty(response, "body", { get: () => copy().body, configurable: true });
  Object.defineProperty(response, "bodyUsed", { get: () => false, configurable: true });
  return response;
}
