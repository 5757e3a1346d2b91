/**
 * One adapter per provider for the cross-provider suites (properties, fault matrix, leak scan): how to build its
 * client, and how each operation of its spec (by operationId, as in its generated table) is reached through the
 * high-level client.
 */
import type { OperationSchema } from "../packages/core/src/validate.ts";
import type { OperationSpec } from "../packages/core/src/operation.ts";
import type { ValidationMode } from "../packages/core/src/options.ts";
import type { Provider } from "../packages/specs/src/index.ts";
import fc from "fast-check";
import { createDocument360Client } from "../packages/document360/src/index.ts";
import { operations as document360Operations } from "../packages/document360/src/generated/operations.ts";
import { createGitBookClient } from "../packages/gitbook/src/index.ts";
import { operations as gitbookOperations } from "../packages/gitbook/src/generated/operations.ts";
import { createImportIoClient } from "../packages/importio/src/index.ts";
import { operations as importioOperations } from "../packages/importio/src/generated/operations.ts";
import { createSharinPixClient } from "../packages/sharinpix/src/index.ts";
import { operations as sharinpixOperations } from "../packages/sharinpix/src/generated/operations.ts";

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
  validate?: ValidationMode;
  logger?: { debug(m: string, f?: unknown): void; info(m: string, f?: unknown): void; warn(m: string, f?: unknown): void; error(m: string, f?: unknown): void };
}

export interface ProviderAdapter<C = any> {
  provider: Provider;
  /** The generated operation table. */
  table: Readonly<Record<string, OperationSpec>>;
  /** operationId → its parameter and body schemas. */
  validation: Readonly<Record<string, OperationSchema>>;
  /** Sentinel secrets this client is given; none may ever surface. */
  secrets: string[];
  client(setup: ClientSetup): C;
  /** operationId → the high-level call that sends it. */
  operations: Record<string, (client: C, input: CallInput) => Promise<unknown>>;
  /** Query parameters the high-level API manages itself (e.g. page cursors): never generated. */
  managedQuery?: Record<string, string[]>;
  /**
   * Where a high-level method takes a richer input than the wire (a list of URLs for a newline-separated `_url`),
   * how to make its valid inputs from generated spec-valid ones.
   */
  refine?: Record<string, (input: fc.Arbitrary<CallInput>) => fc.Arbitrary<CallInput>>;
}

const validationOf = (table: Readonly<Record<string, OperationSpec>>) => Object.fromEntries(Object.entries(table).map(([id, spec]) => [id, spec.validation]));

/** Takes only the first page of a list: a mock's example cursor would otherwise never end. */
const firstPage = (list: PromiseLike<unknown>) => Promise.resolve(list);

export const GITBOOK_TOKEN = "gb_SENTINEL_token_5f1d9a";

export const gitbook: ProviderAdapter<ReturnType<typeof createGitBookClient>> = {
  provider: "gitbook",
  table: gitbookOperations,
  validation: validationOf(gitbookOperations),
  secrets: [GITBOOK_TOKEN],
  client: (setup) => createGitBookClient({ token: GITBOOK_TOKEN, ...setup }),
  managedQuery: { listImportRuns: ["page"] },
  operations: {
    listImportRuns: (c, i) => firstPage(c.imports.list({ ...i.query, organizationId: i.path.organizationId })),
    startImportRun: (c, i) => c.imports.start({ ...i.body, organizationId: i.path.organizationId }),
    getImportRun: (c, i) => c.imports.get(i.path.importRunId, { organizationId: i.path.organizationId }),
    cancelImportRun: (c, i) => c.imports.cancel(i.path.importRunId, { organizationId: i.path.organizationId }),
  },
};

/** Reads a download to the end, so the call is complete (and its stream released) before the next. */
async function drain(download: PromiseLike<{ body: ReadableStream<Uint8Array> }>) {
  const reader = (await download).body.getReader();
  let bytes = 0;
  for (let next = await reader.read(); !next.done; next = await reader.read()) bytes += next.value.length;
  return bytes;
}

export const IMPORTIO_KEY = "ioKEY_SENTINEL_0c7b1e";

