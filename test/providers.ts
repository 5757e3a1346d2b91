/**
 * One adapter per provider for the cross-provider suites (properties, fault matrix, leak scan): how to build its
 * client, and how each operation of its spec is reached through the high-level client.
 */
import type { OperationSchema } from "../packages/core/src/validate.ts";
import type { Provider } from "../packages/specs/src/index.ts";
import fc from "fast-check";
import { createDocument360Client } from "../packages/document360/src/index.ts";
import { validation as document360Validation } from "../packages/document360/src/generated/validation.ts";
import { createGitBookClient } from "../packages/gitbook/src/index.ts";
import { validation as gitbookValidation } from "../packages/gitbook/src/generated/validation.ts";
import { createImportIoClient } from "../packages/importio/src/index.ts";
import { validation as importioValidation } from "../packages/importio/src/generated/validation.ts";
import { createSharinPixClient } from "../packages/sharinpix/src/index.ts";
import { validation as sharinpixValidation } from "../packages/sharinpix/src/generated/validation.ts";

export interface CallInput {
  path: Record<string, any>;
  query: Record<string, any>;
  body: any;
}

export interface ClientSetup {
  baseUrl: string;
  fetch?: typeof fetch;
  maxRetries?: number;
  timeout?: number;
  logger?: { debug(m: string, f?: unknown): void; info(m: string, f?: unknown): void; warn(m: string, f?: unknown): void; error(m: string, f?: unknown): void };
}

export interface ProviderAdapter<C = any> {
  provider: Provider;
  validation: Readonly<Record<string, OperationSchema>>;
  /** Sentinel secrets this client is given; none may ever surface. */
  secrets: string[];
  client(setup: ClientSetup): C;
  /** `METHOD /path` → the high-level call that sends it. */
  operations: Record<string, (client: C, input: CallInput) => Promise<unknown>>;
  /** Query parameters the high-level API manages itself (e.g. page cursors): never generated. */
  managedQuery?: Record<string, string[]>;
  /**
   * Where a high-level method takes a richer input than the wire (a list of URLs for a newline-separated
   * `_url`, a `.zip` source URL), how to make its valid inputs from generated spec-valid ones.
   */
  refine?: Record<string, (input: fc.Arbitrary<CallInput>) => fc.Arbitrary<CallInput>>;
}

/** Takes only the first page of a list: a mock's example cursor would otherwise never end. */
async function firstPage(pages: AsyncIterable<unknown>) {
  for await (const page of pages) return page;
  return undefined;
}

export const GITBOOK_TOKEN = "gb_SENTINEL_token_5f1d9a";

export const gitbook: ProviderAdapter<ReturnType<typeof createGitBookClient>> = {
  provider: "gitbook",
  validation: gitbookValidation,
  secrets: [GITBOOK_TOKEN],
  client: (setup) => createGitBookClient({ token: GITBOOK_TOKEN, ...setup }),
  managedQuery: { "GET /org/{organizationId}/imports": ["page"] },
  operations: {
    "GET /org/{organizationId}/imports": (c, i) => firstPage(c.imports.list({ ...i.query, organizationId: i.path.organizationId }).pages()),
    "POST /org/{organizationId}/imports": (c, i) => c.imports.start({ ...i.body, organizationId: i.path.organizationId }),
    "GET /org/{organizationId}/imports/{importRunId}": (c, i) => c.imports.get({ organizationId: i.path.organizationId, importRunId: i.path.importRunId }),
    "POST /org/{organizationId}/imports/{importRunId}/cancel": (c, i) =>
      c.imports.cancel({ organizationId: i.path.organizationId, importRunId: i.path.importRunId }),
  },
};

/** Reads a download to the end, so the call is complete (and its stream released) before the next. */
async function drain(stream: ReadableStream<Uint8Array>) {
  const reader = stream.getReader();
  let bytes = 0;
  for (let next = await reader.read(); !next.done; next = await reader.read()) bytes += next.value.length;
  return bytes;
}

export const IMPORTIO_KEY = "ioKEY_SENTINEL_0c7b1e";

