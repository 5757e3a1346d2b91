// The low-speed rule for downloads (issue 12 §4): below N bytes/s for T → TimeoutError, and no trickle fools it.
// Time is the subject, so the clock is fake: the sources below are paced by (fake) timers.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TimeoutError, ValidationError } from "../src/errors.ts";
import { DEFAULT_LOW_SPEED_LIMIT, DEFAULT_LOW_SPEED_TIME_MS, guardLowSpeed } from "../src/low-speed.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A source that gives `size` bytes every `everyMs` (a fake timer), `count` times, then ends. */
function paced(everyMs: number, size: number, count = Number.POSITIVE_INFINITY) {
  const state = { sent: 0, cancelled: undefined as unknown };
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (state.sent >= count) return controller.close();
        await new Promise((resolve) => setTimeout(resolve, everyMs));
        state.sent++;
        controller.enqueue(new Uint8Array(size));
      },
      cancel(reason) {
        state.cancelled = reason ?? true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

/** Reads the stream to its end in the background; `pauseMs` between reads stands for a slow consumer. */
function consume(stream: ReadableStream<Uint8Array>, pauseMs = 0) {
  const outcome = { bytes: 0, done: false, error: undefined as unknown };
  void (async () => {
    const reader = stream.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        outcome.bytes += value.byteLength;
        if (pauseMs) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
      outcome.done = true;
    } catch (error) {
      outcome.error = error;
    }
  })();
  return outcome;
}

describe("guardLowSpeed", () => {
  it("defaults: 1 KiB/s over 60 s", () => {
    expect(DEFAULT_LOW_SPEED_LIMIT).toBe(1024);
    expect(DEFAULT_LOW_SPEED_TIME_MS).toBe(60_000);
  });

  it("a trickle of one byte every 300 ms (which re-arms any idle timeout) fails after 60 s, and the source is cancelled", async () => {
    const { stream, state } = paced(300, 1);
    const request = { method: "GET", url: "https://files.example.com/export.zip?sig=[REDACTED]" };
    const outcome = consume(guardLowSpeed(stream, { request }));
    await vi.advanceTimersByTimeAsync(59_900);
    expect(outcome.error).toBeUndefined();
    expect(outcome.bytes).toBeGreaterThan(190);
    await vi.advanceTimersByTimeAsync(100);
    expect(outcome.error).toBeInstanceOf(TimeoutError);
    const error = outcome.error as TimeoutError;
    expect(error.timeoutMs).toBe(60_000);
    expect(error.request).toEqual(request);
    expect(error.message).toMatch(/^GET https:\/\/files\.example\.com\/export\.zip\?sig=\[REDACTED\]: the body arrived slower than 1024 bytes\/s for 60 s/);
    expect(state.cancelled).toBe(error);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a steady download above the limit runs for as long as it takes", async () => {
    const { stream } = paced(1_000, 8 * 1024, 600);
    const outcome = consume(guardLowSpeed(stream));
    await vi.advanceTimersByTimeAsync(600_000);
    expect(outcome.error).toBeUndefined();
    expect(outcome.done).toBe(true);
    expect(outcome.bytes).toBe(600 * 8 * 1024);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("judges each window: fast for a while, then a trickle, fails one window after it slowed down", async () => {
    let n = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          n++;
          await new Promise((resolve) => setTimeout(resolve, n <= 120 ? 1_000 : 300));
          controller.enqueue(new Uint8Array(n <= 120 ? 4096 : 1));
        },
      },
      { highWaterMark: 0 },
    );
    const outcome = consume(guardLowSpeed(stream));
    await vi.advanceTimersByTimeAsync(120_000 + 59_000);
    expect(outcome.error).toBeUndefined();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(outcome.error).toBeInstanceOf(TimeoutError);
  });

  it("a slow consumer is not the server's fault: only time waiting on the source counts", async () => {
    // The source answers at once; the reader takes 10 minutes over each chunk.
    let chunks = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (++chunks > 5) return controller.close();
          controller.enqueue(new Uint8Array(1));
        },
      },
      { highWaterMark: 0 },
    );
    const outcome = consume(guardLowSpeed(stream), 600_000);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(outcome.error).toBeUndefined();
    expect(outcome.done).toBe(true);
  });

  it("options: a lower limit and a shorter time; 0 turns the rule off", async () => {
    const slow = paced(100, 9); // 90 bytes/s
    const failing = consume(guardLowSpeed(slow.stream, { lowSpeedLimit: 100, lowSpeedTime: 5_000 }));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(failing.error).toBeInstanceOf(TimeoutError);
    expect((failing.error as TimeoutError).timeoutMs).toBe(5_000);

    const enough = paced(100, 11, 100); // 110 bytes/s for 10 s
    const passing = consume(guardLowSpeed(enough.stream, { lowSpeedLimit: 100, lowSpeedTime: 5_000 }));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(passing.error).toBeUndefined();
    expect(passing.done).toBe(true);

    const off = paced(300, 1, 3);
    expect(guardLowSpeed(off.stream, { lowSpeedLimit: 0 })).toBe(off.stream);
  });

  it("bad options are a ValidationError naming the option", () => {
    const { stream } = paced(1, 1, 1);
    for (const [options, path] of [
      [{ lowSpeedLimit: -1 }, "lowSpeedLimit"],
      [{ lowSpeedLimit: Number.NaN }, "lowSpeedLimit"],
      [{ lowSpeedLimit: "1k" }, "lowSpeedLimit"],
      [{ lowSpeedTime: 0 }, "lowSpeedTime"],
      [{ lowSpeedTime: Number.POSITIVE_INFINITY }, "lowSpeedTime"],
      [{ lowSpeedTime: 2 ** 31 }, "lowSpeedTime"],
    ] as const) {
      const error = (() => {
        try {
          guardLowSpeed(stream, options as never);
        } catch (e) {
          return e as ValidationError;
        }
      })();
      expect(error, JSON.stringify(options)).toBeInstanceOf(ValidationError);
      expect(error!.issues[0]!.path).toBe(path);
    }
  });

  it("cancelling the guarded stream cancels the source and leaves no timer", async () => {
    const { stream, state } = paced(300, 1);
    const guarded = guardLowSpeed(stream);
    const reader = guarded.getReader();
    const pending = reader.read();
    await vi.advanceTimersByTimeAsync(300);
    await pending;
    await reader.cancel("stop");
    expect(state.cancelled).toBe("stop");
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("an error of the source passes through as it is, and leaves no timer", async () => {
    const boom = new Error("reset");
    const stream = new ReadableStream<Uint8Array>({
      async pull() {
        await new Promise((resolve) => setTimeout(resolve, 10));
        throw boom;
      },
    });
    const outcome = consume(guardLowSpeed(stream));
    await vi.advanceTimersByTimeAsync(10);
    expect(outcome.error).toBe(boom);
    expect(vi.getTimerCount()).toBe(0);
  });
});
