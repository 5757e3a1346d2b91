/** The engine behind each twin, for the package's other entries (MSW handlers, the server); not public API. */
import type { Engine } from "./engine.js";

const engines = new WeakMap<object, Engine<any, any, any, any>>();

export function registerEngine(twin: object, engine: Engine<any, any, any, any>): void {
  engines.set(twin, engine);
}

export function engineOf(twin: object): Engine<any, any, any, any> {
  const engine = engines.get(twin);
  if (!engine) throw new TypeError("expected a twin made by createTwin() of @importkit/twin");
  return engine;
}
