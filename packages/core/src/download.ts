/**
 * One type for every file a client downloads (Import.io result files, a Document360 export's zip): `download(...)`
 * returns a DownloadPromise. Await it for a `Download` (the body as a stream, never buffered, with its type and
 * length), or call `.saveTo(path)` on it directly to stream the file to disk. Either way `saveTo` writes a temporary
 * file renamed into place only once complete, and downloads again from the start when the body fails midway (a
 * reset, a stall), up to `maxRetries` times. Nothing is sent until the promise is awaited or `saveTo` is called.
 */
import type { RequestOptions } from "./options.js";
import type { Sent, Transport } from "./pipeline.js";
import { FileError } from "./file-error.js";
import { loadFileHelpers, type SavedFile } from "./files.js";

/** Options of a `saveTo`: those of a call, and progress as bytes arrive. */
export interface SaveToOptions extends RequestOptions {
  /** Called as bytes arrive (at most once per chunk); after a download that had to start again, from 0 again. */
  onProgress?: ((progress: { bytes: number; total: number | undefined }) => void) | undefined;
}

/**
 * A stream of bytes typed as the platform's own fetch types a response body, so that it pipes into the platform's
 * streams (`CompressionStream`, `TextDecoderStream`: under TypeScript 5.7+'s DOM types those take only
 * `Uint8Array<ArrayBuffer>` chunks, which a plain `ReadableStream<Uint8Array>` does not promise).
 */
export type ByteStream = NonNullable<Response["body"]>;

export interface Download {
  /** The file's bytes as they arrive; the call's `timeout` is the longest silence allowed between two chunks. */
  readonly body: ByteStream;
  readonly contentType: string | null;
  /** From Content-Length, when the server sent one. */
  readonly contentLength: number | undefined;
  /** The URL the file came from, secrets redacted. */
  readonly url: string;
  readonly response: Response;
  /**
   * Streams `body` to `path` (Node, Bun, Deno), downloading again should it fail midway. Call it once, instead of
   * reading `body`.
   */
  saveTo(path: string, options?: SaveToOptions): Promise<SavedFile>;
}

export interface DownloadSource {
  /**
   * Sends the download; `transport` replaces the client's default one (saveTo's node:http in Node) and `options`
   * are the saving call's own (its signal, timeout, …) when it has some.
   */
  open(transport?: Transport, options?: RequestOptions): Promise<Sent>;
  maxRetries: number | undefined;
  logger: { warn(message: string): void };
  /** Names the call in errors where there is no file system. */
  method: string;
  /** The client's redaction: a path is the caller's text, and may hold anything. */
  redact: (text: string) => string;
}

function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
}

function lengthOf(response: Response): number | undefined {
  const value = response.headers.get("content-length");
  const length = value === null ? Number.NaN : Number(value);
  // A compressed body's length is not the file's.
  return Number.isSafeInteger(length) && !response.headers.has("content-encoding") ? length : undefined;
}

function toDownload(sent: Sent, source: DownloadSource): Download {
  const body = sent.stream ?? emptyStream();
  let used = false;
  return {
    // Chunks are the Uint8Arrays over ArrayBuffers fetch and the guards produce.
    body: body as ByteStream,
    contentType: sent.response.headers.get("content-type"),
    contentLength: lengthOf(sent.response),
    url: sent.summary().url,
    response: sent.response,
    async saveTo(path, options) {
      if (used || body.locked) throw new TypeError("This download's body was already read: call download() again to save it.");
      used = true;
      let first = true;
      // The first attempt saves the body already open; a retry opens the download again.
      return save(source, path, options, async () => {
        if (first) {
          first = false;
          return { body, total: lengthOf(sent.response) };
        }
        const again = await source.open(undefined, options);
        return { body: again.stream ?? emptyStream(), total: lengthOf(again.response) };
      });
    },
  };
}

async function save(
  source: DownloadSource,
  path: string,
  options: SaveToOptions | undefined,
  open: (transport: Transport | undefined) => Promise<{ body: ReadableStream<Uint8Array>; total: number | undefined }>,
): Promise<SavedFile> {
  const files = await loadFileHelpers(`${source.method}(…).saveTo`);
  const transport = files.fileDownloadTransport();
  let total: number | undefined;
  const maxRetries = options?.maxRetries ?? source.maxRetries;
  const opener = async () => {
    const opened = await open(transport);
    total = opened.total;
    return opened.body;
  };
  try {
    return await files.saveDownload(opener, path, {
      logger: source.logger,
      ...(maxRetries !== undefined ? { maxRetries } : {}),
      ...(options?.signal ? { signal: options.signal } : {}),
      ...(options?.onProgress ? { onProgress: ({ bytes }: { bytes: number }) => options.onProgress!({ bytes, total }) } : {}),
    });
  } catch (error) {
    // A file error quotes the caller's path, which is the caller's text: redacted like every message.
    if (error instanceof FileError) {
      throw new FileError(source.redact(error.message), { code: error.code, path: source.redact(error.path), syscall: error.syscall });
    }
    throw error;
  }
}

export class DownloadPromise implements PromiseLike<Download> {
  readonly #source: DownloadSource;
  #opened: Promise<Download> | undefined;

  constructor(source: DownloadSource) {
    this.#source = source;
  }

  then<R1 = Download, R2 = never>(
    onfulfilled?: ((value: Download) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.#opened ??= this.#source.open().then((sent) => toDownload(sent, this.#source));
    return this.#opened.then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<Download | R> {
    return this.then(undefined, onrejected);
  }

  /**
   * Streams the file to `path` (Node, Bun, Deno) without holding it in memory: in Node over node:http, which keeps a
   * large download in far less memory than Node's fetch (unless the client was given a `fetch` of its own).
   */
  saveTo(path: string, options?: SaveToOptions): Promise<SavedFile> {
    if (this.#opened) return this.#opened.then((download) => download.saveTo(path, options));
    const source = this.#source;
    return save(source, path, options, async (transport) => {
      const sent = await source.open(transport, options);
      return { body: sent.stream ?? emptyStream(), total: lengthOf(sent.response) };
    });
  }
}
