/**
 * Mock Service Worker handlers for twins: `setupServer(...twinHandlers(twin))` in Node, or `setupWorker` in a
 * browser. Each twin answers its API's real origin(s) and its own base URL; faults come out the way MSW models them
 * (a reset is `HttpResponse.error()`, a network error; a truncated body is a stream that errors midway).
 * `msw` is an optional peer dependency: install it to use this entry.
 */
import { http, HttpResponse, type HttpHandler } from "msw";
import { toResponse } from "./engine.js";
import type { Twin } from "./index.js";
import { engineOf } from "./registry.js";

/** One handler per twin, matching every URL the twin answers. */
export function twinHandlers(...twins: Twin[]): HttpHandler[] {
  return twins.map((twin) => {
    const engine = engineOf(twin);
    const origins = [escapeRegExp(engine.env.origin), ...engine.module.spec.servers.map((s) => s.origin.source.replace(/^\^|\$$/g, ""))];
    const addresses = new RegExp(`^(?:${origins.join("|")})(?:/.*)?$`, "i");
    return http.all(addresses, async ({ request }) => {
      const outcome = await engine.dispatch(request);
      if (outcome.kind === "reset") return HttpResponse.error();
      // Unreachable (the handler matches only the twin's addresses); left to other handlers if it ever happens.
      if (outcome.kind === "foreign") return undefined;
      return toResponse(outcome, engine.env.clock, request.signal, request.url, request.method);
    });
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
