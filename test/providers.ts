/**
 * One adapter per provider for the cross-provider suites (properties, fault matrix, leak scan): how to build its
 * client, and how each operation of its spec is reached through the high-level client.
 */
import type { OperationSchema } from "../packages/core/src/validate.ts";
import type { Provider } from "../packages/specs/src/index.ts";
import { createGitBookClient } from "../packages/gitbook/src/index.ts";
import { validation as gitbookValidation } from "../packages/gitbook/src/generated/validation.ts";

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

export const adapters: ProviderAdapter[] = [gitbook];
