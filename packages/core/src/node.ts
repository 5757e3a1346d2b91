/**
 * @importkit/core/node: helpers that need a file system (Node, Bun, Deno). Kept out of the main entry so
 * browsers never load node:fs.
 */
import { mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import { dirname, join, basename } from "node:path";
import { ConnectionError, ImportkitError, TimeoutError, ValidationError } from "./errors.js";
import { isNodeRuntime, nodeHttpFetch } from "./node-http.js";
import { backoffDelay, DEFAULT_MAX_RETRIES } from "./retry-policy.js";
import { abortErrorFrom, sleep } from "./signals.js";

export { isNodeRuntime, nodeHttpFetch } from "./node-http.js";

/**
 * The transport saveTo downloads with (RequestExtras.transport): node:http in Node, where it holds a large
 * download in far less memory than Node's fetch; nothing elsewhere (Bun and Deno keep their own fetch).
 */
export function fileDownloadTransport(): ((url: string, init: RequestInit) => Promise<Response>) | undefined {
  return isNodeRuntime() ? nodeHttpFetch : undefined;
}

export interface SaveOptions {
  signal?: AbortSignal;
  /** Called as bytes arrive (at most once per chunk). */
  onProgress?: (progress: { bytes: number }) => void;
}

export interface SavedFile {
  path: string;
  bytes: number;
}

function checkPath(path: unknown): asserts path is string {
  if (typeof path !== "string" || path.trim() === "") throw new ValidationError("a file path is required", "path");
}

export interface SaveDownloadOptions extends SaveOptions {
  /** Downloads again after a body that failed midway, at most this many times (default 2, as for any request). */
  maxRetries?: number;
  /** Where the retries are announced (a redacting logger: the messages carry request URLs). */
  logger?: { warn(message: string): void };
  /** For tests: the random source of the backoff's jitter. */
  random?: () => number;
}

/**
 * Saves what `open` downloads to `path`, downloading again from the start when the body fails midway: the
 * connection reset, or no data for longer than the timeout (ConnectionError, TimeoutError). A download is a read,
 * and nothing of it reached the caller yet (the file only appears once complete), so it is retried as a read is,
 * with the same backoff. What `open` throws itself (refused, an error status, the caller's abort) was already
 * retried by the retrying fetch inside it and ends here. `onProgress` counts from 0 again after a retry.
 */
export async function saveDownload(open: () => Promise<ReadableStream<Uint8Array>>, path: string, options: SaveDownloadOptions = {}): Promise<SavedFile> {
  // Before `open`: a bad path must not cost a download.
  checkPath(path);
  const { signal, onProgress, logger, random } = options;
  const maxRetries = Math.max(0, options.maxRetries ?? DEFAULT_MAX_RETRIES);
  for (let attempt = 0; ; attempt++) {
    const stream = await open();
    try {
      return await saveStream(stream, path, { ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) });
    } catch (error) {
      const midway = error instanceof ConnectionError || error instanceof TimeoutError;
      if (!midway || signal?.aborted || attempt >= maxRetries) throw error;
      const delay = backoffDelay(attempt, random);
      logger?.warn(`${error.message} Downloading again from the start in ${Math.round(delay)} ms (retry ${attempt + 1}/${maxRetries}).`);
      await sleep(delay, signal);
    }
  }
}

/**
 * Chunks are gathered into writes of about this size. A body arrives in pieces of ~64 KiB, and each write goes
 * through libuv's thread pool, whose hand-off costs more CPU than copying 64 KiB: one write per MiB instead of
 * one per chunk is what makes saveTo as fast as plain fetch piped to a file, or faster (bench/importio-download.ts).
 */
const WRITE_BATCH_BYTES = 1024 * 1024;
/** Also a cap on the pieces of one write (a server dribbling tiny chunks must not build a huge writev). */
const WRITE_BATCH_CHUNKS = 1024;

/**
 * Streams a web ReadableStream to `path` without holding it in memory. Writes to a temporary file beside
 * `path` and renames it into place only once every byte arrived, so a failed or aborted download never
 * leaves a truncated file where a good one is expected.
 *
 * Reads the stream itself and writes to a file handle, one batch in flight while the next gathers: no Node
 * stream layers in between (Readable.fromWeb, a counting Transform, a WriteStream each cost a hop per chunk).
 */
export async function saveStream(stream: ReadableStream<Uint8Array>, path: string, options: SaveOptions = {}): Promise<SavedFile> {
  checkPath(path);
  const { signal, onProgress } = options;
  await mkdir(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.partial`);
  let handle: FileHandle | undefined;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let writing: Promise<void> | undefined;
  // Aborting cancels the read under way (it then ends as if done, hence the `aborted` checks below).
  const onAbort = () => void reader?.cancel(signal?.reason).catch(() => {});
  try {
    reader = stream.getReader();
    if (signal?.aborted) throw abortErrorFrom(signal);
    signal?.addEventListener("abort", onAbort, { once: true });
    handle = await open(temporary, "w");
    let bytes = 0;
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (signal?.aborted) throw abortErrorFrom(signal);
      if (!done && value.byteLength > 0) {
        bytes += value.byteLength;
        onProgress?.({ bytes });
        batch.push(value);
        batchBytes += value.byteLength;
      }
      if (batchBytes > 0 && (done || batchBytes >= WRITE_BATCH_BYTES || batch.length >= WRITE_BATCH_CHUNKS)) {
        // One write at a time, in order; the next batch gathers while this one is written.
        if (writing) await writing;
        writing = writeAll(handle, batch, batchBytes);
        // Awaited later: a failure now must not surface as an unhandled rejection while the next read waits.
        writing.catch(() => {});
        batch = [];
        batchBytes = 0;
      }
      if (done) break;
    }
    if (writing) await writing;
    const closing = handle;
    handle = undefined;
    await closing.close();
    await rename(temporary, path);
    return { path, bytes };
  } catch (error) {
    // Stop the download (closes its connection), let a write under way settle, then remove what was written.
    void reader?.cancel(error).catch(() => {});
    await writing?.catch(() => {});
    await handle?.close().catch(() => {});
    await rm(temporary, { force: true });
    if (error instanceof ImportkitError) throw error;
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof ImportkitError) throw cause;
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Writes every byte of `chunks` at the file's position: one writev, then piece by piece for what a short write
 * (rare on a file) left, or for everything where FileHandle has no writev (older Deno).
 */
async function writeAll(handle: FileHandle, chunks: Uint8Array[], size: number): Promise<void> {
  let skip = typeof handle.writev === "function" ? (await handle.writev(chunks)).bytesWritten : 0;
  if (skip >= size) return;
  for (const chunk of chunks) {
    if (skip >= chunk.byteLength) {
      skip -= chunk.byteLength;
      continue;
    }
    for (let offset = skip; offset < chunk.byteLength; ) offset += (await handle.write(chunk, offset)).bytesWritten;
    skip = 0;
  }
}
