/**
 * The low-speed rule for downloads, as curl's `--speed-limit` / `--speed-time`: a body that arrives slower than
 * `lowSpeedLimit` bytes per second for `lowSpeedTime` ms ends in a TimeoutError.
 *
 * Why it is needed beside the idle timeout: the idle timeout (stream-guard.ts) re-arms on every chunk, so a server
 * that trickles one byte every 300 ms never trips it and the download never ends. This rule judges the bytes received
 * over a whole window instead, so no trickle can hold a download open.
 *
 * Where it applies: pipeline.ts wraps the body of every streamed answer (downloads, `saveTo`, the providers'
 * `download()`) after the idle-timeout guard. Its TimeoutError is one `saveTo` downloads again from the start (a body
 * that failed midway).
 */
import { TimeoutError, ValidationError, type RequestSummary } from "./errors.js";
import { startTimer } from "./signals.js";

/**
 * 1 KiB/s. Far below any working link (a poor mobile connection moves tens of KB/s; at 1 KiB/s a 100 MB export
 * would take 28 hours), so no real download trips it; far above a trickle meant to hold a connection open (a
 * byte every 300 ms is 3.3 bytes/s).
 */
export const DEFAULT_LOW_SPEED_LIMIT = 1024;
/**
 * 60 s, the client's default per-attempt (idle) timeout: a download that trickles ends about as soon as one that
 * stalls. Long enough that a server pausing to generate the next part of an export is not cut off.
 */
export const DEFAULT_LOW_SPEED_TIME_MS = 60_000;

export interface LowSpeedOptions {
  /** Bytes per second below which the download is too slow (default DEFAULT_LOW_SPEED_LIMIT; 0 turns the rule off). */
  lowSpeedLimit?: number | undefined;
  /** How long, in ms, it may stay below that before it fails (default DEFAULT_LOW_SPEED_TIME_MS). */
  lowSpeedTime?: number | undefined;
  /** The request, already redacted: named in the TimeoutError. */
  request?: RequestSummary | undefined;
}

/** Checks the two options (a ValidationError naming the bad one), filling in the defaults. */
export function lowSpeedSettings(options: LowSpeedOptions = {}): { limit: number; timeMs: number } {
  const limit = options.lowSpeedLimit ?? DEFAULT_LOW_SPEED_LIMIT;
  const timeMs = options.lowSpeedTime ?? DEFAULT_LOW_SPEED_TIME_MS;
  if (typeof limit !== "number" || !Number.isFinite(limit) || limit < 0) {
    throw new ValidationError("must be a number of bytes per second, 0 or more (0 turns the low-speed rule off)", "lowSpeedLimit");
  }
  if (typeof timeMs !== "number" || !Number.isFinite(timeMs) || timeMs < 1 || timeMs > 2 ** 31 - 1) {
    throw new ValidationError("must be a number of milliseconds from 1 to 2147483647", "lowSpeedTime");
  }
  return { limit, timeMs };
}

/**
 * The same stream, failing with a TimeoutError (and cancelling `source`, which closes the connection) when fewer
 * than `lowSpeedLimit × lowSpeedTime / 1000` bytes arrive in a window of `lowSpeedTime` ms.
 *
 * Only time spent waiting on the source counts: a consumer that reads slowly (a slow disk, a paused reader) is
 * not the server's fault, and the stream pulls only on demand (backpressure). Windows follow each other: each
 * is judged when the waiting in it adds up to `lowSpeedTime`. Cancelling the returned stream cancels the source;
 * no timer outlives the stream.
 */
export function guardLowSpeed(source: ReadableStream<Uint8Array>, options: LowSpeedOptions = {}): ReadableStream<Uint8Array> {
  const { limit, timeMs } = lowSpeedSettings(options);
  if (limit === 0) return source;
  const needed = (limit * timeMs) / 1000;
  const reader = source.getReader();
  /** Time spent waiting on the source in the current window, and the bytes it gave. */
  let waited = 0;
  let bytes = 0;
  let cancelTimer: (() => void) | undefined;
  let failed = false;

  const tooSlow = () => {
    const request = options.request;
    const label = request ? `${request.method} ${request.url}` : "The download";
    return new TimeoutError(
      `${label}: the body arrived slower than ${limit} bytes/s for ${timeMs / 1000} s (${bytes} bytes in that time); ` +
        "giving up (lowSpeedLimit/lowSpeedTime).",
      { ...(request ? { request } : {}), timeoutMs: timeMs },
    );
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let since = Date.now();
        const fail = () => {
          failed = true;
          cancelTimer?.();
          const error = tooSlow();
          controller.error(error);
          void reader.cancel(error).catch(() => {});
        };
        // Fires when this read has taken the rest of the window: judge the window so far, then start the next.
        const arm = () => {
          cancelTimer = startTimer(timeMs - waited, () => {
            const now = Date.now();
            waited += now - since;
            since = now;
            if (bytes < needed) return fail();
            waited = 0;
            bytes = 0;
            arm();
          });
        };
        arm();
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          cancelTimer?.();
          if (!failed) controller.error(error);
          return;
        }
        cancelTimer?.();
        if (failed) return;
        waited += Date.now() - since;
        if (result.done) return controller.close();
        bytes += result.value.byteLength;
        if (waited >= timeMs) {
          if (bytes < needed) return fail();
          waited = 0;
          bytes = 0;
        }
        controller.enqueue(result.value);
      },
      async cancel(reason) {
        cancelTimer?.();
        await reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}
