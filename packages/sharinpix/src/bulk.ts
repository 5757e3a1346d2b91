/**
 * Bulk imports: many items at bounded concurrency, retried per item, resumable from a checkpoint, and never
 * imported twice.
 *
 * SharinPix has no idempotency key and no way to list imports, so a lost answer to `POST /imports`
 * (a reset after sending, a timeout, a 500/502/504) leaves the item *uncertain*: the import may exist. Such an
 * item is never resent blindly, in this run or a later one. It is resent only when the caller's
 * `wasImported` check says it does not exist; without a check it ends in `report.uncertain`. Failures that
 * prove the server did not act (429, 503, connection refused, a 4xx refusal, bad input) are safe: the item
 * is retried, or reported `failed` and sent again by the next run. Every request is preceded by a `sending`
 * record in the checkpoint, so a crash mid-request also leaves the item uncertain, not forgotten.
 */
import {
  ApiError,
  AuthenticationError,
  ImportkitError,
  InvalidResponseError,
  MAX_RETRY_DELAY_MS,
  RateLimitError,
  ValidationError,
  type Logger,
} from "@importkit/core";
import { certainlyNotActed, sleep, type Redactor } from "@importkit/core/internal";
import { CheckpointWriter, fileCheckpoint, type BulkCheckpoint, type CheckpointRecord } from "./checkpoint.js";
import { checkCreateParams, type CreateImportParams } from "./params.js";
import type { Import } from "./generated/schema.js";

export interface BulkOptions {
  /** Requests in flight at once (default 8, at most 256). */
  concurrency?: number;
  /** Called each time an item settles. */
  onProgress?: (progress: BulkProgress) => void;
  /**
   * A file path (Node, Bun, Deno) or a store: what was done is recorded there, and a later run with the same
   * items and the same checkpoint skips what is already imported.
   */
  checkpoint?: string | BulkCheckpoint;
  /**
   * An item's identity across runs. Default: a hash of the item without `headers` (they often carry a token
   * that changes between runs). Give one when the source has its own ids (a CSV row id, a Salesforce id).
   */
  key?: (item: CreateImportParams, index: number) => string | Promise<string>;
  /**
   * Also stores the key in the image's metadata, as `metadatas[<name>]`, so a `wasImported` check (or a
   * person) can find the image an uncertain item produced.
   */
  keyMetadata?: string;
  /**
   * Answers, for an item whose earlier request may or may not have created an import, whether it exists:
   * `true` (count it imported), `false` (send it again), `undefined` (do not know: report it uncertain).
   */
  wasImported?: (item: CreateImportParams, info: { key: string; index: number }) => Promise<boolean | undefined>;
  /** Extra attempts for an item after a failure that proves nothing was created (default 3). */
  itemRetries?: number;
  /** First wait before an item's extra attempt in ms, doubling each time (default 1 000). */
  retryDelay?: number;
  /** Stops taking new items; requests already sent finish and are recorded (the report says `aborted`). */
  signal?: AbortSignal;
  /** Per-request options passed to `imports.create`. */
  maxRetries?: number;
  timeout?: number;
  encoding?: BodyEncoding;
}

export type BodyEncoding = "form" | "json";

export interface BulkProgress {
  /** Items settled so far, in every outcome. */
  done: number;
  /** Items in the source, when it is an array. */
  total: number | undefined;
  imported: number;
  skipped: number;
  failed: number;
  uncertain: number;
  inFlight: number;
  elapsedMs: number;
}

export interface BulkSuccess {
  index: number;
  key: string;
  /** The new import; undefined when a `wasImported` check confirmed it or its answer was unreadable. */
  importId: string | undefined;
}

export interface BulkFailure {
  index: number;
  key: string | undefined;
  item: CreateImportParams;
  /** Why (secrets already redacted). */
  error: ImportkitError;
}

export interface BulkReport {
  /** Items read from the source. */
  total: number;
  /** Imports created (or confirmed) by this run. */
  imported: BulkSuccess[];
  /** Items the checkpoint already had as imported, and repeats of a key seen earlier in this run. */
  skipped: number;
  /** Not imported, and the server cannot have created them: running again sends them again. */
  failed: BulkFailure[];
  /** May or may not have been imported (the answer was lost): never resent without a `wasImported` check. */
  uncertain: BulkFailure[];
  /** The signal stopped the run before the source was exhausted. */
  aborted: boolean;
  /** An error that stopped the whole run (bad credentials, an unwritable checkpoint). */
  stoppedBy: ImportkitError | undefined;
  elapsedMs: number;
}

