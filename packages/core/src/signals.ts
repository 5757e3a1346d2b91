import { AbortError } from "./errors.js";

/** Resolves after `ms`, or rejects with AbortError as soon as `signal` aborts (timer cleared, nothing left behind). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortErrorFrom(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortErrorFrom(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The AbortError to throw for an aborted signal: the caller's own reason when it is already ours. */
export function abortErrorFrom(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof AbortError) return reason;
  return new AbortError();
}

/** One signal that aborts when any of the given ones does (undefined entries are ignored). */
export function anySignal(signals: Array<AbortSignal | undefined | null>): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s != null);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}
