import { AbortError } from "./errors.js";

/**
 * The longest delay a timer can be armed with: setTimeout takes a longer one (2^31 ms, about 24.8 days, or
 * `1e11` from a server's reset header) as 1 ms, so a wait meant to last for ages would fire at once, over and over.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * Calls `callback` once `ms` have passed, and returns what cancels it. Every timer of core goes through here, so
 * none is ever armed past MAX_TIMER_DELAY_MS: a longer delay (up to Infinity, which never fires) is waited out in
 * steps of at most that. NaN and negative delays are 0, as for setTimeout.
 */
export function startTimer(ms: number, callback: () => void): () => void {
  const deadline = Date.now() + (ms > 0 ? ms : 0);
  let timer: ReturnType<typeof setTimeout>;
  const arm = () => {
    const left = deadline - Date.now();
    if (left > MAX_TIMER_DELAY_MS) timer = setTimeout(arm, MAX_TIMER_DELAY_MS);
    else timer = setTimeout(callback, Math.max(0, left));
  };
  arm();
  return () => clearTimeout(timer);
}

/** Resolves after `ms`, or rejects with AbortError as soon as `signal` aborts (timer cleared, nothing left behind). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortErrorFrom(signal));
  if (!(ms > 0)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      cancel();
      reject(abortErrorFrom(signal!));
    };
    const cancel = startTimer(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
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
