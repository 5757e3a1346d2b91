/**
 * Where a batch run remembers what it did, so running it again never sends an item twice (batch.ts).
 *
 * The file format (version 2), JSON lines, append-only:
 *
 *   {"checkpoint":"<kind>","version":2,"c":"…"}                 the header (kind: e.g. "@importkit/sharinpix bulk import")
 *   {"k":"<item key>","s":"sending","c":"…"}                    one record per step of an item; its last is its state
 *   {"k":"<item key>","s":"imported","id":"…","c":"…"}
 *   {"closed":"2026-01-01T00:00:00.000Z","c":"…"}               a run that ended normally
 *   {"recovered":"killed","c":"…"}                              a run took over after one was killed
 *
 * **Damage is detected.** Each line carries `c`, a checksum of the line chained to the previous line's: a line
 * altered, removed, reordered or cut mid-way breaks the chain. A file must end with `closed` unless the run that
 * wrote it was killed, which its lock (left behind, its process gone) proves: a file that ends early otherwise was
 * cut (truncated, or copied mid-run) and the records after the cut, `sending` ones included, are lost. Either way
 * the run stops with a CheckpointDamagedError that says how to recover, and never re-imports on its own.
 *
 * What is left by a killed run is safe to read on: a record is written (and a `sending` one awaited) before its
 * request leaves, so a torn last line is a record whose request never left, or an outcome whose `sending` stands.
 */
import { ImportkitError, ValidationError } from "./errors.js";

/**
 * - `sending`: a request is about to leave (written, and awaited, before it does);
 * - `imported`: the answer proved it (`id`), or a check confirmed it;
 * - `failed`: the server cannot have done it (refused, or never reached): safe to send again;
 * - `uncertain`: it may or may not exist (the answer was lost or proved nothing): never resent without a check.
 */
export type CheckpointState = "sending" | "imported" | "failed" | "uncertain";

export interface CheckpointRecord {
  /** The item's key. */
  k: string;
  s: CheckpointState;
  /** The id the answer proved, for `imported` when known. */
  id?: string;
}

/**
 * A store for batch progress. The file one (`checkpoint: "path"`) suits Node, Bun and Deno, and locks the file for
 * the run; a store of your own must keep one run at a time itself.
 */
export interface CheckpointStore {
  /** Each key's last state. */
  load(): Promise<Map<string, CheckpointRecord>>;
  /** Appends records; resolves once the operating system has them (a process crash loses nothing). */
  append(records: readonly CheckpointRecord[]): Promise<void>;
  close(): Promise<void>;
  /**
   * Read after `load`: items without a record must be checked before they are sent, because records of this
   * checkpoint were lost (a damaged checkpoint was recovered).
   */
  readonly checkUnrecorded?: boolean;
}

/** Another run holds the checkpoint: nothing was sent. */
export class CheckpointLockedError extends ImportkitError {
  /** The checkpoint file. */
  readonly path: string;
  /** Who holds it, as its lock file says (undefined when the lock cannot be read). */
  readonly holder: { pid: number; host: string; since: string } | undefined;

  constructor(message: string, init: { path: string; holder?: { pid: number; host: string; since: string } | undefined }) {
    super(message);
    this.path = init.path;
    this.holder = init.holder;
  }
}

/** The checkpoint is damaged (altered or cut): the run stopped before sending anything. */
export class CheckpointDamagedError extends ImportkitError {
  readonly path: string;
  /** The first line that does not verify (1-based), or the line count of a file that ends early. */
  readonly line: number;
  readonly reason: "altered" | "unreadable" | "truncated";

  constructor(message: string, init: { path: string; line: number; reason: "altered" | "unreadable" | "truncated" }) {
    super(message);
    this.path = init.path;
    this.line = init.line;
    this.reason = init.reason;
  }
}

export const CHECKPOINT_VERSION = 2;

/**
 * One line of the file, `c` last, chained to `previous`. The line is the body's JSON with `,"c":"…"` put before its
 * closing brace: the same text as `JSON.stringify({ ...body, c })` (the checksum is hex), for one serialization
 * instead of two, on a path every item of a batch takes twice.
 */
