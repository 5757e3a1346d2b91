/**
 * Bulk imports: core's checkpointed batch runner (core/src/batch.ts: concurrency, per-item retries with one
 * budget, checkpoints locked and checked, never importing twice) configured for SharinPix. What is SharinPix's
 * own lives here: the create call, the key stamped into the image's metadata, the default key, and what proves
 * an import (an answer that is a readable Import carrying an id).
 *
 * SharinPix has no idempotency key and no way to list imports, so a lost answer to `POST /imports` leaves the
 * item *uncertain*: it is resent only when the caller's `wasImported` check says it does not exist.
 */
import { ValidationError, type ImportkitError, type Logger } from "@importkit/core";
import type { Redactor } from "@importkit/core/internal";
import {
  runBatch,
  stableHash,
  type BatchFailure,
  type BatchOptions,
  type BatchProgress,
  type BatchReport,
  type BatchSuccess,
  type BatchTask,
} from "@importkit/core/batch";
import { BULK_CHECKPOINT_KIND, fileCheckpoint } from "./checkpoint.js";
import type { StartImportParams as CreateImportParams } from "./params.js";
import type { Import } from "./generated/schema.js";

export type BodyEncoding = "form" | "json";

export interface BulkOptions extends Omit<BatchOptions<CreateImportParams>, "key"> {
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
  /** Per-request timeout of each send (ms). Retries: `itemRetries`, one budget per item (the client's are off). */
  timeout?: number;
  encoding?: BodyEncoding;
}

export type BulkProgress = BatchProgress;
export type BulkSuccess = BatchSuccess;
export type BulkFailure = BatchFailure<CreateImportParams>;
export type BulkReport = BatchReport<CreateImportParams>;
export type { ImportkitError };

export interface BulkDependencies {
  create(params: CreateImportParams, options: { maxRetries?: number; timeout?: number; encoding?: BodyEncoding }): Promise<Import>;
  redactor: Redactor;
  logger: Required<Logger>;
}

export { outcomeOf, DEFAULT_BATCH_CONCURRENCY as DEFAULT_BULK_CONCURRENCY } from "@importkit/core/batch";

export async function runBulk(
  deps: BulkDependencies,
  items: Iterable<CreateImportParams> | AsyncIterable<CreateImportParams>,
  options: BulkOptions = {},
): Promise<BulkReport> {
  const { keyMetadata, timeout, encoding, checkpoint, ...batchOptions } = options ?? {};
  if (keyMetadata !== undefined && (typeof keyMetadata !== "string" || !/^[^[\]]+$/.test(keyMetadata))) {
    throw new ValidationError("must be a metadata field name (no brackets)", "options.keyMetadata");
  }
  // Each send once: the runner spends the item's one retry budget (itemRetries) and records every send.
  const sendOptions = { maxRetries: 0, ...(timeout !== undefined ? { timeout } : {}), ...(encoding !== undefined ? { encoding } : {}) };
  const task: BatchTask<CreateImportParams, Import> = {
    kind: BULK_CHECKPOINT_KIND,
    // No check of its own: each item is checked against the spec when it is sent (refused unsent: `failed`).
    key: defaultKey,
    ...(keyMetadata
      ? { prepare: (item: CreateImportParams, key: string) => ({ ...item, metadatas: { ...item.metadatas, [keyMetadata]: key } }) as CreateImportParams }
      : {}),
    send: (params) => deps.create(params, sendOptions),
    // Proof of an import: the answer is an Import (an object) carrying its id. Anything else proves nothing.
    proof: (answer) => {
      const id = answer !== null && typeof answer === "object" ? (answer as { id?: unknown }).id : undefined;
      return typeof id === "string" && id.trim() !== "" ? id : undefined;
    },
  };
  const store =
    typeof checkpoint === "string" ? fileCheckpoint(checkpoint, options.recoverCheckpoint ? { recover: true } : {}) : checkpoint;
  return runBatch(task, items, { ...batchOptions, ...(store ? { checkpoint: store } : {}) }, { redactor: deps.redactor, logger: deps.logger });
}

/**
 * A hash of the item's canonical JSON (sorted keys), `headers` left out (core's stableHash). Keys written to
 * checkpoints depend on this exact text: any change to it orphans existing checkpoints.
 */
export function defaultKey(item: CreateImportParams): string {
  return stableHash(item, "headers");
}
