/**
 * The one checkpointed batch runner for every provider. Many items at bounded concurrency,
 * retried per item, resumable from a checkpoint, never imported twice and never lost. A provider configures it
 * with a BatchTask (how to send one item, what in the answer proves it was done); everything else lives here.
 *
 * **Never twice.** An item whose request may have been acted on without an answer proving it (a reset after
 * sending, a timeout, a 500/502/504, a 2xx that is not a readable result with an id, e.g. a proxy's `200
 * text/html` sign-in page) is *uncertain*: it may exist. It is never resent blindly, in this run or a later one:
 * only when the caller's `wasImported` check says it does not exist; without a check it ends in `report.uncertain`.
 * Failures that prove the server did not act (429, 503, connection refused, a 4xx refusal, bad input) are safe:
 * the item is retried, or reported `failed` and sent again by the next run. Every send is preceded by a `sending`
 * record in the checkpoint (awaited), so a crash mid-request leaves the item uncertain, not forgotten.
 *
 * **Recorded imported only on proof.** `imported` is written when the task's `proof` finds an id in the answer,
 * or when `wasImported` confirms it; a 2xx without one is not proof.
 *
 * **One retry budget per item.** An item is sent at most `1 + itemRetries` times in all, whatever the cause. The
 * task sends each time once, with the client's own retries off (`maxRetries: 0`): client retries × item retries
 * would multiply (3 × 4 = 12 sends), and only the runner writes a `sending` record before each send.
 *
 * **One run per checkpoint, damage detected**: see checkpoint.ts and checkpoint-file.ts.
 */
import { ApiError, AuthenticationError, ImportkitError, InvalidResponseError, RateLimitError, ValidationError } from "./errors.js";
import { CheckpointWriter, type CheckpointRecord, type CheckpointStore } from "./checkpoint.js";
import { loadFileHelpers } from "./files.js";
import type { Logger } from "./logger.js";
import type { Redactor } from "./redact.js";
import { certainlyNotActed, MAX_RETRY_DELAY_MS } from "./retry-policy.js";
import { sleep } from "./signals.js";

export {
  CheckpointDamagedError,
  CheckpointLockedError,
  CheckpointWriter,
  parseCheckpoint,
  stableHash,
  CHECKPOINT_VERSION,
  type CheckpointRecord,
  type CheckpointState,
  type CheckpointStore,
} from "./checkpoint.js";

/** What a provider supplies: how to send one item, and what proves it was done. */
export interface BatchTask<Item, Result> {
  /** What the checkpoint file is of, written in its header (e.g. `@importkit/sharinpix bulk import`). */
  kind: string;
  /** Refuses an item that could never succeed, before it is keyed or sent (throws a ValidationError). */
  check?(item: Item): void;
  /** An item's identity across runs, when the caller gives no `key`. */
  key(item: Item, index: number): string | Promise<string>;
  /** What is sent for the item, e.g. with its key stamped into it. */
  prepare?(item: Item, key: string): Item;
  /** Sends the item ONCE (the client's own retries off): the runner owns every retry. */
  send(item: Item): Promise<Result>;
  /** The id the answer proves the item was done with; undefined when it proves nothing (then: uncertain). */
  proof(result: Result): string | undefined;
}

export interface BatchOptions<Item> {
  /** Requests in flight at once (default 8, at most 256). */
  concurrency?: number;
  /** Called each time an item settles. */
  onProgress?: (progress: BatchProgress) => void;
  /**
   * A file path (Node, Bun, Deno) or a store: what was done is recorded there, and a later run with the same
   * items and the same checkpoint skips what is already imported. A file is locked for the run.
   */
  checkpoint?: string | CheckpointStore;
  /** An item's identity across runs (default: the task's). Give one when the source has its own ids. */
  key?: (item: Item, index: number) => string | Promise<string>;
  /**
   * Answers, for an item whose earlier request may or may not have done it, whether it exists: `true` (count it
   * imported), `false` (send it again), `undefined` (do not know: report it uncertain).
   */
  wasImported?: (item: Item, info: { key: string; index: number }) => Promise<boolean | undefined>;
  /** Extra sends of an item, in all, after failures that prove nothing was done (default 3). */
  itemRetries?: number;
  /** First wait before an item's extra send in ms, doubling each time (default 1 000, at most 60 000). */
  retryDelay?: number;
  /** Go on from a damaged checkpoint file (FileCheckpointOptions.recover); needs `wasImported`. */
  recoverCheckpoint?: boolean;
  /** Stops taking new items; requests already sent finish and are recorded (the report says `aborted`). */
  signal?: AbortSignal;
}

