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
 * answered, bytes read, lines logged), and (3) no WebCrypto operation is under way: what is already under way (an
 * answer in flight on loopback) completes in a bounded number of loop turns, however slow each turn is.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { vi } from "vitest";

const QUIET_TURNS = 20;

/**
 * WebCrypto work under way (SharinPix signs its JWT before its first request): real work off the event loop that no
 * request counter sees, and that can outlast QUIET_TURNS on a loaded machine. While any is in flight the clock
 * stands still, as it does for a request on its way.
 */
let cryptoInFlight = 0;
const SUBTLE_METHODS = ["sign", "verify", "importKey", "exportKey", "digest", "encrypt", "decrypt", "generateKey", "deriveBits", "deriveKey"] as const;

function countCryptoWork(): void {
  const subtle = globalThis.crypto.subtle as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of SUBTLE_METHODS) {
    if (Object.prototype.hasOwnProperty.call(subtle, name)) continue;
    const original = subtle[name]!;
    Object.defineProperty(subtle, name, {
      configurable: true,
      writable: true,
      value(this: unknown, ...args: unknown[]) {
        cryptoInFlight++;
        let result: Promise<unknown>;
        try {
          result = original.apply(this, args);
        } catch (error) {
          cryptoInFlight--;
          throw error;
        }
        return result.finally(() => cryptoInFlight--);
      },
    });
  }
}

function stopCountingCryptoWork(): void {
  const subtle = globalThis.crypto.subtle as unknown as Record<string, unknown>;
  for (const name of SUBTLE_METHODS) if (Object.prototype.hasOwnProperty.call(subtle, name)) delete subtle[name];
}

export function useFakeClock(): void {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  countCryptoWork();
}

export function restoreClock(): void {
  vi.useRealTimers();
  stopCountingCryptoWork();
}

/** What the client has done so far: `sent` fetch attempts started, `arrived` requests the server recorded, and more. */
export interface ClockProgress {
  sent: number;
  arrived: number;
  /** Fetch attempts that settled (answered or failed, e.g. refused: those never arrive). */
  settled?: number;
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
    // A request on its way (started, neither arrived nor settled): its timer must not fire before it arrives.
    const onItsWay = (now.sent > now.arrived && (now.settled === undefined || now.sent > now.settled)) || cryptoInFlight > 0;
    if (signature !== last || onItsWay) {
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

/**
 * Runs `body` on the fake clock against a fault server. Clients made inside it send through the global fetch,
 * wrapped to count attempts, so the clock never moves while one of their requests is on its way to `server`.
 * Requests made with node:http (saveTo's transport in Node) are counted too, through Node's diagnostics channels:
 * without that, a saveTo request still on its way on a loaded machine let the clock run its 150 ms timeout out, and
 * the server saw the request twice (the parity table of packages/importio/test/downloads.test.ts flaked so).
 * (A client given a `fetch` of its own that does not call the global one is not counted: give it a clock of its own
 * through driveClock.)
 */
export async function onFakeClock<T>(server: { readonly requests: readonly unknown[] }, body: () => Promise<T>): Promise<T> {
  const realFetch = globalThis.fetch;
  const counts = { sent: 0, settled: 0, chunks: 0 };
  // node:http requests: counted when started, settled once (an answer's headers, or an error, whichever comes first).
  const unsettled = new WeakSet<object>();
  const httpStarted = ({ request }: { request: object }) => {
    counts.sent++;
    unsettled.add(request);
  };
  const httpSettled = ({ request }: { request: object }) => {
    if (unsettled.delete(request)) counts.settled++;
  };
  const channels = [
    ["http.client.request.start", httpStarted],
    ["http.client.response.finish", httpSettled],
    ["http.client.request.error", httpSettled],
  ] as const;
  for (const [name, listener] of channels) subscribe(name, listener as (message: unknown) => void);
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    counts.sent++;
    let response: Response;
    try {
      response = await realFetch(input, init);
    } finally {
      counts.settled++;
    }
    if (!response.body) return response;
    // Body chunks count as progress too: reading an answer is an event under way, not a wait.
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          counts.chunks++;
          controller.enqueue(chunk);
        },
        flush() {
          counts.chunks++;
        },
      }),
    );
    return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
  }) as typeof fetch;
  useFakeClock();
  try {
    return await driveClock(body(), () => ({ sent: counts.sent, arrived: server.requests.length, settled: counts.settled, other: [counts.chunks] }));
  } finally {
    restoreClock();
    globalThis.fetch = realFetch;
    for (const [name, listener] of channels) unsubscribe(name, listener as (message: unknown) => void);
  }
}
