import { createLogger } from "@stoplight/prism-core";
import { getHttpOperationsFromSpec } from "@stoplight/prism-http";
import { createServer } from "@stoplight/prism-http-server";
import { providers, specPath, type Provider } from "@importkit/specs";

export { providers, type Provider };
export {
  startValidationProxy,
  type ProxyExchange,
  type ProxyReport,
  type ProxyViolation,
  type ValidationProxy,
  type ValidationProxyOptions,
} from "./proxy.js";

export interface MockServerOptions {
  /** A provider whose curated spec to serve; or give `spec`. */
  provider?: Provider;
  /** Path or URL of any OpenAPI document (overrides `provider`). */
  spec?: string;
  /** 0 (the default) picks a free port, so parallel runs never collide. */
  port?: number;
  host?: string;
  /**
   * Answer 500 when the spec's own example violates its schema, instead of serving it.
   * On by default: a mock that serves invalid examples hides spec bugs.
   */
  errors?: boolean;
  /** Generate bodies from schemas instead of serving examples. */
  dynamic?: boolean;
}

export interface MockServer {
  readonly provider: Provider | undefined;
  /** Origin to use as a client's `baseUrl`. Prism serves the spec's paths at `/`, ignoring the servers' base path. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts one in-process Prism mock server with request validation and security checks on. */
export async function startMockServer(options: MockServerOptions): Promise<MockServer> {
  const document = options.spec ?? (options.provider ? specPath(options.provider) : undefined);
  if (!document) throw new TypeError("startMockServer needs a `provider` or a `spec`.");
  const operations = await getHttpOperationsFromSpec(document);
  const logger = createLogger("importkit-mock", { level: "silent" });
  const server = createServer(operations, {
    cors: true,
    components: { logger },
    config: {
      checkSecurity: true,
      validateRequest: true,
      validateResponse: true,
      errors: options.errors ?? true,
      upstreamProxy: undefined,
      isProxy: false,
      mock: { dynamic: options.dynamic ?? false },
    },
  });
  const address = await server.listen(options.port ?? 0, options.host ?? "127.0.0.1");
  let closed = false;
  return {
    provider: options.provider,
    url: address.replace(/\/$/, ""),
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
    },
  };
}

/** Starts one mock server per provider (all of them by default). */
export async function startMockServers(
  which: readonly Provider[] = providers,
  options: Omit<MockServerOptions, "provider" | "spec" | "port"> = {},
): Promise<{ servers: Record<Provider, MockServer>; close(): Promise<void> }> {
  const started = await Promise.all(which.map((provider) => startMockServer({ ...options, provider })));
  const servers = Object.fromEntries(started.map((s) => [s.provider, s])) as Record<Provider, MockServer>;
  return { servers, close: async () => void (await Promise.all(started.map((s) => s.close()))) };
}
