/**
 * One convention across the four clients (README "Conventions"): the same mistake is the same error, with the same
 * shape, on every provider. Table-driven: each row is one mistake, made against each client. Nothing here reaches a
 * server (a fetch that fails the test is installed), except the rows that say what an answer becomes.
 */
import { describe, expect, it } from "vitest";
import {
  AuthenticationError,
  ImportkitError,
  PaginationLimitError,
  ValidationError,
  type RequestOptions,
} from "../packages/core/src/index.ts";
import { createDocument360Client } from "../packages/document360/src/index.ts";
import { createGitBookClient } from "../packages/gitbook/src/index.ts";
import { createImportIoClient } from "../packages/importio/src/index.ts";
import { createSharinPixClient } from "../packages/sharinpix/src/index.ts";

const SECRET = "SENTINEL_consistency_7c2e";
const JWT_SECRET_URL = `sharinpix://0fc2aae7-36e6-4781-b0d9-9778d11b40de:${SECRET}@api.sharinpix.com/api/v1`;
/** An id every spec accepts (Import.io's are UUIDs). */
const ID = "3c9d2f1e-8b7a-4c6d-9e5f-1a2b3c4d5e6f";
const noNetwork: typeof fetch = () => {
  throw new Error("this test must not send a request");
};

interface Subject {
  name: string;
  /** The client's own credential option. */
  credential: string;
  make(options: Record<string, unknown>): unknown;
  /** Reads one resource by its id. */
  get(client: any, id: string, options?: RequestOptions): Promise<unknown>;
  /** Polls one resource by its id. */
  waitFor(client: any, id: string, options: Record<string, unknown>): Promise<unknown>;
  /** A list, when the API has one. */
  list?(client: any, options: Record<string, unknown>): PromiseLike<unknown> & { toArray(): Promise<unknown[]> };
}

const subjects: Subject[] = [
  {
    name: "gitbook",
    credential: "token",
    make: (o) => createGitBookClient({ token: SECRET, ...o } as never),
    get: (c, id, o) => c.imports.get(id, { organizationId: "org_1" }, o),
    waitFor: (c, id, o) => c.imports.waitFor(id, { organizationId: "org_1" }, o),
    list: (c, o) => c.imports.list({ organizationId: "org_1" }, o),
  },
  {
    name: "importio",
    credential: "apiKey",
    make: (o) => createImportIoClient({ apiKey: SECRET, ...o } as never),
    get: (c, id, o) => c.crawlRuns.get(id, o),
    waitFor: (c, id, o) => c.crawlRuns.waitFor(id, o),
    list: (c, o) => c.crawlRuns.list({}, o),
  },
  {
    name: "document360",
    credential: "apiToken",
    make: (o) => createDocument360Client({ apiToken: SECRET, ...o } as never),
    get: (c, id, o) => c.imports.get(id, o),
    waitFor: (c, id, o) => c.imports.waitFor(id, o),
  },
  {
    name: "sharinpix",
    credential: "secretUrl",
    make: (o) => createSharinPixClient({ secretUrl: JWT_SECRET_URL, ...o } as never),
    get: (c, id, o) => c.imports.get(id, o),
    waitFor: (c, id, o) => c.imports.waitFor(id, o),
  },
];

/** Runs `act`, expecting it to throw or reject; returns what it threw (undefined if it did not). */
async function failure(act: () => unknown): Promise<unknown> {
  try {
    await act();
  } catch (error) {
    return error;
  }
  return undefined;
}

function expectValidation(error: unknown, field: string | RegExp) {
  expect(error).toBeInstanceOf(ValidationError);
  const paths = (error as ValidationError).issues.map((i) => i.path);
  expect(paths.some((p) => (typeof field === "string" ? p === field : field.test(p))), `issues: ${JSON.stringify(paths)}`).toBe(true);
  expect(`${(error as Error).message}${(error as Error).stack}${JSON.stringify(error)}`).not.toContain(SECRET);
}

describe.each(subjects)("$name", (subject) => {
  const client = () => subject.make({ fetch: noNetwork });

  it("a missing or broken credential is a ValidationError naming the option, at creation", async () => {
    const missing = await failure(() => subject.make({ [subject.credential]: undefined, fetch: noNetwork }));
    expectValidation(missing, subject.credential);
    const broken = await failure(() => subject.make({ [subject.credential]: `${SECRET}\r\nX-Injected: 1`, fetch: noNetwork }));
    expectValidation(broken, subject.credential);
  });

  it.each([
    ["timeout", { timeout: -1 }],
    ["maxRetries", { maxRetries: Number.POSITIVE_INFINITY }],
    ["baseUrl", { baseUrl: "api.example.com" }],
    ["headers.X-Trace", { headers: { "X-Trace": "a\nb" } }],
    ["validate", { validate: "sometimes" }],
  ])("a bad client option (%s) is a ValidationError naming it, at creation", async (field, options) => {
    expectValidation(await failure(() => subject.make({ fetch: noNetwork, ...options })), field);
  });

  it("an empty id is a ValidationError naming the operation and the field, from a promise (never a sync throw)", async () => {
    let pending: Promise<unknown> | undefined;
    expect(() => (pending = subject.get(client(), ""))).not.toThrow();
    const error = await failure(() => pending);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).operation).toBeTruthy();
    expect((error as Error).message).toMatch(/^\w+: invalid input, not sent: \w+: must not be empty/);
  });

  it("an id no URL can carry (an unpaired surrogate) is a ValidationError, not a URIError", async () => {
    expect(await failure(() => subject.get(client(), "a\ud800b"))).toBeInstanceOf(ValidationError);
  });

  it("bad per-call options are a ValidationError naming them", async () => {
    expectValidation(await failure(() => subject.get(client(), ID, { timeout: Number.NaN })), "options.timeout");
  });

  it.each([
    ["options.deadline", { deadline: 0 }],
    ["options.interval", { interval: -1 }],
    ["options.onProgress", { onProgress: 42 }],
  ])("a bad wait option (%s) is a ValidationError naming it, before any poll", async (field, options) => {
    expectValidation(await failure(() => subject.waitFor(client(), ID, options)), field);
  });

  // Only where the provider has one (registered, not skipped: a skip would read as something left undone).
  if (subject.list !== undefined) it("maxPages: 0 is a ValidationError naming maxPages (never a RangeError)", async () => {
    const list = subject.list!(client(), { maxPages: 0 });
    expectValidation(await failure(() => list), "maxPages");
    expectValidation(await failure(() => list.toArray()), "maxPages");
  });

  it("every error is an ImportkitError, and a 401 is an AuthenticationError without the credential", async () => {
    const unauthorized: typeof fetch = async () => new Response(JSON.stringify({ message: `bad token ${SECRET}` }), { status: 401, headers: { "content-type": "application/json" } });
    const error = await failure(() => subject.get(subject.make({ fetch: unauthorized, maxRetries: 0 }), ID));
    expect(error).toBeInstanceOf(ImportkitError);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(`${(error as Error).message}${JSON.stringify(error)}`).not.toContain(SECRET);
  });
});

it("PaginationLimitError is the one error for a list that does not end, on every provider with lists", () => {
  expect(subjects.filter((s) => s.list).map((s) => s.name)).toEqual(["gitbook", "importio"]);
  expect(new PaginationLimitError("x", { maxPages: 1 })).toBeInstanceOf(ImportkitError);
});
