/**
 * @importkit/twin: stateful fakes ("twins") of the GitBook, Import.io, Document360 and SharinPix APIs, built from
 * importkit's curated specs. A twin holds the API's resources in memory and moves them through their real life
 * cycles, checks every request against the spec (Prism's validator, where it runs), enforces the documented
 * credentials and rate limits, and lets a test inject faults. Use it as a `fetch` (here), as MSW handlers
 * (`@importkit/twin/msw`) or as a local server (`@importkit/twin/server`).
 *
 *   const twin = createTwin({ provider: "gitbook" });
 *   const client = createGitBookClient({ token: twin.credentials.token, fetch: twin.fetch });
 *
 * Browser-safe: this entry imports no `node:*` module and no file system.
 */
import { TwinClock, type ClockMode } from "./clock.js";
import { connectionReset, Engine, toResponse, type Fault, type ProviderModule, type TwinRequestRecord } from "./engine.js";
import { IdSource } from "./ids.js";
import { document360, type Document360Credentials, type Document360SeedApi, type Document360Seeded } from "./providers/document360.js";
import { gitbook, type GitBookCredentials, type GitBookSeedApi, type GitBookSeeded } from "./providers/gitbook.js";
import { importio, type ImportIoCredentials, type ImportIoSeedApi, type ImportIoSeeded } from "./providers/importio.js";
import { sharinpix, type SharinPixCredentials, type SharinPixSeedApi, type SharinPixSeeded } from "./providers/sharinpix.js";
import { registerEngine } from "./registry.js";

export type { ClockMode } from "./clock.js";
export type { Fault, FaultKind, TwinRequestRecord } from "./engine.js";
export type { GitBookCredentials, GitBookSeedApi, GitBookSeeded } from "./providers/gitbook.js";
export type { ImportIoCredentials, ImportIoSeedApi, ImportIoSeeded, ImportIoInput } from "./providers/importio.js";
export type { Document360Credentials, Document360SeedApi, Document360Seeded } from "./providers/document360.js";
export type { SharinPixCredentials, SharinPixSeedApi, SharinPixSeeded } from "./providers/sharinpix.js";

export const providers = ["gitbook", "importio", "document360", "sharinpix"] as const;
export type Provider = (typeof providers)[number];

/** Per provider: its credentials, the ids of what it was seeded with, and its seeding functions. */
export interface ProviderShapes {
  gitbook: { credentials: GitBookCredentials; seeded: GitBookSeeded; seed: GitBookSeedApi };
  importio: { credentials: ImportIoCredentials; seeded: ImportIoSeeded; seed: ImportIoSeedApi };
  document360: { credentials: Document360Credentials; seeded: Document360Seeded; seed: Document360SeedApi };
  sharinpix: { credentials: SharinPixCredentials; seeded: SharinPixSeeded; seed: SharinPixSeedApi };
}

const modules: { [P in Provider]: ProviderModule<ProviderShapes[P]["credentials"], any, ProviderShapes[P]["seeded"], ProviderShapes[P]["seed"]> } = {
  gitbook,
  importio,
  document360,
  sharinpix,
};

/** The path prefix of the API's server, from its spec: `/v1` (GitBook), `/api/v1` (SharinPix), "" (the others). */
export function apiBasePath(provider: Provider): string {
  const module = modules[provider];
  if (!module) throw new TypeError(`unknown provider "${String(provider)}". Known providers: ${providers.join(", ")}.`);
  return module.spec.servers[0]?.basePath ?? "";
}

export interface TwinOptions<P extends Provider = Provider> {
  provider: P;
  /**
   * How life cycles advance. `poll` (default): one step each time the test reads the resource (e.g. each
   * `getImportRun`); the clock is the wall clock. `manual`: one step every `stepMs` of twin time, and time moves
   * only with `twin.advance(ms)`.
   */
  clock?: ClockMode;
  /** Twin time per life-cycle step on the `manual` clock (default 1 000 ms). */
  stepMs?: number;
  /** Where the twin's clock starts (default: now). */
  now?: number | Date;
  /**
   * The twin's own base URL, where it also answers (and serves its downloads). Default
   * `https://<provider>.twin.invalid` plus the API's base path; `startTwin` sets it to the server's URL.
   */
  baseUrl?: string;
  /** Credentials the twin accepts (the rest are made up); read them back from `twin.credentials`. */
  credentials?: Partial<ProviderShapes[P]["credentials"]>;
  /** Start with the seeded resources (default true): an Import.io extractor and report, a Document360 project… */
  seed?: boolean;
  /** The documented rate limit (GitBook, Document360), with another budget or window; `false` turns it off. */
  rateLimit?: { limit?: number; windowMs?: number } | false;
  /** Check every request against the spec with Prism's validator (default true; Node, Bun and Deno). */
  validateRequests?: boolean;
  /** Seed of the id generator: the same seed gives the same ids and credentials (default 1). */
  randomSeed?: number;
}

