/**
 * The twin's time. Tests never sleep: in `manual` mode time moves only by `advance(ms)`; in `poll` mode it is the
 * wall clock plus whatever `advance` added (so a test can still jump over a rate-limit window or a day).
 * `sleep` (used by slow-body faults) ends when the twin's time passes the deadline, whichever moved it.
 */
export type ClockMode = "poll" | "manual";

interface Sleeper {
  until: number;
  resolve(): void;
}

export class TwinClock {
  readonly mode: ClockMode;
  #start: number;
  #realStart: number;
  #offset = 0;
  #sleepers = new Set<Sleeper>();

  constructor(mode: ClockMode, start: number) {
    this.mode = mode;
    this.#start = start;
    this.#realStart = Date.now();
  }

  /** Milliseconds since the Unix epoch, on the twin's clock. */
  now(): number {
    return this.mode === "manual" ? this.#start + this.#offset : this.#start + (Date.now() - this.#realStart) + this.#offset;
  }

  /** How many sleeps are waiting (a test waits for a body to stall before it advances the clock). */
  get sleeping(): number {
    return this.#sleepers.size;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`twin.advance(ms) needs a finite number of milliseconds ≥ 0, got ${String(ms)}`);
    this.#offset += ms;
    this.#wake();
  }

  /**
   * Resolves once the twin's clock reaches now + ms. In `poll` mode a real timer also runs (time passes by itself
   * there); in `manual` mode only `advance` moves it. Rejects with the signal's reason when aborted.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const sleeper: Sleeper = {
        until: this.now() + ms,
        resolve: () => {
          this.#sleepers.delete(sleeper);
          if (timer !== undefined) clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#sleepers.delete(sleeper);
        if (timer !== undefined) clearTimeout(timer);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#sleepers.add(sleeper);
      if (this.mode === "poll") timer = setTimeout(() => sleeper.resolve(), ms);
    });
  }

  #wake(): void {
    const now = this.now();
    for (const sleeper of [...this.#sleepers]) if (sleeper.until <= now) sleeper.resolve();
  }
}
