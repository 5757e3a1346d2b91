/**
 * `importkit mock [provider…] [--stateful] [--port N]`: local servers until Ctrl-C (then exit 0: stopping a server
 * is how it ends). Each provider is one `ServerMode` started by `startServer`:
 * - `prism` (default): Prism from the curated spec, static examples, request validation (`@importkit/mock`);
 * - `twin` (`--stateful`): the provider's twin behind node:http (`@importkit/twin/server`), stateful, with the
 *   credentials it accepts printed;
 * - `proxy` (`--proxy <upstream>`): validating real traffic on its way to the API. It arrives with
 *   `startValidationProxy` in @importkit/mock (issue 13): add its branch to `startServer` and drop the refusal below.
 */
import { CREDENTIALS, PROVIDERS, type Provider } from "../providers.js";
import { EXIT, UsageError } from "../exit.js";
import type { RunContext } from "../runner.js";


type ServerMode = { kind: "prism" } | { kind: "twin" } | { kind: "proxy"; upstream: string };

interface RunningServer {
  provider: Provider;
  mode: ServerMode["kind"];
  /** The server's origin. */
  url: string;
  /** What to give a client as its base URL (`--base-url`). */
  baseUrl: string;
  /** Twins: the credentials they accept, and the ids they hold. */
  credentials?: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

async function startServer(provider: Provider, mode: ServerMode, port: number): Promise<RunningServer> {
  switch (mode.kind) {
    case "prism": {
      const { startMockServer } = await import("@importkit/mock");
      const server = await startMockServer({ provider, port });
      // Prism serves the spec's paths at `/`, without the servers' base path.
      return { provider, mode: "prism", url: server.url, baseUrl: server.url, close: () => server.close() };
    }
    case "twin": {
      const { startTwin } = await import("@importkit/twin/server");
      const server = await startTwin({ provider, port });
      return { provider, mode: "twin", url: server.url, baseUrl: server.twin.baseUrl, credentials: { ...server.twin.credentials } as Record<string, string>, close: () => server.close() };
    }
    case "proxy":
      throw new UsageError("--proxy is not available yet: it comes with @importkit/mock's validation proxy");
  }
}

/** The lines a person needs to point a command at a twin: its credential variable and ids. */
function twinUsage(server: RunningServer): string[] {
  const c = server.credentials ?? {};
  const env = CREDENTIALS[server.provider].env;
  const value = { gitbook: c.token, importio: c.apiKey, document360: c.apiToken, sharinpix: c.secretUrl }[server.provider];
  const ids = { gitbook: `org ${c.organizationId}, space ${c.spaceId}`, importio: "", document360: `import-by ${c.userId}`, sharinpix: `album ${c.albumId}` }[server.provider];
  return [`    export ${env}='${value}'`, ...(ids ? [`    # ${ids}`] : [])];
}

export async function serveMocks({ args, options, session }: RunContext): Promise<number> {
  const chosen = (args[0] as Provider[] | undefined)?.length ? (args[0] as Provider[]) : PROVIDERS;
  const mode: ServerMode = options.proxy !== undefined ? { kind: "proxy", upstream: options.proxy } : options.stateful ? { kind: "twin" } : { kind: "prism" };
  if (mode.kind === "proxy" && options.stateful) throw new UsageError("--proxy and --stateful cannot go together");
  const servers: RunningServer[] = [];
  try {
    for (const [index, provider] of chosen.entries()) {
      const port = options.port ? options.port + index : 0;
      servers.push(await startServer(provider, mode, port));
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.close()));
    throw error;
  }
  // Written as they are, not through the session's redactor: the twins' credentials are made up, and printed so
  // that a command (or a test) can use them.
  const listing = { servers: servers.map(({ close: _close, ...server }) => server) };
  if (session.json) session.io.stdout.write(`${JSON.stringify(listing, null, 2)}\n`);
  else if (!session.quiet) {
    const lines = [
      ...servers.flatMap((s) => [`${s.provider.padEnd(12)} ${s.baseUrl}   (${s.mode === "twin" ? "twin" : "Prism"})`, ...(s.mode === "twin" ? twinUsage(s) : [])]),
      `use a server with --base-url <url>${mode.kind === "twin" ? " and its credential" : " (Prism accepts any credential)"}; Ctrl-C stops ${servers.length === 1 ? "it" : "them"}`,
    ];
    session.io.stdout.write(`${lines.join("\n")}\n`);
  }
  await new Promise<void>((resolve) => {
    if (session.signal.aborted) resolve();
    else session.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await Promise.all(servers.map((s) => s.close()));
  return EXIT.ok;
}