export interface BatchProgress {
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

export interface BatchSuccess {
  index: number;
  key: string;
  /** The id the answer proved; undefined when a `wasImported` check confirmed the item instead. */
  importId: string | undefined;
}

export interface BatchFailure<Item> {
  index: number;
  key: string | undefined;
  item: Item;
  /** Why (secrets already redacted). */
  error: ImportkitError;
}

export interface BatchReport<Item> {
  /** Items read from the source. */
  total: number;
  /** Items done (proved or confirmed) by this run. */
  imported: BatchSuccess[];
  /** Items the checkpoint already had as imported, and repeats of a key seen earlier in this run. */
  skipped: number;
  /** Not done, and the server cannot have done them: running again sends them again. */
  failed: Array<BatchFailure<Item>>;
  /** May or may not have been done: never resent without a `wasImported` check. */
  uncertain: Array<BatchFailure<Item>>;
  /** The signal stopped the run before the source was exhausted. */
  aborted: boolean;
  /** An error that stopped the whole run (bad credentials, a rate limit past the ceiling, an unwritable checkpoint). */
  stoppedBy: ImportkitError | undefined;
  elapsedMs: number;
}

export interface BatchDependencies {
  redactor: Redactor;
  logger: Required<Logger>;
}

type Outcome = "not-sent" | "refused" | "ambiguous";

/** What a failed send tells about the server's side. */
export function outcomeOf(error: unknown): Outcome {
  if (error instanceof ValidationError) return "refused";
  // A 2xx the client could not read: from the API (then it exists) or from something in between (then not).
  if (error instanceof InvalidResponseError) return "ambiguous";
  // Never reached the server, or a 429/503: the same rule core's retries follow.
  if (certainlyNotActed(error)) return "not-sent";
  if (error instanceof ApiError) {
    // A 4xx is the server refusing the request, except 408/409, which may come after it acted.
    if (error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 409) return "refused";
    return "ambiguous";
  }
  return "ambiguous";
}

export const DEFAULT_BATCH_CONCURRENCY = 8;
export const DEFAULT_ITEM_RETRIES = 3;
const MAX_CONCURRENCY = 256;

/**
 * Runs `task` over `items` (an array, iterable or async iterable) and reports what became of each. Bad options
 * are a ValidationError before anything is read; a checkpoint in use or damaged throws before anything is sent.
 */
export async function runBatch<Item, Result>(
  task: BatchTask<Item, Result>,
  items: Iterable<Item> | AsyncIterable<Item>,
  options: BatchOptions<Item>,
  deps: BatchDependencies,
): Promise<BatchReport<Item>> {
  const settings = checkBatchOptions(task, items, options);
  const started = Date.now();
  const report: BatchReport<Item> = { total: 0, imported: [], skipped: 0, failed: [], uncertain: [], aborted: false, stoppedBy: undefined, elapsedMs: 0 };
  const total = Array.isArray(items) ? items.length : undefined;
  const store =
    typeof options.checkpoint === "string"
      ? (await loadFileHelpers("a checkpoint file")).openFileCheckpoint(options.checkpoint, { kind: task.kind, recover: settings.recover })
      : options.checkpoint;
  // Locks a file checkpoint for this run; a damaged or locked one throws here, before anything is sent.
  const previous = store ? await store.load() : new Map<string, CheckpointRecord>();
  const checkUnrecorded = store?.checkUnrecorded === true;
  if (checkUnrecorded && !options.wasImported) {
    await store?.close();
    throw new ValidationError(
      "this checkpoint lost records once (it was recovered): every item without a record must be checked before it is sent; give wasImported",
      "options.wasImported",
    );
  }
  const writer = store ? new CheckpointWriter(store) : undefined;
  const seen = new Set<string>();
  let inFlight = 0;
  let done = 0;
  let stopped = false;

  const stop = (error?: ImportkitError) => {
    if (error && !report.stoppedBy) {
      report.stoppedBy = error;
      deps.logger.error(`Batch stopped: ${error.message}`);
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
    const failure =
      error instanceof ImportkitError ? error : new ImportkitError(`Could not write the checkpoint: ${deps.redactor.text(String((error as Error)?.message ?? error))}`);
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
      deps.logger.warn(`onProgress threw; ignored: ${deps.redactor.text(String((error as Error)?.message ?? error))}`);
    }
  };

  const asError = (error: unknown): ImportkitError =>
    error instanceof ImportkitError ? error : new ImportkitError(deps.redactor.text(String((error as Error)?.message ?? error)));

  /** Asks the caller's check; a throwing check counts as "do not know". */
  const check = async (item: Item, key: string, index: number): Promise<boolean | undefined> => {
    if (!options.wasImported) return undefined;
    try {
      return await options.wasImported(item, { key, index });
    } catch (error) {
      deps.logger.warn(`wasImported threw for item ${index}; left uncertain: ${deps.redactor.text(String((error as Error)?.message ?? error))}`);
      return undefined;
    }
  };

  const succeeded = (key: string, index: number, importId: string | undefined) => {
    record({ k: key, s: "imported", ...(importId !== undefined ? { id: importId } : {}) });
    report.imported.push({ index, key, importId });
  };

  async function processItem(item: Item, index: number): Promise<void> {
    let key: string | undefined;
    try {
      task.check?.(item);
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
    // Sent before without an answer that settled it, or never recorded in a checkpoint that lost records.
    if (before === "sending" || before === "uncertain" || (before === undefined && checkUnrecorded)) {
      const exists = await check(item, key, index);
      if (exists === true) {
        record({ k: key, s: "imported" });
        report.skipped++;
        return;
      }
      if (exists === undefined) {
        if (before === "sending") record({ k: key, s: "uncertain" });
        report.uncertain.push({ index, key, item, error: new ImportkitError("An earlier run may have sent this item and never learned whether it was done; not resent.") });
        return;
      }
    }

    const body = task.prepare ? task.prepare(item, key) : item;
    for (let attempt = 0; ; attempt++) {
      await recordIntent(key);
      let error: ImportkitError;
      try {
        const result = await task.send(body);
        const id = task.proof(result);
        if (id !== undefined) return succeeded(key, index, id);
        error = new InvalidResponseError("The answer is not a readable result with an id: it proves nothing was done, nor that nothing was.");
      } catch (caught) {
        error = asError(caught);
      }
      const outcome = outcomeOf(error);
      let retry = outcome === "not-sent";
      if (outcome === "ambiguous") {
        const exists = await check(item, key, index);
        if (exists === true) return succeeded(key, index, undefined);
        if (exists === undefined) {
          record({ k: key, s: "uncertain" });
          report.uncertain.push({ index, key, item, error });
          return;
        }
        retry = true;
      }
      // A rate limit whose wait is past the ceiling: no item would get through; stop taking new ones.
      const tooLong = error instanceof RateLimitError && (error.retryAfterMs ?? 0) > MAX_RETRY_DELAY_MS;
      if (retry && !tooLong && attempt < settings.itemRetries && !stopped) {
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
      if (error instanceof AuthenticationError || tooLong) stop(error);
      return;
    }
  }

  const iterator = Symbol.asyncIterator in items ? (items as AsyncIterable<Item>)[Symbol.asyncIterator]() : (items as Iterable<Item>)[Symbol.iterator]();
  let pulling: Promise<unknown> = Promise.resolve();
  let exhausted = false;
  /** Pulls one item; calls are chained so a hand-written async iterator never sees two `next()` at once. */
  const pull = (): Promise<{ item: Item; index: number } | undefined> => {
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

interface BatchSettings<Item> {
  concurrency: number;
  itemRetries: number;
  retryDelay: number;
  recover: boolean;
  keyOf: (item: Item, index: number) => string | Promise<string>;
}

/** Checks the runner's own options (a ValidationError naming the option); `task.key` is the default key. */
function checkBatchOptions<Item>(task: BatchTask<Item, unknown>, items: unknown, options: BatchOptions<Item>): BatchSettings<Item> {
  if (items === null || typeof items !== "object" || !(Symbol.iterator in items || Symbol.asyncIterator in items)) {
    throw new ValidationError("must be an array, an iterable or an async iterable of items", "items");
  }
  if ((options as { maxRetries?: unknown }).maxRetries !== undefined) {
    throw new ValidationError("a batch has one retry budget per item: use itemRetries (each send is made with the client's retries off)", "options.maxRetries");
  }
  const whole = (name: string, value: unknown, fallback: number, min: number, max: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      throw new ValidationError(`must be a whole number from ${min} to ${max}`, `options.${name}`);
    }
    return value;
  };
  if (options.key !== undefined && typeof options.key !== "function") throw new ValidationError("must be a function", "options.key");
  if (options.wasImported !== undefined && typeof options.wasImported !== "function") throw new ValidationError("must be a function", "options.wasImported");
  if (options.recoverCheckpoint !== undefined && typeof options.recoverCheckpoint !== "boolean") throw new ValidationError("must be true or false", "options.recoverCheckpoint");
  if (options.recoverCheckpoint && !options.wasImported) {
    throw new ValidationError("recovering a damaged checkpoint needs a wasImported check (items whose records were lost are checked before they are sent)", "options.wasImported");
  }
  return {
    concurrency: whole("concurrency", options.concurrency, DEFAULT_BATCH_CONCURRENCY, 1, MAX_CONCURRENCY),
    itemRetries: whole("itemRetries", options.itemRetries, DEFAULT_ITEM_RETRIES, 0, 100),
    retryDelay: whole("retryDelay", options.retryDelay, 1_000, 0, MAX_RETRY_DELAY_MS),
    recover: options.recoverCheckpoint === true,
    keyOf: options.key ?? ((item, index) => task.key(item, index)),
  };
}
