/**
 * `importkit mock [provider…] [--stateful] [--port N]`: local servers until Ctrl-C (then exit 0: stopping a server
 * is how it ends). Each provider is one `ServerMode` started by `startServer`:
 * - `prism` (default): Prism from the curated spec, static examples, request validation (`@importkit/mock`);
 * - `twin` (`--stateful`): the provider's twin behind node:http (`@importkit/twin/server`), stateful, with the
 *   credentials it accepts printed;
 * - `proxy` (`--proxy <upstream>`): Prism's validation proxy (`startValidationProxy` of @importkit/mock) in front of
 *   the real API: traffic passes through untouched, and on Ctrl-C every request and answer that departed from the
 *   curated spec is reported, secrets redacted.
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
  /** The proxy: what departed from the spec so far (redacted). */
  report?: () => { exchanges: number; departures: unknown[] };
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
    case "proxy": {
      const { startValidationProxy } = await import("@importkit/mock");
      const proxy = await startValidationProxy({ provider, upstream: mode.upstream, port });
      return { provider, mode: "proxy", url: proxy.url, baseUrl: proxy.url, report: () => proxy.report(), close: () => proxy.close() };
    }
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
  if (mode.kind === "proxy" && chosen.length !== 1) throw new UsageError("--proxy checks one provider's traffic: name exactly one provider");
  if (mode.kind === "proxy" && !URL.canParse(mode.upstream)) throw new UsageError(`--proxy needs the API's URL, e.g. https://api.gitbook.com (got ${JSON.stringify(mode.upstream.slice(0, 80))})`);
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
      ...servers.flatMap((s) => [`${s.provider.padEnd(12)} ${s.baseUrl}   (${s.mode === "twin" ? "twin" : s.mode === "proxy" ? `validating proxy to ${mode.kind === "proxy" ? mode.upstream : ""}` : "Prism"})`, ...(s.mode === "twin" ? twinUsage(s) : [])]),
      mode.kind === "proxy"
        ? "point a client at it with --base-url <url> and your real credential; Ctrl-C stops it and reports what departed from the spec"
        : `use a server with --base-url <url>${mode.kind === "twin" ? " and its credential" : " (Prism accepts any credential)"}; Ctrl-C stops ${servers.length === 1 ? "it" : "them"}`,
    ];
    session.io.stdout.write(`${lines.join("\n")}\n`);
  }
  await new Promise<void>((resolve) => {
    if (session.signal.aborted) resolve();
    else session.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  // The proxy's report: what departed from the spec, already redacted by the proxy.
  for (const server of servers.filter((s) => s.report)) {
    const report = server.report!();
    if (session.json) session.io.stdout.write(`${JSON.stringify({ provider: server.provider, report }, null, 2)}\n`);
    else if (!session.quiet) {
      session.io.stdout.write(`${server.provider}: ${report.exchanges} exchange${report.exchanges === 1 ? "" : "s"} seen, ${report.departures.length} departing from the spec\n`);
      for (const departure of report.departures) session.io.stdout.write(`${JSON.stringify(departure)}\n`);
    }
  }
  await Promise.all(servers.map((s) => s.close()));
  return EXIT.ok;
}
