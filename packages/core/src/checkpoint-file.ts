/**
 * The file checkpoint of a batch run (format and damage rules: checkpoint.ts), locked for the run.
 *
 * **One run at a time.** `<file>.lock` is created exclusively (`wx`) before the file is read and holds the run's
 * PID, host tag and start. A second run finds it and stops with a CheckpointLockedError before sending anything.
 * The lock is removed when the run ends (`close`). A killed run leaves it behind: the next run on the same host
 * (and PID namespace) sees that its PID runs no process and takes the lock over (through `<file>.lock.takeover`,
 * created exclusively, so two runs recovering at once cannot both win). A lock from another host, or whose PID
 * was reused, cannot be told from a live one: the error says to remove it by hand once no run is using the file.
 *
 * Why not a lock library (proper-lockfile): theirs is time-based (a timer refreshes the lock's mtime, a killed
 * run's lock blocks the next run for the stale period, and an event loop blocked longer than that lets two runs
 * share the file); a PID check is exact on one host, needs no timer, and runs in Node, Bun and Deno alike.
 *
 * Appends are synchronous writes: a batch of records (a few KiB) reaches the page cache in microseconds, where an
 * asynchronous write costs a hand-off to libuv's thread pool and back, tens of times the CPU of the write itself,
 * paid per batch, on a path every request waits for (bench/sharinpix-bulk.ts: ~75 µs of client CPU per item).
 */
import { closeSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { ValidationError } from "./errors.js";
import {
  CheckpointDamagedError,
  checkpointHeader,
  checkpointLine,
  CheckpointLockedError,
  parseCheckpoint,
  type CheckpointRecord,
  type CheckpointStore,
} from "./checkpoint.js";
import { asFileError } from "./file-error.js";
import { hostTag, processRuns, randomHex } from "./host.js";

export interface FileCheckpointOptions {
  /** What the file is a checkpoint of, written in its header, e.g. `@importkit/sharinpix bulk import`. */
  kind: string;
  /**
   * Go on from a damaged checkpoint instead of stopping: the damaged file is kept beside it
   * (`<file>.damaged-<time>`), a new one holds the records that verify, and every item without a record is then
   * checked before it is sent (the store's `checkUnrecorded`), in this run and every later one of this file.
   */
  recover?: boolean;
}

interface LockHolder {
  pid: number;
  host: string;
  since: string;
  token: string;
}

/** A lock takeover left by a run killed in the middle of one (it lasts milliseconds) is stale after this. */
const TAKEOVER_STALE_MS = 60_000;

export function openFileCheckpoint(path: string, options: FileCheckpointOptions): CheckpointStore {
  if (typeof path !== "string" || path.trim() === "") throw new ValidationError("a checkpoint file path is required", "checkpoint");
  const lockPath = `${path}.lock`;
  let fd: number | undefined;
  let chain = "";
  let lock: LockHolder | undefined;
  let checkUnrecorded = false;
  const encoder = new TextEncoder();
  const write = (text: string) => {
    if (fd === undefined) throw new Error("checkpoint.append() before load()");
    const bytes = encoder.encode(text);
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
  };
  const writeLine = (body: Record<string, unknown>) => {
    const next = checkpointLine(chain, body);
    write(next.line);
    chain = next.chain;
  };
  const release = () => {
    if (!lock) return;
    // Only our own lock: never one another run took over.
    if (readHolder(lockPath)?.token === lock.token) rmSync(lockPath, { force: true });
    lock = undefined;
  };

  return {
    get checkUnrecorded() {
      return checkUnrecorded;
    },
    async load() {
      const { holder, tookOver } = acquire(path, lockPath);
      lock = holder;
      try {
        let text = "";
        try {
          text = readFileSync(path, "utf8");
        } catch (error) {
          if ((error as { code?: string }).code !== "ENOENT") throw error;
        }
        if (text === "") {
          fd = openSync(path, "a");
          const header = checkpointHeader(options.kind);
          write(header.line);
          chain = header.chain;
          return new Map();
        }
        const parsed = parseCheckpoint(text, options.kind);
        const cut = parsed.end !== "closed" && !tookOver;
        if (parsed.damage || cut) {
          if (!options.recover) throw damaged(path, parsed.damage ?? { line: parsed.lines, reason: "truncated" });
          // Keep the damaged file, start a clean one from what verified; unknown items are checked from now on.
          renameSync(path, `${path}.damaged-${new Date().toISOString().replaceAll(":", "-")}`);
          const header = checkpointHeader(options.kind, { checkUnrecorded: true });
          chain = header.chain;
          let body = header.line;
          for (const record of parsed.records) {
            const next = checkpointLine(chain, { ...record });
            body += next.line;
            chain = next.chain;
          }
          writeFileSync(path, body, { flag: "wx" });
          fd = openSync(path, "a");
          checkUnrecorded = true;
          return parsed.states;
        }
        fd = openSync(path, "a");
        chain = parsed.chain;
        checkUnrecorded = parsed.checkUnrecorded;
        if (parsed.end !== "closed") {
          // The last run was killed (its lock says so): end its torn line, and say a run took over.
          if (parsed.end === "torn") write("\n");
          writeLine({ recovered: "killed" });
        }
        return parsed.states;
      } catch (error) {
        if (fd !== undefined) closeSync(fd);
        fd = undefined;
        release();
        throw asFileError(error, "use the checkpoint", path);
      }
    },
    async append(records: readonly CheckpointRecord[]) {
      let text = "";
      for (const record of records) {
        const next = checkpointLine(chain, { ...record });
        text += next.line;
        chain = next.chain;
      }
      write(text);
    },
    async close() {
      try {
        if (fd !== undefined) {
          writeLine({ closed: new Date().toISOString() });
          closeSync(fd);
        }
      } finally {
        fd = undefined;
        release();
      }
    },
  };
}

function damaged(path: string, damage: { line: number; reason: "altered" | "unreadable" | "truncated" }): CheckpointDamagedError {
  const what =
    damage.reason === "truncated"
      ? `it ends at line ${damage.line} without the record its run closes it with, and no killed run's lock explains it: the file was cut (truncated, or copied while a run was writing it), and the records after the cut are lost`
      : `line ${damage.line} ${damage.reason === "altered" ? "does not match its checksum (edited or corrupted)" : "is not a record (corrupted)"}`;
  return new CheckpointDamagedError(
    `The checkpoint ${path} is damaged: ${what}. Nothing was sent: items whose records were lost may have been imported, ` +
      "so sending them again could import them twice. To recover, restore the file from a copy; or run again with " +
      "recoverCheckpoint: true and a wasImported check (the damaged file is kept beside it, every item without a " +
      "record is checked before it is sent).",
    { path, line: damage.line, reason: damage.reason },
  );
}

function readHolder(lockPath: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(lockPath, "utf8")) as Partial<LockHolder>;
    if (typeof holder.pid === "number" && typeof holder.host === "string" && typeof holder.token === "string") return holder as LockHolder;
  } catch {
    // Missing, or being written this instant.
  }
  return undefined;
}

