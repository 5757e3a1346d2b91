/**
 * A small API for testing core's primitives once, directly: its operation table written as the generator would
 * write it, the openapi-typescript types it would come with, a provider definition around them, and a recorded
 * fetch (no network) that answers from a handler and keeps every request it saw.
 */
import { createApiClient, type OperationTable, type ProviderDefinition, type Schema } from "@importkit/core/internal";
import type { CommonClientOptions } from "@importkit/core";

export interface Thing {
  id: string;
  status: "queued" | "running" | "done" | "failed";
  reason?: string;
  secretEcho?: string;
}

type Json<T> = { content: { "application/json": T } };

/** What openapi-typescript would generate for this API's operations. */
export interface TestOps {
  getThing: { parameters: { path: { id: string }; query?: never }; requestBody?: never; responses: { 200: Json<Thing>; 404: Json<{ message: string }> } };
  listThings: {
    parameters: { path?: never; query?: { cursor?: string; status?: "queued" | "done" } };
    requestBody?: never;
    responses: { 200: Json<{ items: Thing[]; next?: { cursor: string } }> };
  };
  listPages: { parameters: { path?: never; query?: { page?: number } }; requestBody?: never; responses: { 200: Json<Thing[]> } };
  startThing: {
    parameters: { path?: never; query?: never };
    requestBody: { content: { "application/json": { name: string; url?: string; tags?: string[] } } };
    responses: { 201: Json<Thing> };
  };
  deleteThing: { parameters: { path: { id: string } }; requestBody?: never; responses: { 204: { content?: never } } };
  getFile: { parameters: { path: { name: string } }; requestBody?: never; responses: { 200: { content: { "application/octet-stream": string } } } };
}

const idPath: Schema = { type: "object", properties: { id: { type: "string", minLength: 1 } }, required: ["id"] };

export const testOperations: OperationTable<TestOps> = {
  getThing: {
    operationId: "getThing",
    method: "GET",
    path: "/things/{id}",
    responseMediaTypes: ["application/json"],
    wait: { field: "status", succeeded: ["done"], failed: ["failed"], reason: "reason" },
    validation: { path: idPath },
  },
  listThings: {
    operationId: "listThings",
    method: "GET",
    path: "/things",
    responseMediaTypes: ["application/json"],
    pagination: { style: "cursor", param: "cursor", items: "items", next: "next.cursor" },
    validation: { query: { type: "object", properties: { cursor: { type: "string" }, status: { type: "string", enum: ["queued", "done"] } } } },
  },
  listPages: {
    operationId: "listPages",
    method: "GET",
    path: "/pages",
    responseMediaTypes: ["application/json"],
    pagination: { style: "page", param: "page", items: "", start: 1 },
    validation: { query: { type: "object", properties: { page: { type: "integer", minimum: 1 } } } },
  },
  startThing: {
    operationId: "startThing",
    method: "POST",
    path: "/things",
    requestMediaTypes: ["application/json"],
    responseMediaTypes: ["application/json"],
    startsWork: true,
    validation: {
      body: {
        type: "object",
        properties: {
          name: { type: "string", maxLength: 20 },
          // An inferred rule: warned about and sent in `documented` mode, refused in `strict`.
          url: { type: "string", format: "uri", inferred: true },
          tags: { type: "array", items: { type: "string" } },
        },
        required: ["name"],
      },
      bodyRequired: true,
    },
  },
  deleteThing: {
    operationId: "deleteThing",
    method: "DELETE",
    path: "/things/{id}",
    responseMediaTypes: [],
    bodyless: true,
    validation: { path: idPath },
  },
  getFile: {
    operationId: "getFile",
    method: "GET",
    path: "/files/{name}",
    responseMediaTypes: ["application/octet-stream"],
    download: true,
    bodyless: true,
    validation: { path: { type: "object", properties: { name: { type: "string" } }, required: ["name"] } },
  },
};

export const TEST_TOKEN = "tok_SENTINEL_core_8d1f";
export const TEST_BASE = "https://api.test.example/v1";

export function testProvider(overrides: Partial<ProviderDefinition<TestOps>> = {}): ProviderDefinition<TestOps> {
  return {
    name: "Test",
    userAgent: "@importkit/test/0.0.0",
    defaultBaseUrl: TEST_BASE,
    operations: testOperations,
    authorize: (request) => void (request.headers["authorization"] = `Bearer ${TEST_TOKEN}`),
    secrets: [TEST_TOKEN],
    errorDetails: (body) => ({ message: (body as { message?: unknown } | undefined)?.message }),
    ...overrides,
  };
}

export interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
  redirect: RequestRedirect | undefined;
}

export type Handler = (request: Recorded, index: number) => Response | Promise<Response>;

/** A fetch that answers from `handler` and records every request; nothing leaves the process. */
export function recordedFetch(handler: Handler): { fetch: typeof fetch; requests: Recorded[] } {
  const requests: Recorded[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    init?.signal?.throwIfAborted();
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    const recorded: Recorded = {
      method: request.method,
      url: request.url,
      headers,
      body: request.body ? await request.text() : undefined,
      redirect: init?.redirect,
    };
    requests.push(recorded);
    return handler(recorded, requests.length - 1);
  };
  return { fetch: fetchImpl as typeof fetch, requests };
}

export const json = (value: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json", ...headers } });

export function testClient(fetchImpl: typeof fetch, options: CommonClientOptions = {}, provider: Partial<ProviderDefinition<TestOps>> = {}) {
  return createApiClient<TestOps>(testProvider(provider), { fetch: fetchImpl, ...options });
}