export function checkpointLine(previous: string, body: Record<string, unknown>): { line: string; chain: string } {
  const json = JSON.stringify(body);
  const chain = lineChecksum(previous, json);
  if (Object.prototype.hasOwnProperty.call(body, "c")) return { line: `${JSON.stringify({ ...body, c: chain })}\n`, chain };
  return { line: json === "{}" ? `{"c":"${chain}"}\n` : `${json.slice(0, -1)},"c":"${chain}"}\n`, chain };
}

/** The header line of a new checkpoint of `kind` (the chain starts from it). */
export function checkpointHeader(kind: string, flags: { checkUnrecorded?: boolean } = {}): { line: string; chain: string } {
  return checkpointLine("", { checkpoint: kind, version: CHECKPOINT_VERSION, ...(flags.checkUnrecorded ? { checkUnrecorded: true } : {}) });
}

export interface ParsedCheckpoint {
  states: Map<string, CheckpointRecord>;
  /** Records of this file were lost once (a recovered damage): items without a record must be checked. */
  checkUnrecorded: boolean;
  /** The chain value the next line continues from. */
  chain: string;
  /** How it ends: `closed` by its run, `open` (no `closed` after the last run), `torn` (its last line cut). */
  end: "closed" | "open" | "torn";
  /** The first line that does not verify; undefined when every line does. Records after it are not read. */
  damage: { line: number; reason: "altered" | "unreadable" } | undefined;
  /** The verified records, in order (what a recovery keeps). */
  records: CheckpointRecord[];
  /** Lines in the file (non-empty). */
  lines: number;
}

/**
 * Reads a checkpoint's text. A file of another kind or version is a ValidationError (never appended to); damage is
 * reported in the result (the caller decides, knowing whether the last run was killed).
 */
export function parseCheckpoint(text: string, kind: string): ParsedCheckpoint {
  const parsed: ParsedCheckpoint = { states: new Map(), checkUnrecorded: false, chain: "", end: "open", damage: undefined, records: [], lines: 0 };
  if (text.trim() === "") return parsed;
  const lines = text.split("\n");
  const endsWithNewline = lines.at(-1) === "";
  if (endsWithNewline) lines.pop();
  parsed.lines = lines.filter((l) => l !== "").length;
  const header = readLine(lines[0] ?? "", "");
  const fields = header.value as { checkpoint?: unknown; version?: unknown; checkUnrecorded?: unknown } | undefined;
  if (fields?.checkpoint !== kind) {
    throw new ValidationError(`the file exists but is not a ${kind} checkpoint; refusing to append to it`, "checkpoint");
  }
  if (fields.version !== CHECKPOINT_VERSION) {
    throw new ValidationError(`the file is a ${kind} checkpoint of another version (${String(fields.version)}); start a new checkpoint file`, "checkpoint");
  }
  if (!header.verified) {
    parsed.damage = { line: 1, reason: "altered" };
    return parsed;
  }
  parsed.checkUnrecorded = fields.checkUnrecorded === true;
  parsed.chain = header.chain;
  for (let i = 1; i < lines.length; i++) {
    const text = lines[i]!;
    if (text === "") continue;
    const line = readLine(text, parsed.chain);
    if (!line.verified) {
      const next = lines.slice(i + 1).findIndex((l) => l !== "");
      if (next === -1 && !endsWithNewline) {
        parsed.end = "torn";
        break;
      }
      // A line torn by a killed run, which the run that took over acknowledged right after it.
      const after = next === -1 ? undefined : readLine(lines[i + 1 + next]!, parsed.chain);
      if (after?.verified && typeof (after.value as { recovered?: unknown }).recovered === "string") continue;
      parsed.damage = { line: i + 1, reason: line.value === undefined ? "unreadable" : "altered" };
      break;
    }
    parsed.chain = line.chain;
    const value = line.value as Partial<CheckpointRecord> & { closed?: unknown; recovered?: unknown };
    if (typeof value.k === "string" && typeof value.s === "string") {
      const record: CheckpointRecord = { k: value.k, s: value.s, ...(typeof value.id === "string" ? { id: value.id } : {}) };
      parsed.states.set(record.k, record);
      parsed.records.push(record);
      parsed.end = "open";
    } else if (value.closed !== undefined) {
      parsed.end = "closed";
    } else {
      if (value.recovered === "damaged") parsed.checkUnrecorded = true;
      parsed.end = "open";
    }
  }
  return parsed;
}

