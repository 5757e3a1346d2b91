/**
 * `raw`: plain openapi-fetch over the same pipeline (raw-client.ts), for every operation of the spec with
 * openapi-fetch's own `{ data, error, response }` and its middleware (`raw.use()`, `raw.eject()`).
 *
 * openapi-fetch is loaded on the first raw call, not with the client: most programs never call `raw`, and loading it
 * up front cost every one of them (GitBook, measured): 7.9 KB of the 59 KB minified browser bundle (a bundler puts a
 * dynamic import in a chunk of its own, fetched only when used; `node scripts/size.mjs`), and a module parsed at
 * import in Node (`pnpm bench import-time`). The calls are async anyway; middleware registered before the load is
 * handed to the client when it is made, in order.
 */
import type { Client, Middleware } from "openapi-fetch";
import type { BodyEncoder, OperationSpec } from "./operation.js";
import type { Call, Sent } from "./pipeline.js";
import type { CallCheck, ValidationMode } from "./validate.js";

export const METHOD_NAMES = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"] as const;

export interface RawClientOptions {
  baseUrl: string;
  headers: Record<string, string>;
  table: Readonly<Record<string, OperationSpec>>;
  send: (call: Call) => Promise<Sent>;
  mode: ValidationMode;
  /** Throws the refusals, warns about the rest (the client's own rule, shared with the high-level calls). */
  onCheck: (check: CallCheck, operation: string) => void;
  /** The provider's own body encoders (by media type), which openapi-fetch's body serializer uses too. */
  encoders?: Readonly<Record<string, BodyEncoder>>;
}

type AnyClient = Client<{}, `${string}/${string}`>;
type Method = (typeof METHOD_NAMES)[number];

export function createRawClient<Paths extends {}>(options: RawClientOptions): Client<Paths, `${string}/${string}`> {
  let client: AnyClient | undefined;
  let loading: Promise<AnyClient> | undefined;
  /** Middleware registered before openapi-fetch was loaded, in order. */
  const pending: Middleware[] = [];
  const load = (): Promise<AnyClient> =>
    (loading ??= import("./raw-client.js").then(({ openapiFetchClient }) => {
      const made = openapiFetchClient(options) as AnyClient;
      if (pending.length) made.use(...pending.splice(0));
      client = made;
      return made;
    }));

  const facade: Record<string, unknown> = {
    use(...middleware: Middleware[]) {
      if (client) client.use(...middleware);
      else pending.push(...middleware);
    },
    eject(...middleware: Middleware[]) {
      if (client) return client.eject(...middleware);
      for (const one of middleware) {
        const index = pending.indexOf(one);
        if (index !== -1) pending.splice(index, 1);
      }
    },
    request: async (method: string, path: string, init?: unknown) =>
      ((await load()) as unknown as { request: (m: string, p: string, i?: unknown) => Promise<unknown> }).request(method, path, init),
  };
  for (const method of METHOD_NAMES) {
    facade[method] = async (path: string, init?: unknown) => ((await load()) as unknown as Record<Method, (p: string, i?: unknown) => Promise<unknown>>)[method](path, init);
  }
  return facade as unknown as Client<Paths, `${string}/${string}`>;
}
