/**
 * Helpers for contract tests: real clients against the real Prism servers of the global setup.
 * A response carrying Prism's `sl-violations` header means the client sent what the spec forbids (or the spec
 * served what it forbids); `contractFetch` records each one so the test fails unless it expected it.
 */
import { afterEach, expect, inject } from "vitest";
import type { Provider } from "../packages/specs/src/index.ts";

export function mockUrl(provider: Provider): string {
  const url = inject("mockUrls")[provider];
  if (!url) throw new Error(`No mock server for ${provider}: is specs/${provider}/openapi.yaml missing?`);
  return url;
}

export interface Violation {
  url: string;
  status: number;
  violations: string;
}

export interface ContractFetch {
  fetch: typeof fetch;
  /** Violations seen so far (cleared after each test). */
  seen: Violation[];
  /** Marks the violations seen so far as expected and returns them. */
  takeViolations(): Violation[];
  /** Number of requests sent. */
  requests: number;
}

export interface ContractFetchOptions {
  /**
   * Walk multi-page example sets: a request's `page` (or another named) query value picks the Prism example
   * of the same name (the specs name each page's example after the cursor that leads to it).
   */
  exampleFromQuery?: string;
  /** A `Prefer` header for every request, e.g. `code=404`. */
  prefer?: string;
}

/** A fetch for clients under contract test. Fails the current test on any unexpected `sl-violations`. */
export function contractFetch(options: ContractFetchOptions = {}): ContractFetch {
  const state: ContractFetch = {
    seen: [],
    requests: 0,
    takeViolations() {
      const taken = state.seen.splice(0);
      return taken;
    },
    fetch: async (input, init) => {
      let request = new Request(input, init);
      const prefer: string[] = options.prefer ? [options.prefer] : [];
      if (options.exampleFromQuery) {
        const value = new URL(request.url).searchParams.get(options.exampleFromQuery);
        if (value) prefer.push(`example=${value}`);
      }
      if (prefer.length) {
        const headers = new Headers(request.headers);
        headers.set("Prefer", prefer.join(", "));
        request = new Request(request, { headers });
      }
      state.requests++;
      const response = await fetch(request);
      const violations = response.headers.get("sl-violations");
      if (violations) state.seen.push({ url: request.url, status: response.status, violations });
      return response;
    },
  };
  afterEach(() => {
    expect(state.seen, "unexpected sl-violations from the mock server").toEqual([]);
    state.seen.length = 0;
  });
  return state;
}