function readLine(text: string, previous: string): { value: unknown; verified: boolean; chain: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { value: undefined, verified: false, chain: previous };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { value: undefined, verified: false, chain: previous };
  const { c, ...body } = value as Record<string, unknown>;
  const chain = lineChecksum(previous, JSON.stringify(body));
  return { value: body, verified: c === chain, chain };
}

/** The checksum of a line's body chained to the previous line's checksum: the hash of `${previous}\n${body}`. */
function lineChecksum(previous: string, body: string): string {
  const hash = new Cyrb53Pair();
  hash.add(previous);
  hash.add("\n");
  hash.add(body);
  return hash.hex();
}

/**
 * A 106-bit hash of a value's canonical JSON (sorted keys, undefined members left out), `leaveOut` (a top-level
 * key) excluded. Two 53-bit cyrb53 hashes with different seeds: synchronous and cheap (SHA-256 through WebCrypto
 * is async and costs more than the rest of an item's bookkeeping), and at 106 bits a collision among even
 * millions of items is not a practical risk. Keys written to checkpoints depend on this exact text.
 */
export function stableHash(value: unknown, leaveOut?: string): string {
  return stableHashOfText(canonicalJson(value, leaveOut));
}

function stableHashOfText(text: string): string {
  const hash = new Cyrb53Pair();
  hash.add(text);
  return hash.hex();
}

/**
 * cyrb53 (public domain, bryc), a fast 53-bit string hash, twice with two seeds (0x5ea1, 0x1f0a), in one pass over
 * text given in parts (no concatenated copy to hash): `hex()` is the two hashes in hex, 14 digits each.
 */
class Cyrb53Pair {
  #a1 = 0xdeadbeef ^ 0x5ea1;
  #a2 = 0x41c6ce57 ^ 0x5ea1;
  #b1 = 0xdeadbeef ^ 0x1f0a;
  #b2 = 0x41c6ce57 ^ 0x1f0a;

  add(text: string): void {
    let a1 = this.#a1;
    let a2 = this.#a2;
    let b1 = this.#b1;
    let b2 = this.#b2;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      a1 = Math.imul(a1 ^ ch, 2654435761);
      a2 = Math.imul(a2 ^ ch, 1597334677);
      b1 = Math.imul(b1 ^ ch, 2654435761);
      b2 = Math.imul(b2 ^ ch, 1597334677);
    }
    this.#a1 = a1;
    this.#a2 = a2;
    this.#b1 = b1;
    this.#b2 = b2;
  }

  hex(): string {
    return `${finish(this.#a1, this.#a2).toString(16).padStart(14, "0")}${finish(this.#b1, this.#b2).toString(16).padStart(14, "0")}`;
  }
}

function finish(h1: number, h2: number): number {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** JSON with object keys sorted (by UTF-16 code units, as `sort()` compares) and undefined members left out. */
function canonicalJson(value: unknown, leaveOut?: string): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((member) => canonicalJson(member)).join(",")}]`;
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    let out = "{";
    let first = true;
    for (const key of keys) {
      if (key === leaveOut) continue;
      const member = record[key];
      if (member === undefined) continue;
      out += `${first ? "" : ","}${JSON.stringify(key)}:${canonicalJson(member)}`;
      first = false;
    }
    return `${out}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * Batches records into few writes: the records of one turn of the event loop (every answer that arrived in it)
 * go out together, and while a write is under way the next records gather, so thousands of items a second cost
 * a few hundred appends. Each caller learns when its own record is written.
 */
export class CheckpointWriter {
  readonly #store: CheckpointStore;
  #queue: Array<{ record: CheckpointRecord; resolve: () => void; reject: (error: unknown) => void }> = [];
  #flushing: Promise<void> | undefined;

  constructor(store: CheckpointStore) {
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