export const importio: ProviderAdapter<ReturnType<typeof createImportIoClient>> = {
  provider: "importio",
  table: importioOperations,
  validation: validationOf(importioOperations),
  secrets: [IMPORTIO_KEY],
  client: (setup) => createImportIoClient({ apiKey: IMPORTIO_KEY, ...setup }),
  managedQuery: Object.fromEntries(["listExtractors", "listCrawlruns", "listReports", "listReportRunsForReport", "listReportRuns"].map((k) => [k, ["_page"]])),
  refine: {
    // setInputs refuses the one thing the spec cannot state: a line break inside a `_url` (a line is one input).
    updateExtractorInputs: (input) =>
      input.map((i) => ({
        ...i,
        body: Array.isArray(i.body) ? i.body.map((line: Record<string, unknown>) => ({ ...line, _url: String(line._url).replace(/[\r\n]/g, " ") })) : i.body,
      })),
  },
  operations: {
    getCurrentUser: (c) => c.users.current(),
    getCurrentUserSubscription: (c) => c.users.subscription(),
    listExtractors: (c, i) => firstPage(c.extractors.list(i.query)),
    getExtractor: (c, i) => c.extractors.get(i.path.extractorId),
    deleteExtractor: (c, i) => c.extractors.archive(i.path.extractorId),
    getExtractorInputs: (c, i) => c.extractors.getInputs(i.path.extractorId),
    updateExtractorInputs: (c, i) => c.extractors.setInputs(i.path.extractorId, i.body),
    startExtractor: (c, i) => c.extractors.start(i.path.extractorId),
    stopExtractor: (c, i) => c.extractors.stop(i.path.extractorId),
    duplicateExtractor: (c, i) => c.extractors.duplicate(i.path.extractorId),
    updateExtractorCredentials: (c, i) => c.extractors.setCredentials(i.path.extractorId, i.body),
    listCrawlruns: (c, i) => firstPage(c.crawlRuns.list(i.query)),
    getCrawlrun: (c, i) => c.crawlRuns.get(i.path.crawlrunId),
    getCrawlrunFile: (c, i) => drain(c.crawlRuns.download(i.path.crawlrunId, i.path.fileType)),
    listReports: (c, i) => firstPage(c.reports.list(i.query)),
    getReport: (c, i) => c.reports.get(i.path.reportId),
    deleteReport: (c, i) => c.reports.delete(i.path.reportId),
    startReport: (c, i) => c.reports.start(i.path.reportId),
    listReportRunsForReport: (c, i) => firstPage(c.reportRuns.listForReport(i.path.reportId, i.query)),
    listReportRuns: (c, i) => firstPage(c.reportRuns.list(i.query)),
    getReportRun: (c, i) => c.reportRuns.get(i.path.reportRunId),
    getReportRunFile: (c, i) => drain(c.reportRuns.download(i.path.reportRunId, i.path.fileType)),
  },
};

export const DOCUMENT360_TOKEN = "d360tok_SENTINEL_8a2f4c";

export const document360: ProviderAdapter<ReturnType<typeof createDocument360Client>> = {
  provider: "document360",
  table: document360Operations,
  validation: validationOf(document360Operations),
  secrets: [DOCUMENT360_TOKEN],
  client: (setup) => createDocument360Client({ apiToken: DOCUMENT360_TOKEN, ...setup }),
  operations: {
    importDocumentation: (c, i) => c.imports.start(i.body),
    getImportStatus: (c, i) => c.imports.get(i.path.importId),
    exportDocumentation: (c, i) => c.exports.start(i.body),
    getExportStatus: (c, i) => c.exports.get(i.path.exportId),
  },
};

export const SHARINPIX_SECRET_ID = "7d6a1c2e-3b4f-4a5e-9c8d-0e1f2a3b4c5d";
export const SHARINPIX_SECRET = "spxSECRET_SENTINEL_41b9e2";

export const sharinpix: ProviderAdapter<ReturnType<typeof createSharinPixClient>> = {
  provider: "sharinpix",
  table: sharinpixOperations,
  validation: validationOf(sharinpixOperations),
  secrets: [SHARINPIX_SECRET],
  client: (setup) => createSharinPixClient({ secretUrl: `sharinpix://${SHARINPIX_SECRET_ID}:${SHARINPIX_SECRET}@api.sharinpix.com/api/v1`, ...setup }),
  operations: {
    createImport: (c, i) => c.imports.start(i.body),
    getImport: (c, i) => c.imports.get(i.path.id),
  },
};

export const adapters: ProviderAdapter[] = [gitbook, importio, document360, sharinpix];
