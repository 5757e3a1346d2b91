/**
 * A client for the command: the provider's own client (the CLI has no HTTP path of its own), with the credential
 * from the environment or a file, or — with `--mock` — an in-process twin of the provider (`@importkit/twin`,
 * `fetch: twin.fetch`, the twin's credentials), so every command can be tried without an account or a network.
 *
 * `--mock` adapts the twin to the command where the twin allows it: the GitBook organization and space given with
 * `--org`/`--space` are the twin's own, SharinPix albums named in the command exist. Everything else the twin holds
 * is its seed (an Import.io extractor and report, a Document360 project with versions v1 and v2).
 *
 * Providers and the twin are imported here, lazily: a command loads only its own provider.
 */
import type { Twin, TwinOptions } from "@importkit/twin";
import type { CommonClientOptions } from "@importkit/core";
import { readCredential } from "./credentials.js";
import type { Provider } from "./providers.js";
import { UsageError } from "./exit.js";
import type { Session } from "./session.js";

/** The connection options every API command takes (program.ts `connectionOptions`). */
export interface ConnectionOptions {
  mock?: boolean;
  baseUrl?: string;
  credentialsFile?: string;
  timeout?: number;
  maxRetries?: number;
  /** The client's `validate` mode (also what `sharinpix bulk` checks its file with). */
  validate?: "documented" | "strict" | "off";
  /** Document360 only. */
  region?: string;
}

export interface MockHints {
  /** GitBook: the organization and space the twin holds (default: made up). */
  organizationId?: string | undefined;
  spaceId?: string | undefined;
  /** SharinPix: albums the twin holds (the first is its default album). */
  albumIds?: readonly string[] | undefined;
  /** Twin options for the demo (e.g. `rateLimit: false`). */
  twin?: Partial<Pick<TwinOptions, "rateLimit" | "randomSeed">>;
}

export interface Connected<C, P extends Provider> {
  client: C;
  /** The twin behind `--mock`, to seed a file or read what it holds. */
  twin: Twin<P> | undefined;
}

/** How often a wait polls by default: the twins need no patience (their life cycles move one step per poll). */
export function defaultPollInterval(options: ConnectionOptions): number | undefined {
  return options.mock ? 50 : undefined;
}

function commonOptions(session: Session, options: ConnectionOptions, fetch: typeof globalThis.fetch | undefined): CommonClientOptions {
  // No client-wide signal: each call passes the session's (commands/shared.ts `call`), so that after Ctrl-C a
  // --cancel-on-interrupt request can still be made with the same client.
  return {
    logger: session.logger,
    ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
    ...(options.validate !== undefined ? { validate: options.validate } : {}),
    ...(fetch ? { fetch } : {}),
  };
}

async function mockTwin<P extends Provider>(provider: P, session: Session, options: ConnectionOptions, twinOptions: Partial<TwinOptions<P>>): Promise<Twin<P>> {
  if (options.baseUrl !== undefined) throw new UsageError("--mock and --base-url cannot go together: --mock answers in process, --base-url sends to a server");
  if (options.credentialsFile !== undefined) throw new UsageError("--mock uses the twin's own credentials: leave out --credentials-file");
  const { createTwin } = await import("@importkit/twin");
  const twin = createTwin<P>({ provider, ...twinOptions } as TwinOptions<P>);
  // The twin's secrets are made up, but hidden like real ones (ids such as the organization stay visible).
  const { token, apiKey, apiToken, secret, secretUrl } = twin.credentials as Record<string, string | undefined>;
  for (const value of [token, apiKey, apiToken, secret, secretUrl]) session.addSecret(value);
  session.debug(`--mock: in-process ${provider} twin at ${twin.baseUrl}`);
  return twin;
}

export async function connectGitBook(session: Session, options: ConnectionOptions, hints: MockHints = {}) {
  const { createGitBookClient } = await import("@importkit/gitbook");
  const twin = options.mock
    ? await mockTwin("gitbook", session, options, { credentials: { organizationId: hints.organizationId, spaceId: hints.spaceId }, ...hints.twin })
    : undefined;
  // Something for `runs list` and `get` to show on a fresh twin (not in the demo, which shows what it starts).
  if (twin && !hints.twin) {
    for (const status of ["completed", "failed"] as const) twin.seed.importRun({ status, space: twin.credentials.spaceId, url: "https://docs.example.com/" });
  }
  const token = twin ? twin.credentials.token : await readCredential("gitbook", options.credentialsFile, session.io);
  session.addSecret(token);
  return { client: createGitBookClient({ token, ...commonOptions(session, options, twin?.fetch) }), twin };
}

export async function connectImportIo(session: Session, options: ConnectionOptions, hints: MockHints = {}) {
  const { createImportIoClient } = await import("@importkit/importio");
  const twin = options.mock ? await mockTwin("importio", session, options, { ...hints.twin }) : undefined;
  const apiKey = twin ? twin.credentials.apiKey : await readCredential("importio", options.credentialsFile, session.io);
  session.addSecret(apiKey);
  return { client: createImportIoClient({ apiKey, ...commonOptions(session, options, twin?.fetch) }), twin };
}

/** Query parameters that sign a storage link (Azure SAS, S3, GCS), as the Document360 client redacts them. */
const SIGNED_URL_PARAMS = ["sig", "signature", "x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature", "x-goog-credential"];

export async function connectDocument360(session: Session, options: ConnectionOptions, hints: MockHints = {}) {
  const { createDocument360Client } = await import("@importkit/document360");
  const twin = options.mock ? await mockTwin("document360", session, options, { ...hints.twin }) : undefined;
  const apiToken = twin ? twin.credentials.apiToken : await readCredential("document360", options.credentialsFile, session.io);
  session.addSecret(apiToken);
  // A finished export's download_url is a signed storage link: as good as a credential until it expires.
  for (const param of SIGNED_URL_PARAMS) session.redactor.addSecretParam(param);
  const region = options.region === undefined || options.region === "eu" || options.region === "us" ? options.region : { privateHost: options.region };
  return {
    client: createDocument360Client({ apiToken, ...(region !== undefined ? { region } : {}), ...commonOptions(session, options, twin?.fetch) }),
    twin,
  };
}

export async function connectSharinPix(session: Session, options: ConnectionOptions, hints: MockHints = {}) {
  const { createSharinPixClient } = await import("@importkit/sharinpix");
  const [defaultAlbum, ...otherAlbums] = hints.albumIds ?? [];
  const twin = options.mock ? await mockTwin("sharinpix", session, options, { credentials: { albumId: defaultAlbum }, ...hints.twin }) : undefined;
  for (const album of otherAlbums) twin?.seed.album(album);
  const secretUrl = twin ? twin.credentials.secretUrl : await readCredential("sharinpix", options.credentialsFile, session.io);
  session.addSecret(secretUrl);
  // The secret's own part too: a message that splits the URL must not show it.
  const secret = /^[a-z]+:\/\/[^:@/]*:([^@/]*)@/i.exec(secretUrl)?.[1];
  if (secret) {
    session.addSecret(secret);
    try {
      session.addSecret(decodeURIComponent(secret));
    } catch {
      // Not percent-encoded validly: the client refuses the URL; the raw form is already hidden.
    }
  }
  return { client: createSharinPixClient({ secretUrl, ...commonOptions(session, options, twin?.fetch) }), twin };
}
