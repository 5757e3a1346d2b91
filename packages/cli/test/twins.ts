/**
 * Twin servers for the CLI's tests: the CLI is a separate process, so it reaches a twin over loopback HTTP
 * (`--base-url`) with the credential in its environment, as it would reach the real API. Closed after each test.
 */
import { afterEach } from "vitest";
// The server entry from source (the vitest config aliases package entries, not their subpaths).
import { startTwin, type TwinServer, type TwinServerOptions } from "../../twin/src/server.ts";
import type { Provider } from "../../twin/src/index.ts";

const open = new Set<TwinServer>();
afterEach(async () => {
  await Promise.all([...open].map((server) => server.close()));
  open.clear();
});

export async function twinServer<P extends Provider>(options: TwinServerOptions<P>): Promise<TwinServer<P>> {
  const server = await startTwin(options);
  open.add(server as unknown as TwinServer);
  await server.twin.ready();
  return server;
}

/** The environment and flags that point the CLI at a twin server. */
export function target(server: TwinServer): { env: Record<string, string>; args: string[] } {
  const c = server.twin.credentials as Record<string, string>;
  const env: Record<string, string> = {
    gitbook: { GITBOOK_TOKEN: c.token! },
    importio: { IMPORTIO_API_KEY: c.apiKey! },
    document360: { DOCUMENT360_API_TOKEN: c.apiToken! },
    sharinpix: { SHARINPIX_SECRET_URL: c.secretUrl! },
  }[server.twin.provider] as Record<string, string>;
  return { env, args: ["--base-url", server.twin.baseUrl] };
}
