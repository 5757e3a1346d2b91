/**
 * Exit codes, and which error ends in which. Documented in the README ("Exit codes"); one test per code.
 *
 * This module is loaded only when a command fails or finishes: it names core's error classes, and `--help` must
 * not pay for loading core.
 */
import { AbortError, ImportkitError, ValidationError, WaitTimeoutError, WorkFailedError } from "@importkit/core";

export const EXIT = {
  /** Done. */
  ok: 0,
  /** The API or the network failed (an error status after retries, a connection that could not be made, …). */
  failure: 1,
  /** The command line was wrong: an unknown command or option, a bad value, input the spec refuses before sending. */
  usage: 2,
  /** The import (or export) itself failed, was cancelled, or did not finish before `--deadline`; a bulk import left items failed or uncertain. */
  importFailed: 3,
  /** Ctrl-C (SIGINT) or SIGTERM stopped the command. */
  interrupted: 130,
} as const;

/** A mistake in the command line found by the CLI itself (a missing credential, a file that cannot be read as input). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The work this command waited for did not succeed, said in the CLI's own words (e.g. a bulk import with failures). */
export class WorkNotDoneError extends Error {
  override readonly name = "WorkNotDoneError";
}

/** The command was interrupted (SIGINT/SIGTERM) and stopped cleanly. */
export class InterruptedError extends Error {
  override readonly name = "InterruptedError";
  constructor(message = "interrupted") {
    super(message);
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof InterruptedError || error instanceof AbortError) return EXIT.interrupted;
  if (error instanceof UsageError || error instanceof ValidationError) return EXIT.usage;
  if (error instanceof WorkNotDoneError || error instanceof WorkFailedError || error instanceof WaitTimeoutError) return EXIT.importFailed;
  return EXIT.failure;
}

/** What `--json` prints for a failure: the error's own (already redacted) fields, and the exit code. */
export function errorJson(error: unknown, exitCode: number): Record<string, unknown> {
  if (error instanceof ImportkitError) return { error: error.toJSON(), exitCode };
  const e = error as Error | undefined;
  return { error: { name: e?.name ?? "Error", message: String(e?.message ?? error) }, exitCode };
}
