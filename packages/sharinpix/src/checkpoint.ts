/**
 * SharinPix bulk checkpoints: core's checkpointed batch runner (@importkit/core/batch) with SharinPix's kind in the
 * file header. Format, damage detection and the one-run-at-a-time lock: core/src/checkpoint.ts and
 * checkpoint-file.ts.
 */
import { ValidationError } from "@importkit/core";
import type { CheckpointRecord, CheckpointState, CheckpointStore } from "@importkit/core/batch";
import { loadFileHelpers } from "@importkit/core/internal";

export type { CheckpointRecord, CheckpointState };
/** A store for bulk progress (core's CheckpointStore). */
export type BulkCheckpoint = CheckpointStore;

/** What a SharinPix bulk checkpoint file says it is, in its header. */
export const BULK_CHECKPOINT_KIND = "@importkit/sharinpix bulk import";

/**
 * A checkpoint in a JSON-lines file, locked while a run uses it; node:fs is loaded only when one is used, so
 * browsers never see it. `bulk(items, { checkpoint: "path" })` makes one itself.
 */
export function fileCheckpoint(path: string, options: { recover?: boolean } = {}): BulkCheckpoint {
  if (typeof path !== "string" || path.trim() === "") throw new ValidationError("a checkpoint file path is required", "checkpoint");
  let store: CheckpointStore | undefined;
  const opened = async () => (store ??= (await loadFileHelpers("a checkpoint file")).openFileCheckpoint(path, { kind: BULK_CHECKPOINT_KIND, ...options }));
  return {
    get checkUnrecorded() {
      return store?.checkUnrecorded === true;
    },
    load: async () => (await opened()).load(),
    append: async (records) => (await opened()).append(records),
    close: async () => store?.close(),
  };
}
