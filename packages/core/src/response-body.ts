/**
 * Reading a response body within its attempt (so a stalled, reset or cut-off body is caught and retried there),
 * never holding more than a cap: a success body past the client's `maxResponseBytes` (counted after decompression,
 * so a gzip bomb is stopped as it inflates) is a ResponseTooLargeError; an error body is read up to
 * MAX_ERROR_BODY_BYTES and the rest never downloaded (what explains an error is at its start).
 */
import { InvalidResponseError, ResponseTooLargeError, type RequestSummary } from "./errors.js";
import { isJsonMediaType, isNdjsonMediaType } from "./operation.js";

/** The default cap on a buffered success body: far above any answer of these APIs, far below trouble. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
export const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** Statuses whose response has no body, whatever the server sends (as fetch treats them). */
export const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);

const decoder = new TextDecoder();

export interface ReadBody {
  bytes: Uint8Array;
  /** The error body was longer than the cap and only its start was read. */
  cut: boolean;
}

/**
 * The usual case: an uncompressed body whose length is declared and within the cap. The transport enforces the
 * declared length, so it cannot grow past it: one read, no chunk bookkeeping (`response.arrayBuffer()`).
 */
export function declaredWithin(response: Response, max: number): boolean {
  const declared = response.headers.get("content-length");
  if (declared === null || response.headers.has("content-encoding")) return false;
  const length = Number(declared);
  return Number.isSafeInteger(length) && length >= 0 && length <= max;
}

/**
 * Reads at most `max` bytes. `onOver`: "cut" keeps the first `max` bytes (error bodies), "throw" fails with
 * ResponseTooLargeError (success bodies). The rest is cancelled, which closes the connection instead of draining it.
 */
export async function readBody(
  response: Response,
  max: number,
  onOver: "cut" | "throw",
  describe: () => { operation?: string | undefined; request: RequestSummary },
): Promise<ReadBody> {
  const body = response.body;
  if (!body) return { bytes: new Uint8Array(0), cut: false };
  if (declaredWithin(response, max)) return { bytes: new Uint8Array(await response.arrayBuffer()), cut: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let cut = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > max) {
      await reader.cancel().catch(() => {});
      if (onOver === "throw") {
        const { operation, request } = describe();
        throw new ResponseTooLargeError(
          `${operation ?? request.method} (${request.method} ${request.url}) answered ${response.status} with a body larger than ` +
            `${formatBytes(max)} (maxResponseBytes); it was not read further.`,
          { limitBytes: max, status: response.status, ...(operation ? { operation } : {}), request },
        );
      }
      const room = max - size;
      if (room > 0) chunks.push(value.subarray(0, room));
      size = max;
      cut = true;
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  if (chunks.length === 1) return { bytes: chunks[0]!, cut };
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes, cut };
}

export function decodeText(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * The media type of the last answer and how it reads: an API answers with the same Content-Type nearly every time,
 * and testing it against the three media-type patterns on every call was most of decodeSuccess's own time (2–3 % of a
 * stub-transport GET's CPU profile, bench/core-overhead.ts); one string comparison now.
 */
let lastMediaType = "";
let lastKind: "json" | "ndjson" | "text" = "text";
function bodyKind(mediaType: string): "json" | "ndjson" | "text" {
  if (mediaType !== lastMediaType) {
    lastKind = isNdjsonMediaType(mediaType) ? "ndjson" : isJsonMediaType(mediaType) ? "json" : "text";
    lastMediaType = mediaType;
  }
  return lastKind;
}

/** How a success body is handed back: parsed JSON, parsed JSON lines, text, or undefined when there is none. */
export function decodeSuccess(
  bytes: Uint8Array,
  contentType: string | null,
  expected: readonly string[],
  describe: () => { operation?: string | undefined; request: RequestSummary; status: number },
  /** The parser's message, safe to show (it quotes the body it refused). */
  explain: (error: unknown) => string = () => "",
): unknown {
  if (bytes.byteLength === 0) return undefined;
  // The response's own Content-Type decides; a server that sends none is read as the spec says it answers.
  const mediaType = contentType ?? expected[0] ?? "application/json";
  const text = decodeText(bytes);
  const kind = bodyKind(mediaType);
  if (kind === "ndjson") return parseJsonLines(text, describe, explain);
  if (kind === "json" || (contentType === null && expected.some(isJsonMediaType))) {
    try {
      return JSON.parse(text);
    } catch (error) {
      const { operation, request, status } = describe();
      throw new InvalidResponseError(`${operation ?? "The request"} succeeded but its body is not valid JSON: ${explain(error)}`, {
        status,
        ...(operation ? { operation } : {}),
        request,
      });
    }
  }
  return text;
}

function parseJsonLines(
  text: string,
  describe: () => { operation?: string | undefined; request: RequestSummary; status: number },
  explain: (error: unknown) => string,
): unknown[] {
  const out: unknown[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    try {
      out.push(JSON.parse(line));
    } catch (error) {
      const { operation, request, status } = describe();
      throw new InvalidResponseError(`${operation ?? "The request"} succeeded but line ${i + 1} of its body is not JSON: ${explain(error)}`, {
        status,
        ...(operation ? { operation } : {}),
        request,
      });
    }
  }
  return out;
}

/** An error body, parsed as JSON when it is JSON (whatever the Content-Type says), else its text. */
export function decodeError(bytes: Uint8Array): { text: string; parsed: unknown } {
  const text = decodeText(bytes);
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return { text, parsed: JSON.parse(text) };
    } catch {
      // not JSON after all
    }
  }
  return { text, parsed: text === "" ? undefined : text };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}
