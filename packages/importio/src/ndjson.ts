/**
 * Newline-delimited JSON, parsed as the bytes arrive: a result file of any size is read with memory
 * bounded by its longest line. Knows nothing of Import.io (a candidate for @importkit/core).
 */
import { InvalidResponseError } from "@importkit/core";
import type { Redactor } from "@importkit/core/internal";

/** One line of a result file is not a JSON object. `line` is 1-based, counting empty lines too. */
export class ResultParseError extends InvalidResponseError {
  readonly line: number;

  constructor(message: string, init: { line: number; operation?: string; cause?: unknown }) {
    super(message, {
      ...(init.operation ? { operation: init.operation } : {}),
      ...(init.cause !== undefined ? { cause: init.cause } : {}),
    });
    this.line = init.line;
  }
}

export interface NdjsonOptions {
  /** Names the file in errors, e.g. `the json file of crawl run 8b4c…`. */
  label: string;
  operation?: string;
  /** Result rows are the user's data, but a row may echo a URL that carried a secret. */
  redactor: Redactor;
  /** A longer line is refused instead of growing without bound (default 64 MiB of text). */
  maxLineLength?: number;
}

export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024 * 1024;
const MAX_QUOTED_CHARS = 80;

/**
 * Yields one parsed object per non-empty line. Lines may end in `\n` or `\r\n` and may be split across
 * any chunk boundary (multi-byte characters included); the last line needs no newline. Stopping early
 * (`break`) cancels the stream, which releases the connection.
 */
export async function* parseNdjson<T>(stream: ReadableStream<Uint8Array>, options: NdjsonOptions): AsyncGenerator<T, void, undefined> {
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  // TextDecoderStream's writable side is typed as taking any BufferSource, which TS will not narrow to bytes.
  const decoder = new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>;
  const reader = stream.pipeThrough(decoder).getReader();
  let pending = "";
  let lineNumber = 0;
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      // Only the new text can hold the next newline: never rescan a long partial line.
      let searchFrom = pending.length;
      pending += value;
      let start = 0;
      for (let newline = pending.indexOf("\n", searchFrom); newline !== -1; newline = pending.indexOf("\n", searchFrom)) {
        lineNumber++;
        if (newline - start > maxLineLength) throw tooLong(lineNumber, maxLineLength, options);
        const row = parseLine<T>(pending.slice(start, newline), lineNumber, options);
        start = searchFrom = newline + 1;
        if (row !== undefined) yield row;
      }
      pending = pending.slice(start);
      if (pending.length > maxLineLength) throw tooLong(lineNumber + 1, maxLineLength, options);
    }
    finished = true;
    if (pending !== "") {
      const row = parseLine<T>(pending, lineNumber + 1, options);
      if (row !== undefined) yield row;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

function parseLine<T>(line: string, lineNumber: number, options: NdjsonOptions): T | undefined {
  if (line.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    // The engine's message quotes the start of the line, cut before any redaction: its quote is dropped.
    const reason = options.redactor.engineMessage(error);
    throw new ResultParseError(`${options.label}: line ${lineNumber} is not valid JSON (${reason}): ${quote(line, options.redactor)}`, {
      line: lineNumber,
      ...(options.operation ? { operation: options.operation } : {}),
    });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ResultParseError(`${options.label}: line ${lineNumber} is JSON but not a result row (an object): ${quote(line, options.redactor)}`, {
      line: lineNumber,
      ...(options.operation ? { operation: options.operation } : {}),
    });
  }
  return value as T;
}

function tooLong(lineNumber: number, maxLineLength: number, options: NdjsonOptions): ResultParseError {
  return new ResultParseError(`${options.label}: line ${lineNumber} is longer than ${maxLineLength} characters; refusing to buffer it.`, {
    line: lineNumber,
    ...(options.operation ? { operation: options.operation } : {}),
  });
}

/** The line as the message quotes it: redacted whole, then cut (a cut first could leave the start of a secret). */
function quote(line: string, redactor: Redactor): string {
  return JSON.stringify(redactor.cut(line.trim(), MAX_QUOTED_CHARS));
}