export const importio: ProviderAdapter<ReturnType<typeof createImportIoClient>> = {
  provider: "importio",
  validation: importioValidation,
  secrets: [IMPORTIO_KEY],
  client: (setup) => createImportIoClient({ apiKey: IMPORTIO_KEY, ...setup }),
  managedQuery: Object.fromEntries(
    ["GET /extractors", "GET /crawlruns", "GET /reports", "GET /reports/{reportId}/reportruns", "GET /reportruns"].map((k) => [k, ["_page"]]),
  ),
  refine: {
    // updateInputs takes the URL list the API stores newline-separated in `_url`.
    "PUT /extractors/{extractorId}/inputs": (input) =>
      fc.tuple(input, fc.array(fc.webUrl(), { minLength: 1, maxLength: 4 })).map(([i, urls]) => ({ ...i, body: { _url: urls.join("\n") } })),
  },
  operations: {
    "GET /users/current": (c) => c.users.current(),
    "GET /users/current/subscription": (c) => c.users.subscription(),
    "GET /extractors": (c, i) => firstPage(c.extractors.list(i.query).pages()),
    "GET /extractors/{extractorId}": (c, i) => c.extractors.get(i.path.extractorId),
    "DELETE /extractors/{extractorId}": (c, i) => c.extractors.archive(i.path.extractorId),
    "GET /extractors/{extractorId}/inputs": (c, i) => c.extractors.getInputs(i.path.extractorId),
    "PUT /extractors/{extractorId}/inputs": (c, i) => c.extractors.updateInputs(i.path.extractorId, String(i.body?._url ?? "").split("\n")),
    "POST /extractors/{extractorId}/start": (c, i) => c.extractors.start(i.path.extractorId),
    "POST /extractors/{extractorId}/stop": (c, i) => c.extractors.stop(i.path.extractorId),
    "POST /extractors/{extractorId}/duplicate": (c, i) => c.extractors.duplicate(i.path.extractorId),
    "POST /extractors/{extractorId}/credentials": (c, i) => c.extractors.updateCredentials(i.path.extractorId, i.body),
    "GET /crawlruns": (c, i) => firstPage(c.crawlruns.list(i.query).pages()),
    "GET /crawlruns/{crawlrunId}": (c, i) => c.crawlruns.get(i.path.crawlrunId),
    "GET /crawlruns/{crawlrunId}/{fileType}": async (c, i) => drain(await c.crawlruns.download(i.path.crawlrunId, i.path.fileType)),
    "GET /reports": (c, i) => firstPage(c.reports.list(i.query).pages()),
    "GET /reports/{reportId}": (c, i) => c.reports.get(i.path.reportId),
    "DELETE /reports/{reportId}": (c, i) => c.reports.delete(i.path.reportId),
    "POST /reports/{reportId}/start": (c, i) => c.reports.start(i.path.reportId),
    "GET /reports/{reportId}/reportruns": (c, i) => firstPage(c.reports.runs(i.path.reportId, i.query).pages()),
    "GET /reportruns": (c, i) => firstPage(c.reportRuns.list(i.query).pages()),
    "GET /reportruns/{reportRunId}": (c, i) => c.reportRuns.get(i.path.reportRunId),
    "GET /reportruns/{reportRunId}/{fileType}": async (c, i) => drain(await c.reportRuns.download(i.path.reportRunId, i.path.fileType)),
  },
};

export const DOCUMENT360_TOKEN = "d360tok_SENTINEL_8a2f4c";

export const document360: ProviderAdapter<ReturnType<typeof createDocument360Client>> = {
  provider: "document360",
  validation: document360Validation,
  secrets: [DOCUMENT360_TOKEN],
  client: (setup) => createDocument360Client({ apiToken: DOCUMENT360_TOKEN, ...setup }),
  refine: {
    // Document360 downloads the zip itself: the client refuses a source that is not an http(s) URL of a .zip.
    "POST /v2/Project/Import": (input) =>
      fc.tuple(input, fc.webUrl({ withQueryParameters: false, withFragments: false })).map(([i, url]) => ({
        ...i,
        body: { ...i.body, source_documentation_url: `${url.replace(/\/$/, "")}/export.zip`, import_by: i.body.import_by || "owner" },
      })),
  },
  operations: {
    "POST /v2/Project/Import": (c, i) => c.imports.start(i.body),
    "GET /v2/Project/Import/{importId}": (c, i) => c.imports.get(i.path.importId),
    "POST /v2/Project/Export": (c, i) => c.exports.start(i.body),
    "GET /v2/Project/Export/{exportId}": (c, i) => c.exports.get(i.path.exportId),
  },
};

export const SHARINPIX_SECRET_ID = "7d6a1c2e-3b4f-4a5e-9c8d-0e1f2a3b4c5d";
export const SHARINPIX_SECRET = "spxSECRET_SENTINEL_41b9e2";

export const sharinpix: ProviderAdapter<ReturnType<typeof createSharinPixClient>> = {
  provider: "sharinpix",
  validation: sharinpixValidation,
  secrets: [SHARINPIX_SECRET],
  client: (setup) => createSharinPixClient({ secretUrl: `sharinpix://${SHARINPIX_SECRET_ID}:${SHARINPIX_SECRET}@api.sharinpix.com/api/v1`, ...setup }),
  refine: {
    // The spec leaves `url` a plain string (SharinPix fetches what it is given); the client takes http(s) URLs.
    "POST /imports": (input) =>
      fc.tuple(input, fc.webUrl({ withQueryParameters: false, withFragments: false })).map(([i, url]) => ({
        ...i,
        body: i.body && "url" in i.body ? { ...i.body, url } : i.body,
      })),
  },
  operations: {
    "POST /imports": (c, i) => c.imports.create(i.body),
    "GET /imports/{id}": (c, i) => c.imports.get(i.path.id),
  },
};

export const adapters: ProviderAdapter[] = [gitbook, importio, document360, sharinpix];
