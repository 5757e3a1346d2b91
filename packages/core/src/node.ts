/**
 * @importkit/core/node: helpers that need a file system (Node, Bun, Deno). Kept out of the main entry so
 * browsers never load node:fs.
 */
import { lstat, mkdir, open, readdir, rename, rm, stat, type FileHandle } from "node:fs/promises";
import { dirname, join, basename, resolve } from "node:path";
import { ConnectionError, ImportkitError, TimeoutError, ValidationError } from "./errors.js";
import { asFileError, explainCode, FileError } from "./file-error.js";
import { hostTag, processRuns, randomHex } from "./host.js";
import { isNodeRuntime, nodeHttpFetch } from "./node-http.js";
import { backoffDelay, DEFAULT_MAX_RETRIES } from "./retry-policy.js";
import { abortErrorFrom, sleep } from "./signals.js";

export { isNodeRuntime, nodeHttpFetch } from "./node-http.js";
export { FileError } from "./file-error.js";
export { openFileCheckpoint, type FileCheckpointOptions } from "./checkpoint-file.js";

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

/**
 * Checks, before anything is downloaded, that a file can be saved at `path`: it is not a directory, no parent of
 * it is a file, and the directory that will hold it (or the nearest one that exists, where the missing ones will
 * be created) takes new files. A FileError (`code`, `path`) otherwise. saveDownload calls it before its request.
 *
 * Writability is tried, not asked: a file is created there and removed (named as a temporary of `path`, so
 * even a crash in between leaves nothing the next save does not clean). `access()` says yes to root on a
 * read-only sysfs and knows nothing of some network file systems' rules.
 */
export async function checkTarget(path: string): Promise<void> {
  checkPath(path);
  const target = resolve(path);
  const itself = await statIfThere(target, path, lstat);
  if (itself?.isDirectory()) throw FileError.explain("save to", path, "EISDIR");
  let dir = dirname(target);
  for (;;) {
    const info = await statIfThere(dir, path, stat);
    if (info) {
      if (!info.isDirectory()) {
        throw new FileError(`Cannot save to ${path}: ${dir} is a file, not a directory (ENOTDIR).`, { code: "ENOTDIR", path: dir });
      }
      break;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const probe = join(dir, temporaryName(basename(target)));
  try {
    await (await open(probe, "wx")).close();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string") throw error;
    throw new FileError(`Cannot save to ${path}: no file can be created in ${dir}: ${explainCode(code)}.`, {
      code,
      path: dir,
      syscall: "open",
    });
  }
  await rm(probe, { force: true });
}

/** stat, or undefined when nothing is there (ENOENT, or ENOTDIR: a parent is a file, found further up). */
async function statIfThere(at: string, target: string, how: typeof stat) {
  try {
    return await how(at);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw asFileError(error, "save to", target);
  }
}

/**
 * Temporaries: `.<name>.<host>.<pid>.<random>.partial`, beside the target. The random part (48 bits) makes every
 * save's temporary its own, even two saves of one path in one process; it is also opened exclusively (`wx`).
 * `<host>` tells this machine's (and PID namespace's) processes from others sharing the directory.
 */
const TEMPORARY_PATTERN = /^\.(.+)\.([0-9a-f]{8})\.(\d+)\.([0-9a-f]{12})\.partial$/;

/**
 * A temporary is stale, and removed by the next save to the same path, when the process that wrote it is gone:
 * - its host tag is ours and its PID runs no process (a killed save): removed at once;
 * - otherwise (another machine, or a PID now reused), once untouched for STALE_TEMPORARY_MS. A live save writes its
 *   temporary at least every ~17 minutes even at the low-speed floor (1 MiB write batches at 1 KiB/s) and a
 *   stalled one ends at its idle timeout, so a day without a write means nobody is writing it.
 * Only names of our own pattern, for the very target being saved, are ever touched.
 */
export const STALE_TEMPORARY_MS = 24 * 60 * 60 * 1000;

function temporaryName(base: string): string {
  return `.${base}.${hostTag()}.${process.pid}.${randomHex(6)}.partial`;
}

/** Removes the stale temporaries of `target` (rule above). Best effort: a failure here never fails a save. */
export async function removeStaleTemporaries(target: string, now = Date.now()): Promise<string[]> {
  const dir = dirname(resolve(target));
  const base = basename(target);
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const match = TEMPORARY_PATTERN.exec(name);
    if (!match || match[1] !== base) continue;
    const file = join(dir, name);
    let stale = match[2] === hostTag() && !processRuns(Number(match[3]));
    if (!stale) {
      const info = await stat(file).catch(() => undefined);
      stale = info !== undefined && now - info.mtimeMs > STALE_TEMPORARY_MS;
    }
    if (stale && (await rm(file, { force: true }).then(() => true, () => false))) removed.push(file);
  }
  return removed;
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
  // Before `open`: a bad path, or one that cannot be written, must not cost a download.
  await checkTarget(path);
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
 * leaves a truncated file where a good one is expected. Each save has its own temporary: two saves of one path
 * never mix, the last rename wins with a whole file. Stale temporaries of killed saves are removed first
 * (removeStaleTemporaries). File-system failures are FileErrors.
 *
 * Reads the stream itself and writes to a file handle, one batch in flight while the next gathers: no Node
 * stream layers in between (Readable.fromWeb, a counting Transform, a WriteStream each cost a hop per chunk).
 */
export async function saveStream(stream: ReadableStream<Uint8Array>, path: string, options: SaveOptions = {}): Promise<SavedFile> {
  checkPath(path);
  const { signal, onProgress } = options;
  const fileStep = <T>(step: Promise<T>): Promise<T> => step.catch((error: unknown) => Promise.reject(asFileError(error, "save to", path)));
  await fileStep(mkdir(dirname(path), { recursive: true }));
  await removeStaleTemporaries(path);
  let temporary = "";
  let handle: FileHandle | undefined;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let writing: Promise<void> | undefined;
  // Aborting cancels the read under way (it then ends as if done, hence the `aborted` checks below).
  const onAbort = () => void reader?.cancel(signal?.reason).catch(() => {});
  try {
    reader = stream.getReader();
    if (signal?.aborted) throw abortErrorFrom(signal);
    signal?.addEventListener("abort", onAbort, { once: true });
    // Exclusive: a name already taken (48 random bits: practically never) is never shared, another is drawn.
    for (let tries = 0; !handle; tries++) {
      temporary = join(dirname(path), temporaryName(basename(path)));
      handle = await open(temporary, "wx").catch((error: unknown) =>
        (error as { code?: unknown }).code === "EEXIST" && tries < 5 ? undefined : Promise.reject(asFileError(error, "save to", path)),
      );
    }
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
        writing = fileStep(writeAll(handle, batch, batchBytes));
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
    await fileStep(closing.close());
    await fileStep(rename(temporary, path));
    return { path, bytes };
  } catch (error) {
    // Stop the download (closes its connection), let a write under way settle, then remove what was written.
    void reader?.cancel(error).catch(() => {});
    await writing?.catch(() => {});
    await handle?.close().catch(() => {});
    if (temporary) await rm(temporary, { force: true }).catch(() => {});
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