export interface Twin<P extends Provider = Provider> {
  readonly provider: P;
  /** The twin's own base URL (a client's `baseUrl`, when it does not use `fetch: twin.fetch` with its default). */
  readonly baseUrl: string;
  readonly credentials: Readonly<ProviderShapes[P]["credentials"]>;
  /** Ids of the seeded resources. */
  readonly seeded: Readonly<ProviderShapes[P]["seeded"]>;
  /** Adds resources to the twin. */
  readonly seed: ProviderShapes[P]["seed"];
  /** Every request the twin received, in order, as sent (credentials included: they are the test's own). */
  readonly requests: readonly TwinRequestRecord[];
  /**
   * A `fetch` that answers requests to the API's real origin(s) and to `baseUrl`, in memory. Pass it as a client's
   * `fetch`. Anything else is refused (a TypeError): nothing ever reaches the network.
   */
  readonly fetch: typeof fetch;
  /** The twin's time, ms since the epoch. */
  now(): number;
  /** Moves the twin's clock forward (life cycles on the `manual` clock, rate-limit windows, daily caps, slow bodies). */
  advance(ms: number): void;
  /** Makes the next `times` calls of an operation (by operationId) fail with `fault`. */
  failNext(operationId: string, fault: Fault, times?: number): void;
  /** Makes a started import (GitBook run, Import.io crawl run, Document360 import, SharinPix import) fail at its next step. */
  failImport(id: string, reason?: string): void;
  /** Makes the next import started fail at its first step. */
  failNextImport(reason?: string): void;
  /** Forgets the recorded requests. */
  clearRequests(): void;
  /** Loads the request validator; tells which one checks requests: `prism`, or `none` (browsers, or turned off). */
  ready(): Promise<"prism" | "none">;
}

/** Creates a twin of one provider's API. Costs a few milliseconds; Prism's validator loads on first use. */
export function createTwin<P extends Provider>(options: TwinOptions<P>): Twin<P> {
  const provider = options?.provider;
  if (!(providers as readonly string[]).includes(provider)) {
    throw new TypeError(`createTwin: unknown provider "${String(provider)}". Known providers: ${providers.join(", ")}.`);
  }
  const clockMode = options.clock ?? "poll";
  if (clockMode !== "poll" && clockMode !== "manual") throw new TypeError(`createTwin: clock must be "poll" or "manual", got "${String(clockMode)}"`);
  const stepMs = options.stepMs ?? 1000;
  if (!(typeof stepMs === "number" && stepMs > 0 && Number.isFinite(stepMs))) throw new RangeError(`createTwin: stepMs must be a positive number, got ${String(stepMs)}`);
  const start = options.now === undefined ? Date.now() : new Date(options.now).getTime();
  if (!Number.isFinite(start)) throw new RangeError(`createTwin: now must be a date or a time in ms, got ${String(options.now)}`);

  const module = modules[provider] as ProviderModule<any, any, any, any>;
  const baseUrl = normalizeBaseUrl(options.baseUrl ?? `https://${provider}.twin.invalid${apiBasePath(provider)}`);
  const ids = new IdSource(options.randomSeed ?? 1);
  const credentials = module.credentials(ids, { ...(options.credentials ?? {}) }, baseUrl);
  const clock = new TwinClock(clockMode, start);
  const engine = new Engine(module, credentials, {
    clock,
    stepMs,
    baseUrl,
    rateLimit: options.rateLimit,
    validateRequests: options.validateRequests ?? true,
    seed: options.seed ?? true,
    ids,
  });

  const twinFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    if (request.signal.aborted) throw request.signal.reason;
    const outcome = await engine.dispatch(request);
    if (outcome.kind === "foreign") {
      throw new TypeError(
        `twin.fetch: ${outcome.url} is not an address of the ${provider} twin (it answers ${baseUrl} and the API's own origins); nothing was sent`,
      );
    }
    if (request.signal.aborted) throw request.signal.reason;
    if (outcome.kind === "reset") throw connectionReset();
    return toResponse(outcome, clock, request.signal, request.url, request.method);
  };

  const twin: Twin<P> = {
    provider,
    baseUrl: engine.env.baseUrl,
    credentials: Object.freeze({ ...credentials }),
    seeded: Object.freeze(engine.seeded),
    seed: engine.seedApi,
    requests: engine.requests,
    fetch: twinFetch as typeof fetch,
    now: () => clock.now(),
    advance: (ms) => clock.advance(ms),
    failNext: (operationId, fault, times = 1) => engine.failNext(operationId, fault, times),
    failImport(id, reason) {
      if (!module.failImport(engine.state, engine.env, id, reason)) throw new TypeError(`failImport: the ${provider} twin has no import "${id}"`);
    },
    failNextImport: (reason) => module.failNextImport(engine.state, reason),
    clearRequests: () => void engine.requests.splice(0),
    ready: async () => ((await engine.validator()) ? "prism" : "none"),
  };
  registerEngine(twin, engine);
  return twin;
}

function normalizeBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`createTwin: baseUrl must be an absolute http(s) URL, got "${value}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`createTwin: baseUrl must be http(s), got "${value}"`);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}