export interface BulkDependencies {
  create(params: CreateImportParams, options: { maxRetries?: number; timeout?: number; encoding?: BodyEncoding }): Promise<Import>;
  redactor: Redactor;
  logger: Required<Logger>;
}

type Outcome = "not-sent" | "refused" | "answered-unreadable" | "ambiguous";

/** What a failed create tells about the server's side. */
export function outcomeOf(error: unknown): Outcome {
  if (error instanceof ValidationError) return "refused";
  if (error instanceof InvalidResponseError) return "answered-unreadable";
  // Never reached the server, or a 429/503: the same rule core's retries follow.
  if (certainlyNotActed(error)) return "not-sent";
  if (error instanceof ApiError) {
    // A 4xx is the server refusing the request, except 408/409, which may come after it acted.
    if (error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 409) return "refused";
    return "ambiguous";
  }
  return "ambiguous";
}

export const DEFAULT_BULK_CONCURRENCY = 8;
const MAX_CONCURRENCY = 256;

export async function runBulk(
  deps: BulkDependencies,
  items: Iterable<CreateImportParams> | AsyncIterable<CreateImportParams>,
  options: BulkOptions = {},
): Promise<BulkReport> {
  const settings = checkBulkOptions(items, options);
  const started = Date.now();
  const report: BulkReport = { total: 0, imported: [], skipped: 0, failed: [], uncertain: [], aborted: false, stoppedBy: undefined, elapsedMs: 0 };
  const total = Array.isArray(items) ? items.length : undefined;
  const store = typeof options.checkpoint === "string" ? fileCheckpoint(options.checkpoint) : options.checkpoint;
  const previous = store ? await store.load() : new Map<string, CheckpointRecord>();
  const writer = store ? new CheckpointWriter(store) : undefined;
  const seen = new Set<string>();
  let inFlight = 0;
  let done = 0;
  let stopped = false;

  const stop = (error?: ImportkitError) => {
    if (error && !report.stoppedBy) {
      report.stoppedBy = error;
      deps.logger.error(`Bulk import stopped: ${error.message}`);
    }
    stopped = true;
  };
  const onAbort = () => {
    report.aborted = true;
    stop();
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort, { once: true });

  const checkpointFailure = (error: unknown) => {
    const failure = new ImportkitError(`Could not write the bulk checkpoint: ${deps.redactor.text(String((error as Error)?.message ?? error))}`);
    stop(failure);
    return failure;
  };
  /** The `sending` record: awaited, because a request must never leave before the checkpoint knows of it. */
  const recordIntent = async (key: string) => {
    if (!writer) return;
    try {
      await writer.write({ k: key, s: "sending" });
    } catch (error) {
      throw checkpointFailure(error);
    }
  };
  /**
   * An outcome: not awaited (flushed at the end). Losing it in a crash leaves `sending` as the item's last
   * record, which a later run treats as uncertain: safe, never a duplicate.
   */
  const record = (rec: CheckpointRecord) => {
    writer?.write(rec).catch(checkpointFailure);
  };

  const progress = () => {
    done++;
    if (!options.onProgress) return;
    try {
      options.onProgress({
        done,
        total,
        imported: report.imported.length,
        skipped: report.skipped,
        failed: report.failed.length,
        uncertain: report.uncertain.length,
        inFlight,
        elapsedMs: Date.now() - started,
      });
    } catch (error) {
      deps.logger.warn(`onProgress threw; ignored: ${String((error as Error)?.message ?? error)}`);
    }
  };

  const asError = (error: unknown): ImportkitError =>
    error instanceof ImportkitError ? error : new ImportkitError(deps.redactor.text(String((error as Error)?.message ?? error)));

  /** Asks the caller's check; a throwing check counts as "do not know". */
  const check = async (item: CreateImportParams, key: string, index: number): Promise<boolean | undefined> => {
    if (!options.wasImported) return undefined;
    try {
      return await options.wasImported(item, { key, index });
    } catch (error) {
      deps.logger.warn(`wasImported threw for item ${index}; left uncertain: ${String((error as Error)?.message ?? error)}`);
      return undefined;
    }
  };

  async function processItem(item: CreateImportParams, index: number): Promise<void> {
    let key: string | undefined;
    try {
      checkCreateParams(item);
      const keyed = settings.keyOf(item, index);
      key = typeof keyed === "string" ? keyed : await keyed;
      if (typeof key !== "string" || key === "") throw new ValidationError("the key function must return a non-empty string", "key");
    } catch (error) {
      report.failed.push({ index, key, item, error: asError(error) });
      return;
    }
    if (seen.has(key)) {
      report.skipped++;
      return;
    }
    seen.add(key);

    const before = previous.get(key)?.s;
    if (before === "imported") {
      report.skipped++;
      return;
    }
    if (before === "sending" || before === "uncertain") {
      const exists = await check(item, key, index);
      if (exists === true) {
        record({ k: key, s: "imported" });
        report.skipped++;
        return;
      }
      if (exists === undefined) {
        if (before === "sending") record({ k: key, s: "uncertain" });
        report.uncertain.push({ index, key, item, error: new ImportkitError("An earlier run sent this item and never learned whether SharinPix created it; not resent.") });
        return;
      }
    }

    const body = settings.stamp(item, key);
    for (let attempt = 0; ; attempt++) {
      await recordIntent(key);
      try {
        const created = await deps.create(body, settings.requestOptions);
        record({ k: key, s: "imported", id: created.id });
        report.imported.push({ index, key, importId: created.id });
        return;
      } catch (caught) {
        const error = asError(caught);
        const outcome = outcomeOf(error);
        if (outcome === "answered-unreadable") {
          // A 2xx came back: the import exists, only its id was lost.
          record({ k: key, s: "imported" });
          report.imported.push({ index, key, importId: undefined });
          return;
        }
        let retry = false;
        if (outcome === "not-sent") retry = true;
        else if (outcome === "ambiguous") {
          const exists = await check(item, key, index);
          if (exists === true) {
            record({ k: key, s: "imported" });
            report.imported.push({ index, key, importId: undefined });
            return;
          }
          if (exists === undefined) {
            record({ k: key, s: "uncertain" });
            report.uncertain.push({ index, key, item, error });
            return;
          }
          retry = true;
        }
        if (retry && attempt < settings.itemRetries && !stopped) {
          const wait = error instanceof RateLimitError && error.retryAfterMs !== undefined ? error.retryAfterMs : settings.retryDelay * 2 ** attempt;
          try {
            await sleep(Math.min(wait, MAX_RETRY_DELAY_MS), options.signal);
            continue;
          } catch {
            // Aborted while waiting: nothing is in flight, so the item is simply not done.
          }
        }
        record({ k: key, s: "failed" });
        report.failed.push({ index, key, item, error });
        if (error instanceof AuthenticationError) stop(error);
        return;
      }
    }
  }

  const iterator = Symbol.asyncIterator in items ? (items as AsyncIterable<CreateImportParams>)[Symbol.asyncIterator]() : (items as Iterable<CreateImportParams>)[Symbol.iterator]();
  let pulling: Promise<unknown> = Promise.resolve();
  let exhausted = false;
  /** Pulls one item; calls are chained so a hand-written async iterator never sees two `next()` at once. */
  const pull = (): Promise<{ item: CreateImportParams; index: number } | undefined> => {
    const next = pulling.then(async () => {
      if (exhausted || stopped) return undefined;
      const result = await iterator.next();
      if (result.done) {
        exhausted = true;
        return undefined;
      }
      return { item: result.value, index: report.total++ };
    });
    pulling = next.catch(() => {});
    return next;
  };

  let sourceError: { error: unknown } | undefined;
  const worker = async () => {
    for (;;) {
      let next: Awaited<ReturnType<typeof pull>>;
      try {
        next = await pull();
      } catch (error) {
        // The caller's source broke (e.g. a CSV read error): finish what is in flight, then rethrow it.
        sourceError ??= { error };
        stop();
        return;
      }
      if (!next) return;
      inFlight++;
      try {
        await processItem(next.item, next.index);
      } catch (error) {
        // Only a checkpoint that cannot take the `sending` record gets here: nothing was sent.
        report.failed.push({ index: next.index, key: undefined, item: next.item, error: asError(error) });
      } finally {
        inFlight--;
        progress();
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: settings.concurrency }, worker));
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    if (!exhausted) await (iterator as AsyncIterator<unknown>).return?.();
    try {
      await writer?.flush();
    } finally {
      await store?.close();
    }
  }
  if (sourceError) throw sourceError.error;
  // A signal that came after the last item was taken stopped nothing.
  report.aborted &&= !exhausted;
  report.elapsedMs = Date.now() - started;
  return report;
}

