/**
 * Ctrl-C, once: the command's signal aborts, so waits, downloads and bulk imports stop where they are and clean up
 * (a bulk import finishes the requests already sent and flushes its checkpoint; `--cancel-on-interrupt` cancels a
 * started import). Twice: exit at once (130), for the impatient. SIGTERM counts as Ctrl-C.
 */
import { setMaxListeners } from "node:events";
import { InterruptedError } from "./exit.js";

export interface InterruptTrap {
  readonly signal: AbortSignal;
  dispose(): void;
}

export function trapInterrupts(onFirst: (signal: NodeJS.Signals) => void): InterruptTrap {
  const controller = new AbortController();
  // One signal for every call of the command, many at once in a bulk import: not a leak, so no warning.
  setMaxListeners(0, controller.signal);
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new InterruptedError(`interrupted (${signal})`));
    onFirst(signal);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}
