/**
 * A fetch for large downloads in Node, on node:http(s) instead of Node's built-in fetch (undici).
 *
 * Why: undici copies every body chunk out of its WebAssembly parser into a fresh buffer, on top of the socket's
 * own, and those buffers live until the garbage collector runs. Saving a 1 GiB file, that garbage puts a process
 * at 104–126 MB peak RSS with plain `fetch`; on node:http the same download peaks at ~95 MB
 * (bench/importio-download.ts). Only saveTo uses it, and only where the client was given no `fetch` of its own:
 * retries, timeouts, typed errors and redaction stay in the retrying fetch above it, the same for both transports.
 *
 * It does what fetch does for such a request, but for redirects: it never follows one (as `redirect: "manual"`):
 * the pipeline follows redirects itself, by one policy for every transport (redirect-policy.ts). It asks for and
 * decodes gzip, deflate and brotli, honours `signal`, and hands the body over as a web ReadableStream that pulls only
 * on demand. Failures keep Node's error codes (ECONNREFUSED, ECONNRESET, …), which the pipeline classifies.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { NULL_BODY_STATUSES } from "./response-body.js";

/** How much of the body is read ahead of the consumer before the socket is paused. */
const READ_AHEAD_BYTES = 1024 * 1024;

type Body = string | ArrayBuffer | ArrayBufferView | URLSearchParams | null | undefined;

/**
 * Whether this runtime is Node itself (Bun and Deno provide node:http on top of their own fetch, where this
 * transport would only add a layer).
 */
export function isNodeRuntime(): boolean {
  const versions = (globalThis as { process?: { versions?: Record<string, string | undefined> } }).process?.versions;
  return Boolean(versions?.node) && !versions?.bun && !("Deno" in globalThis);
}

/** `fetch(url, init)` over node:http(s); see the module comment for what it covers. */
export async function nodeHttpFetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
  const url = new URL(input);
  const method = (init.method ?? "GET").toUpperCase();
  const headers = new Headers(init.headers);
  if (!headers.has("accept-encoding")) headers.set("accept-encoding", "gzip, deflate, br");
  const body = bodyBytes(init.body as Body);
  if (typeof init.body === "string" && !headers.has("content-type")) headers.set("content-type", "text/plain;charset=UTF-8");
  if (init.body instanceof URLSearchParams && !headers.has("content-type")) headers.set("content-type", "application/x-www-form-urlencoded;charset=UTF-8");
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();
  const message = await send(url, method, headers, body, signal);
  return toResponse(message, method, signal);
}

function bodyBytes(body: Body): Uint8Array | undefined {
  if (body === null || body === undefined) return undefined;
  if (typeof body === "string") return new TextEncoder().encode(body);
  if (body instanceof URLSearchParams) return new TextEncoder().encode(body.toString());
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError("nodeHttpFetch sends string, URLSearchParams and byte bodies only");
}

function send(url: URL, method: string, headers: Headers, body: Uint8Array | undefined, signal: AbortSignal | undefined): Promise<IncomingMessage> {
  const outgoing: Record<string, string> = {};
  headers.forEach((value, name) => (outgoing[name] = value));
  if (body) outgoing["content-length"] = String(body.byteLength);
  const request = url.protocol === "https:" ? httpsRequest : url.protocol === "http:" ? httpRequest : undefined;
  if (!request) return Promise.reject(new TypeError(`fetch failed: ${url.protocol} URLs are not supported`));
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, { method, headers: outgoing, ...(signal ? { signal } : {}) }, resolve);
    req.on("error", (error) => reject(signal?.aborted ? signal.reason : error));
    req.end(body);
  });
}

function toResponse(message: IncomingMessage, method: string, signal: AbortSignal | undefined): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < message.rawHeaders.length; i += 2) headers.append(message.rawHeaders[i]!, message.rawHeaders[i + 1]!);
  const status = message.statusCode ?? 0;
  const init = { status, statusText: message.statusMessage ?? "", headers };
  if (method === "HEAD" || NULL_BODY_STATUSES.has(status)) {
    message.resume();
    return new Response(null, init);
  }
  return new Response(webStream(decoded(message), signal), init);
}

/** The body with its content coding undone, as fetch does (the Content-Encoding header stays, as in fetch). */
function decoded(message: IncomingMessage): Readable {
  const codings = (message.headers["content-encoding"] ?? "")
    .toLowerCase()
    .split(",")
    .map((coding) => coding.trim())
    .filter((coding) => coding && coding !== "identity");
  let stream: Readable = message;
  // Codings are listed in the order they were applied: undo them from the last.
  for (const coding of codings.reverse()) {
    const decoder =
      coding === "gzip" || coding === "x-gzip" ? createGunzip() : coding === "deflate" ? createInflate() : coding === "br" ? createBrotliDecompress() : undefined;
    if (!decoder) continue;
    const source = stream;
    // A reset arrives on the message as an error; the decoder must fail with it, not wait forever.
    source.on("error", (error) => decoder.destroy(error));
    stream = source.pipe(decoder);
  }
  return stream;
}

/** A byte stream over a Node readable: reads ahead up to READ_AHEAD_BYTES, then pauses the socket until pulled. */
function webStream(source: Readable, signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
  // Set once the web stream is closed, errored or cancelled: a Node stream may still emit what it had buffered.
  let settled = false;
  let onAbort: (() => void) | undefined;
  const settle = () => {
    settled = true;
    if (onAbort) signal?.removeEventListener("abort", onAbort);
    onAbort = undefined;
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        source.on("data", (chunk: Buffer) => {
          if (settled) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) source.pause();
        });
        source.once("end", () => {
          if (settled) return;
          settle();
          controller.close();
        });
        source.on("error", (error) => {
          if (settled) return;
          settle();
          controller.error(signal?.aborted ? signal.reason : error);
        });
        if (signal) {
          onAbort = () => source.destroy(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
          if (signal.aborted) onAbort();
          else signal.addEventListener("abort", onAbort, { once: true });
        }
      },
      pull() {
        source.resume();
      },
      cancel(reason) {
        settle();
        source.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    { highWaterMark: READ_AHEAD_BYTES, size: (chunk) => chunk.byteLength },
  );
}
