/**
 * Fake time over real sockets, for the cases whose subject is time (per-attempt timeouts, stalls, waitFor's
 * deadline): `setTimeout`, `clearTimeout` and `Date` are faked while the loopback I/O and `setImmediate` stay real.
 * A 100 ms timeout raced against a loopback round trip fails on a loaded machine, where the event loop can stall for
 * longer than that: the timer then fires before the request even reaches the server. Here time moves only when
 * nothing else can happen, so the order of events is the same on an idle laptop and on a loaded CI machine.
 *
 *   useFakeClock();                                // in the test (not in a concurrent block: timers are per worker)
 *   const error = await driveClock(call(), () => [trace.attempts, server.requests.length, ...]);
 *
 * `driveClock` advances to the next timer only when (1) every request the client started has reached the server,
 * and (2) the event loop has turned QUIET_TURNS times without any change in `progress` (requests sent, received,
 * answered, bytes read, lines logged): what is already under way (an answer in flight on loopback) completes in a
 * bounded number of loop turns, however slow each turn is.
 */
import { vi } from "vitest";

const QUIET_TURNS = 10;

export function useFakeClock(): void {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
}

export function restoreClock(): void {
  vi.useRealTimers();
}

/** What the client has done so far: `sent` fetch attempts started, `arrived` requests the server recorded, and more. */
export interface ClockProgress {
  sent: number;
  arrived: number;
  /** Anything else that moves while events are still under way: responses, bytes read, log lines. */
  other: number[];
}

/** Runs fake time forward, event by event, until `pending` settles; resolves with what it settled with. */
export async function driveClock<T>(pending: Promise<T>, progress: () => ClockProgress): Promise<T> {
  let settled = false;
  const watched = pending.finally(() => (settled = true));
  watched.catch(() => {});
  let last = "";
  let quiet = 0;
  while (!settled) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const now = progress();
    const signature = JSON.stringify(now);
    if (signature !== last || now.sent > now.arrived) {
      last = signature;
      quiet = 0;
      continue;
    }
    if (++quiet < QUIET_TURNS) continue;
    quiet = 0;
    if (vi.getTimerCount() > 0) await vi.advanceTimersToNextTimerAsync();
  }
  return watched;
}
