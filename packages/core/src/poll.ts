/**
 * The one poller: polls a resource until its wait rule (operation.ts `WaitRule`, from the spec) says it succeeded
 * (returned) or failed (ImportFailedError / ExportFailedError), or until the overall `deadline` (WaitTimeoutError,
 * with the last resource seen). The per-attempt `timeout` of each poll is a different limit, as for any call.
 */
import { ExportFailedError, ImportFailedError, WaitTimeoutError, type WorkFailedError } from "./errors.js";
import { readPath, type WaitRule } from "./operation.js";
import type { RequestOptions } from "./options.js";
import type { Redactor } from "./redact.js";
import { abortErrorFrom, anySignal, sleep } from "./signals.js";

export const DEFAULT_WAIT_DEADLINE_MS = 30 * 60_000;
export const DEFAULT_POLL_INTERVAL_MS = 1_000;
export const DEFAULT_MAX_POLL_INTERVAL_MS = 15_000;

/** Options of every `waitFor`: those of a call (applied to each poll), progress, and the overall limits. */
export interface WaitForOptions<T> extends RequestOptions {
  /** Called after every poll with the latest resource. */
  onProgress?: ((resource: T, info: { polls: number; elapsedMs: number }) => void) | undefined;
  /** Overall limit in ms across all polls (default 30 minutes, or the API's own where it has one). */
  deadline?: number | undefined;
  /** First wait between polls in ms (default 1 000); it grows by 1.5× up to `maxInterval`. */
  interval?: number | undefined;
  /** Longest wait between polls in ms (default 15 000). */
  maxInterval?: number | undefined;
}

export type WaitState = "pending" | "succeeded" | "failed";

/** The part of a wait's options that applies to each request (for a `startAndWait`'s start). */
export function requestOptionsOf<T>(options: WaitForOptions<T> | undefined): RequestOptions | undefined {
  if (!options) return undefined;
  const { onProgress: _progress, deadline: _deadline, interval: _interval, maxInterval: _maxInterval, ...request } = options;
  return request;
}

export interface PollSpec<T> {
  /** Fetches the resource; `signal` aborts when the wait is cancelled or its deadline passes. */
  poll(signal: AbortSignal): Promise<T>;
  rule: WaitRule;
  /** Names what is awaited in messages, e.g. `GitBook import run abc`. */
  label: string;
  /** Explains a failed resource better than the rule's `reason` field (Document360's import log, Import.io's counts). */
  describeFailure?: ((resource: T) => string | undefined) | undefined;
  /** Resources echo requests back (SharinPix `params` carry a URL import's credentials): errors keep redacted copies. */
  redactor: Redactor;
  options: WaitForOptions<T>;
}

export function stateOf(rule: WaitRule, resource: unknown): WaitState {
  const value = readPath(resource, rule.field);
  if (rule.failed?.includes(value)) return "failed";
  if (rule.succeeded ? rule.succeeded.includes(value) : value !== null && value !== undefined) return "succeeded";
  return "pending";
}

export async function pollUntilDone<T>(spec: PollSpec<T>): Promise<T> {
  const { rule, redactor, options } = spec;
  const deadlineMs = options.deadline ?? rule.deadline ?? DEFAULT_WAIT_DEADLINE_MS;
  const maxInterval = options.maxInterval ?? DEFAULT_MAX_POLL_INTERVAL_MS;
  let interval = Math.min(options.interval ?? DEFAULT_POLL_INTERVAL_MS, maxInterval);
  const started = Date.now();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), deadlineMs);
  const signal = anySignal([options.signal, deadline.signal])!;
  let last: T | undefined;
  let polls = 0;
  try {
    for (;;) {
      try {
        last = await spec.poll(signal);
      } catch (error) {
        throw options.signal?.aborted ? abortErrorFrom(options.signal) : deadline.signal.aborted ? timedOut() : error;
      }
      polls++;
      options.onProgress?.(last, { polls, elapsedMs: Date.now() - started });
      const state = stateOf(rule, last);
      if (state === "succeeded") return last;
      if (state === "failed") throw failure(last);
      const remaining = deadlineMs - (Date.now() - started);
      if (remaining <= 0) throw timedOut();
      try {
        await sleep(Math.min(interval, remaining), signal);
      } catch (error) {
        if (options.signal?.aborted) throw abortErrorFrom(options.signal);
        if (deadline.signal.aborted) throw timedOut();
        throw error;
      }
      interval = Math.min(interval * 1.5, maxInterval);
    }
  } finally {
    clearTimeout(timer);
  }

  function failure(resource: T): WorkFailedError<T> {
    const status = String(readPath(resource, rule.field) ?? "unknown");
    const given = spec.describeFailure?.(resource) ?? readPath(resource, rule.reason ?? "\u0000");
    const reason = typeof given === "string" && given.trim() !== "" ? redactor.cut(given, 2000) : undefined;
    const message = redactor.cut(`${spec.label} ended ${status}${reason ? `: ${reason}` : "."}`, 2500);
    const ErrorClass = rule.kind === "export" ? ExportFailedError : ImportFailedError;
    return new ErrorClass<T>(message, { status, reason, resource: redactor.value(resource) });
  }

  function timedOut(): WaitTimeoutError<T> {
    const message = `${spec.label} was still running after ${deadlineMs} ms (${polls} polls); stopped waiting (deadline).`;
    return new WaitTimeoutError<T>(redactor.cut(message, 1000), { deadlineMs, lastSeen: last === undefined ? undefined : redactor.value(last) });
  }
}
