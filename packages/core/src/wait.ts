import { ImportFailedError, WaitTimeoutError } from "./errors.js";
import type { Redactor } from "./redact.js";
import { abortErrorFrom, anySignal, sleep } from "./signals.js";

export type WaitState = "pending" | "succeeded" | "failed";

export interface WaitOptions<T = any> {
  /** Called after every poll with the latest resource. */
  onProgress?: (resource: T, info: { polls: number; elapsedMs: number }) => void;
  signal?: AbortSignal;
  /** Overall limit in ms across all polls (default 30 minutes). */
  timeout?: number;
  /** First wait between polls in ms (default 1 000); it grows by 1.5× up to `maxInterval`. */
  interval?: number;
  /** Longest wait between polls in ms (default 15 000). */
  maxInterval?: number;
}

export interface PollSpec<T> extends WaitOptions<T> {
  /** Fetches the resource; the signal aborts when the wait is cancelled or times out. */
  poll(signal: AbortSignal): Promise<T>;
  state(resource: T): WaitState;
  /** The error for a failed resource. */
  failure(resource: T): ImportFailedError;
  /** Names what is awaited in messages, e.g. `GitBook import run abc`. */
  label: string;
  /**
   * The client's redactor: a WaitTimeoutError keeps the last resource seen, and resources echo requests
   * back (SharinPix's `params` carry a URL import's credentials), so it keeps a redacted copy.
   */
  redactor?: Redactor;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 30 * 60_000;

/** Polls until the resource succeeds (returned), fails (ImportFailedError) or time runs out (WaitTimeoutError). */
export async function waitFor<T>(spec: PollSpec<T>): Promise<T> {
  const timeout = spec.timeout ?? DEFAULT_WAIT_TIMEOUT_MS;
  const maxInterval = spec.maxInterval ?? 15_000;
  let interval = spec.interval ?? 1_000;
  const started = Date.now();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeout);
  const signal = anySignal([spec.signal, deadline.signal])!;
  let last: T | undefined;
  let polls = 0;
  try {
    for (;;) {
      try {
        last = await spec.poll(signal);
      } catch (error) {
        throw spec.signal?.aborted ? abortErrorFrom(spec.signal) : deadline.signal.aborted ? timedOut() : error;
      }
      polls++;
      spec.onProgress?.(last, { polls, elapsedMs: Date.now() - started });
      const state = spec.state(last);
      if (state === "succeeded") return last;
      if (state === "failed") throw spec.failure(last);
      const remaining = timeout - (Date.now() - started);
      if (remaining <= 0) throw timedOut();
      try {
        await sleep(Math.min(interval, remaining), signal);
      } catch (error) {
        if (spec.signal?.aborted) throw abortErrorFrom(spec.signal);
        if (deadline.signal.aborted) throw timedOut();
        throw error;
      }
      interval = Math.min(interval * 1.5, maxInterval);
    }
  } finally {
    clearTimeout(timer);
  }

  function timedOut(): WaitTimeoutError {
    const message = `${spec.label} was still running after ${timeout} ms (${polls} polls); stopped waiting.`;
    return new WaitTimeoutError(spec.redactor ? spec.redactor.text(message) : message, {
      timeoutMs: timeout,
      lastSeen: spec.redactor ? spec.redactor.value(last) : last,
    });
  }
}