/** Takes the lock, or throws CheckpointLockedError. `tookOver`: the lock of a killed run was there. */
function acquire(path: string, lockPath: string): { holder: LockHolder; tookOver: boolean } {
  const mine: LockHolder = { pid: process.pid, host: hostTag(), since: new Date().toISOString(), token: randomHex(8) };
  const create = () => writeFileSync(lockPath, JSON.stringify(mine), { flag: "wx" });
  try {
    create();
    return { holder: mine, tookOver: false };
  } catch (error) {
    if ((error as { code?: string }).code !== "EEXIST") throw asFileError(error, "lock the checkpoint", path);
  }
  const holder = readHolder(lockPath);
  const stale = holder !== undefined && holder.host === mine.host && !processRuns(holder.pid);
  if (!stale) throw locked(path, lockPath, holder);
  const takeover = `${lockPath}.takeover`;
  try {
    writeFileSync(takeover, mine.token, { flag: "wx" });
  } catch (error) {
    if ((error as { code?: string }).code !== "EEXIST") throw asFileError(error, "lock the checkpoint", path);
    // A takeover left by a run killed during one: stale after a minute; otherwise another run is taking over now.
    const age = Date.now() - (statSafe(takeover) ?? Date.now());
    if (age < TAKEOVER_STALE_MS) throw locked(path, lockPath, holder);
    rmSync(takeover, { force: true });
    return acquire(path, lockPath);
  }
  try {
    // Still the same dead run's lock (not one a faster run has just taken): replace it with ours.
    if (readHolder(lockPath)?.token !== holder.token) throw locked(path, lockPath, readHolder(lockPath));
    rmSync(lockPath, { force: true });
    create();
    return { holder: mine, tookOver: true };
  } finally {
    rmSync(takeover, { force: true });
  }
}

function statSafe(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function locked(path: string, lockPath: string, holder: LockHolder | undefined): CheckpointLockedError {
  const who = holder
    ? `process ${holder.pid} ${holder.host === hostTag() ? "on this host" : `on another host (${holder.host})`}, since ${holder.since}`
    : "another run";
  return new CheckpointLockedError(
    `The checkpoint ${path} is in use by ${who}; nothing was sent. One checkpoint, one run at a time: wait for that run ` +
      `to end. If no run is using it (its process is gone and the lock was not taken over automatically: another ` +
      `host, or a reused PID), remove ${lockPath} and run again.`,
    { path, holder: holder ? { pid: holder.pid, host: holder.host, since: holder.since } : undefined },
  );
}
