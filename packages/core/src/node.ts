/**
 * @importkit/core/node: helpers that need a file system (Node, Bun, Deno). Kept out of the main entry so
 * browsers never load node:fs.
 */
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, join, basename } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ImportkitError, ValidationError } from "./errors.js";

export interface SaveOptions {
  signal?: AbortSignal;
  /** Called as bytes arrive (at most once per chunk). */
  onProgress?: (progress: { bytes: number }) => void;
}

export interface SavedFile {
  path: string;
  bytes: number;
}

/**
 * Streams a web ReadableStream to `path` without holding it in memory. Writes to a temporary file beside
 * `path` and renames it into place only once every byte arrived, so a failed or aborted download never
 * leaves a truncated file where a good one is expected.
 */
export async function saveStream(stream: ReadableStream<Uint8Array>, path: string, options: SaveOptions = {}): Promise<SavedFile> {
  if (typeof path !== "string" || path.trim() === "") throw new ValidationError("a file path is required", "path");
  await mkdir(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.partial`);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      options.onProgress?.({ bytes });
      callback(null, chunk);
    },
  });
  try {
    await pipeline(
      Readable.fromWeb(stream as import("node:stream/web").ReadableStream<Uint8Array>),
      counter,
      createWriteStream(temporary),
      options.signal ? { signal: options.signal } : {},
    );
    await rename(temporary, path);
    return { path, bytes };
  } catch (error) {
    await rm(temporary, { force: true });
    if (error instanceof ImportkitError) throw error;
    // pipeline wraps the stream's own error (our TimeoutError/ConnectionError) as its cause.
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof ImportkitError) throw cause;
    throw error;
  }
}
