/**
 * A downloaded body, re-exposed with the call's time limit applied between chunks (an idle timeout, re-armed on
 * every chunk) and typed errors (TimeoutError, ConnectionError, AbortError); it pulls only on demand (backpressure).
 */
import { AbortError, ConnectionError, TimeoutError, type RequestSummary } from "./errors.js";
import type { Redactor } from "./redact.js";
import { describeConnectionFailure, errorCode, safeCause } from "./failures.js";

export interface GuardOptions {
  timeout: number;
  armTimer: () => void;
  clear: () => void;
  /** Releases the attempt's timer and signal listener once the stream ends, fails or is cancelled. */
  stop: () => void;
  isTimedOut: () => boolean;
  callerSignal: AbortSignal | undefined;
  summary: () => RequestSummary;
  redactor: Redactor;
}

export function guardStream(source: ReadableStream<Uint8Array>, g: GuardOptions): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const label = () => `${g.summary().method} ${g.summary().url}`;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        g.armTimer();
        try {
          const { done, value } = await reader.read();
          g.clear();
          if (done) {
            g.stop();
            controller.close();
          } else controller.enqueue(value);
        } catch (error) {
          g.stop();
          if (g.callerSignal?.aborted) controller.error(new AbortError(undefined, { request: g.summary() }));
          else if (g.isTimedOut())
            controller.error(new TimeoutError(`${label()}: no data for ${g.timeout} ms while reading the body.`, { request: g.summary(), timeoutMs: g.timeout }));
          else
            controller.error(
              new ConnectionError(`${label()} failed while reading the body: ${describeConnectionFailure(error, errorCode(error), g.redactor)}.`, {
                request: g.summary(),
                cause: safeCause(error, g.redactor),
              }),
            );
        }
      },
      async cancel(reason) {
        g.stop();
        await reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}
