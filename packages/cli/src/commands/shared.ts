/**
 * What several commands share: per-call options (the Ctrl-C signal), wait settings, what to do after Ctrl-C during a
 * wait, saving a result file with a byte progress bar, reading whole lists, and plain tables.
 */
import { basename, extname } from "node:path";
import { once } from "node:events";
import type { DownloadPromise, RequestOptions, WaitForOptions } from "@importkit/core";
import { defaultPollInterval, type ConnectionOptions } from "../connect.js";
import { UsageError } from "../exit.js";
import { formatBytes } from "../progress.js";
import type { Session } from "../session.js";

/** Per-call options: Ctrl-C aborts the call. */
export function call(session: Session): RequestOptions {
  return { signal: session.signal };
}

export interface WaitFlags extends ConnectionOptions {
  deadline?: number;
  pollInterval?: number;
  cancelOnInterrupt?: boolean;
}

/** A waitFor's options from `--deadline` and `--poll-interval` (short polls on a twin). */
export function waitSettings<T>(session: Session, options: WaitFlags, onProgress: (resource: T) => void): WaitForOptions<T> {
  const interval = options.pollInterval ?? defaultPollInterval(options);
  return {
    signal: session.signal,
    onProgress,
    ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
    ...(interval !== undefined ? { interval, ...(options.mock ? { maxInterval: Math.max(interval, 200) } : {}) } : {}),
  };
}

/**
 * After Ctrl-C interrupted a wait: cancel the work (`--cancel-on-interrupt`, where the API can), or say how to follow
 * it later. The cancel is a fresh call (the interrupted signal would abort it), tried once, briefly.
 */
export async function afterInterrupt(session: Session, options: WaitFlags, what: string, follow: string, cancel?: (options: RequestOptions) => Promise<string>): Promise<void> {
  if (!session.signal.aborted) return;
  if (options.cancelOnInterrupt && cancel) {
    try {
      const outcome = await cancel({ timeout: 15_000, maxRetries: 1 });
      session.note(`${what}: ${outcome}`);
    } catch (error) {
      session.warn(`could not cancel ${what}: ${(error as Error).message}`);
    }
    return;
  }
  // An in-process twin (--mock) ends with this command: there is nothing left to follow.
  if (options.mock) return;
  session.note(`${what} is still running; follow it with: ${follow}`);
}

/** Result formats by file extension, for `--out` without `--format`. */
const FORMAT_BY_EXTENSION: Record<string, string> = {
  ".csv": "csv",
  ".xlsx": "xlsx",
  ".json": "json",
  ".ndjson": "json",
  ".jsonl": "json",
  ".zip": "files",
  ".log": "log",
  ".txt": "log",
};
const BINARY_FORMATS = new Set(["xlsx", "files"]);

/** The result format: `--format`, else the one `--out`'s extension names (when allowed), else `fallback`. */
export function resultFormat<F extends string>(format: F | undefined, out: string | undefined, allowed: readonly F[], fallback: F): F {
  if (format !== undefined) return format;
  const byExtension = out && out !== "-" ? (FORMAT_BY_EXTENSION[extname(out).toLowerCase()] as F | undefined) : undefined;
  return byExtension !== undefined && allowed.includes(byExtension) ? byExtension : fallback;
}

export interface SavedResult {
  /** The file written, or `-` for stdout. */
  path: string;
  bytes: number;
}

/**
 * Saves a result file to `out` (streamed, never held in memory, written under a temporary name then renamed), with
 * a byte progress bar; `-` streams it to stdout (refused for a binary format on a terminal).
 */
export async function saveResult(session: Session, download: DownloadPromise, out: string, format: string): Promise<SavedResult> {
  if (out === "-") {
    if (BINARY_FORMATS.has(format) && session.io.stdout.isTTY) throw new UsageError(`${format} is a binary file: give --out PATH, or redirect stdout`);
    const file = await download;
    let bytes = 0;
    const stdout = session.io.stdout;
    const reader = file.body.getReader();
    const stop = () => void reader.cancel(session.signal.reason).catch(() => {});
    session.signal.addEventListener("abort", stop, { once: true });
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (session.signal.aborted) throw session.signal.reason;
        bytes += value.byteLength;
        if (!stdout.write(value)) await once(stdout, "drain", { signal: session.signal });
      }
    } finally {
      session.signal.removeEventListener("abort", stop);
    }
    return { path: "-", bytes };
  }
  const view = await session.progress({ title: basename(out), unit: "bytes" });
  try {
    const saved = await download.saveTo(out, { signal: session.signal, onProgress: ({ bytes, total }) => view.update(bytes, total) });
    view.stop();
    return saved;
  } catch (error) {
    view.stop();
    throw error;
  }
}

/** `--out -` writes the file to stdout, where `--json` writes its result: one or the other. Checked before any work. */
export function checkOut(session: Session, out: string | undefined): void {
  if (out === "-" && session.json) throw new UsageError("--out - and --json both write to stdout: give --out a path, or leave out --json");
}

/** The result of a command that saved a file: on stdout, unless the file itself went there (then on stderr). */
export function savedResult(session: Session, value: unknown, saved: SavedResult): void {
  if (saved.path === "-") session.note(describeSaved(saved));
  else session.result(value, describeSaved(saved));
}

export function describeSaved(saved: SavedResult): string {
  return saved.path === "-" ? `${formatBytes(saved.bytes)} written to stdout` : `saved ${formatBytes(saved.bytes)} to ${saved.path}`;
}

/** Every item of a list (all pages), or the first `limit`. */
export async function collectAll<T>(items: AsyncIterable<T>, limit: number | undefined): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) {
    all.push(item);
    if (limit !== undefined && all.length >= limit) break;
  }
  return all;
}

/** Rows as aligned columns (the last column is not padded). */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** `2024-11-11 08:00` from an ISO date or epoch ms; empty when absent. */
export function when(value: string | number | undefined | null): string {
  if (value === undefined || value === null || value === "") return "";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().slice(0, 16).replace("T", " ");
}