interface BulkSettings {
  concurrency: number;
  itemRetries: number;
  retryDelay: number;
  keyOf: (item: CreateImportParams, index: number) => string | Promise<string>;
  stamp: (item: CreateImportParams, key: string) => CreateImportParams;
  requestOptions: { maxRetries?: number; timeout?: number; encoding?: BodyEncoding };
}

function checkBulkOptions(items: unknown, options: BulkOptions): BulkSettings {
  if (items === null || typeof items !== "object" || !(Symbol.iterator in items || Symbol.asyncIterator in items)) {
    throw new ValidationError("must be an array, an iterable or an async iterable of import requests", "items");
  }
  const whole = (name: string, value: unknown, fallback: number, min: number, max: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      throw new ValidationError(`must be a whole number from ${min} to ${max}`, `options.${name}`);
    }
    return value;
  };
  const concurrency = whole("concurrency", options.concurrency, DEFAULT_BULK_CONCURRENCY, 1, MAX_CONCURRENCY);
  const itemRetries = whole("itemRetries", options.itemRetries, 3, 0, 100);
  const retryDelay = whole("retryDelay", options.retryDelay, 1_000, 0, MAX_RETRY_DELAY_MS);
  if (options.key !== undefined && typeof options.key !== "function") throw new ValidationError("must be a function", "options.key");
  if (options.wasImported !== undefined && typeof options.wasImported !== "function") throw new ValidationError("must be a function", "options.wasImported");
  if (options.keyMetadata !== undefined && (typeof options.keyMetadata !== "string" || !/^[^[\]]+$/.test(options.keyMetadata))) {
    throw new ValidationError("must be a metadata field name (no brackets)", "options.keyMetadata");
  }
  const keyMetadata = options.keyMetadata;
  return {
    concurrency,
    itemRetries,
    retryDelay,
    keyOf: options.key ?? defaultKey,
    stamp: keyMetadata
      ? (item, key) => ({ ...item, metadatas: { ...item.metadatas, [keyMetadata]: key } }) as CreateImportParams
      : (item) => item,
    requestOptions: {
      ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      ...(options.encoding !== undefined ? { encoding: options.encoding } : {}),
    },
  };
}

/**
 * A hash of the item's canonical JSON (sorted keys), `headers` left out. Two 53-bit cyrb53 hashes with
 * different seeds: synchronous and cheap (SHA-256 through WebCrypto is async and costs more than the rest of
 * an item's bookkeeping), and at 106 bits a collision among even millions of items is not a practical risk.
 */
export function defaultKey(item: CreateImportParams): string {
  // An object (every item that passed checkCreateParams): its JSON without `headers`, read in place.
  const text =
    item !== null && typeof item === "object" && !Array.isArray(item) && !((item as unknown) instanceof Date)
      ? canonicalJson(item, "headers")
      : canonicalJson((({ headers: _headers, ...identity }) => identity)(item as CreateImportParams & { headers?: unknown }));
  return `${cyrb53(text, 0x5ea1).toString(16).padStart(14, "0")}${cyrb53(text, 0x1f0a).toString(16).padStart(14, "0")}`;
}

/** cyrb53 (public domain, bryc): a fast 53-bit string hash. */
function cyrb53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * JSON with object keys sorted (by UTF-16 code units, as `sort()` compares) and undefined members left out.
 * Keys written to checkpoints depend on this exact text: any change to the output orphans existing checkpoints.
 */
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
