/**
 * Where a bulk import remembers what it did, so running it again never imports an item twice.
 *
 * The file is JSON lines, append-only: a header, then one record per step of an item, keyed by the item's
 * key. An item's last record is its state. A process killed mid-write leaves at most a torn last line,
 * which is ignored (that item's previous record, `sending`, stands).
 */
import { ValidationError } from "@importkit/core";

/**
 * - `sending`: a request is about to leave (written, and awaited, before it does);
 * - `imported`: the server answered with the import (`id`), or a check confirmed it;
 * - `failed`: the server cannot have created it (refused, or never reached): safe to send again;
 * - `uncertain`: it may or may not exist (the answer was lost): never resent without a check.
 */
export type CheckpointState = "sending" | "imported" | "failed" | "uncertain";

export interface CheckpointRecord {
  /** The item's key. */
  k: string;
  s: CheckpointState;
  /** The import id, for `imported` when known. */
  id?: string;
}

/** A store for bulk progress. The file one (`checkpoint: "path"`) suits Node, Bun and Deno. */
export interface BulkCheckpoint {
  /** Each key's last state. */
  load(): Promise<Map<string, CheckpointRecord>>;
  /** Appends records; resolves once the operating system has them (a process crash loses nothing). */
  append(records: readonly CheckpointRecord[]): Promise<void>;
  close(): Promise<void>;
}

const HEADER = { checkpoint: "@importkit/sharinpix bulk import", version: 1 };

/**
 * A checkpoint in a JSON-lines file; node:fs is loaded only when one is used, so browsers never see it.
 *
 * Appends are synchronous writes: a batch of records (a few KiB) reaches the page cache in microseconds, where an
 * asynchronous write costs a hand-off to libuv's thread pool and back, tens of times the CPU of the write itself,
 * paid per batch, on a path every request waits for (bench/sharinpix-bulk.ts: ~75 µs of client CPU per item).
 */
export function fileCheckpoint(path: string): BulkCheckpoint {
  if (typeof path !== "string" || path.trim() === "") throw new ValidationError("a checkpoint file path is required", "checkpoint");
  let file: { handle: import("node:fs/promises").FileHandle; writeSync: typeof import("node:fs").writeSync } | undefined;
  const encoder = new TextEncoder();
  const write = (text: string) => {
    if (!file) throw new Error("checkpoint.append() before load()");
    const bytes = encoder.encode(text);
    for (let offset = 0; offset < bytes.length; ) offset += file.writeSync(file.handle.fd, bytes, offset);
  };

  return {
    async load() {
      const fs = await import("node:fs");
      let text = "";
      try {
        text = await fs.promises.readFile(path, "utf8");
      } catch (error) {
        if ((error as { code?: string }).code !== "ENOENT") throw error;
      }
      const states = parseCheckpoint(text);
      file = { handle: await fs.promises.open(path, "a"), writeSync: fs.writeSync };
      if (text === "") write(`${JSON.stringify(HEADER)}\n`);
      // A torn last line must not swallow the next record.
      else if (!text.endsWith("\n")) write("\n");
      return states;
    },
    async append(records) {
      write(records.map((r) => `${JSON.stringify(r)}\n`).join(""));
    },
    async close() {
      await file?.handle.close();
      file = undefined;
    },
  };
}

export function parseCheckpoint(text: string): Map<string, CheckpointRecord> {
  const states = new Map<string, CheckpointRecord>();
  if (text.trim() === "") return states;
  const lines = text.split("\n");
  let header: unknown;
  try {
    header = JSON.parse(lines[0] ?? "");
  } catch {
    header = undefined;
  }
  if ((header as typeof HEADER | undefined)?.checkpoint !== HEADER.checkpoint) {
    throw new ValidationError("the file exists but is not an @importkit/sharinpix bulk checkpoint; refusing to append to it", "checkpoint");
  }
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    let record: CheckpointRecord;
    try {
      record = JSON.parse(line) as CheckpointRecord;
    } catch {
      continue; // torn by a crash mid-write
    }
    if (typeof record?.k === "string" && typeof record.s === "string") states.set(record.k, record);
  }
  return states;
}

/**
 * Batches records into few writes: the records of one turn of the event loop (every answer that arrived in it)
 * go out together, and while a write is under way the next records gather, so thousands of items a second cost
 * a few hundred appends. Each caller learns when its own record is written.
 */
export class CheckpointWriter {
  readonly #store: BulkCheckpoint;
  #queue: Array<{ record: CheckpointRecord; resolve: () => void; reject: (error: unknown) => void }> = [];
  #flushing: Promise<void> | undefined;

  constructor(store: BulkCheckpoint) {
    this.#store = store;
  }

  write(record: CheckpointRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ record, resolve, reject });
      this.#flushing ??= this.#drain();
    });
  }

  /** Waits for every record written so far. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  async #drain(): Promise<void> {
    // Let the records of this turn of the event loop join the first batch (a microtask would take only the
    // records of this tick: with a synchronous store, that is one write per record).
    await new Promise<void>((resolve) => (typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0)));
    try {
      while (this.#queue.length) {
        const batch = this.#queue.splice(0);
        try {
          await this.#store.append(batch.map((b) => b.record));
          for (const b of batch) b.resolve();
        } catch (error) {
          for (const b of batch) b.reject(error);
        }
      }
    } finally {
      this.#flushing = undefined;
    }
  }
}
