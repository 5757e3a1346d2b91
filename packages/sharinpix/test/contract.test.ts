// Contract tests: the real SharinPix client against the real Prism server built from specs/sharinpix/openapi.yaml.
import { describe, expect, it } from "vitest";
import {
  AbortError,
  AuthenticationError,
  createSharinPixClient,
  InvalidRequestError,
  NotFoundError,
  ValidationError,
  WaitTimeoutError,
  type StartImportParams,
  type Import,
  type SharinPixSecretOptions,
} from "@importkit/sharinpix";
import { contractFetch, mockUrl, type ContractFetch } from "../../../test/contract.ts";
import { recordingLogger } from "../../../test/recording-logger.ts";
import { createdExamples, formRequestExamples, getImportExamples, jsonRequestExamples } from "./spec-examples.ts";

const secretUrl = "sharinpix://3800be29-b5d3-4064-ad70-df9d3bccb84f:contract-test-secret-0001@api.sharinpix.com/api/v1";
const importId = "1e908c13-c77e-43b2-b471-b474c2e00a78";

function client(fetch: typeof globalThis.fetch, extra: Partial<SharinPixSecretOptions> = {}) {
  return createSharinPixClient({ secretUrl, baseUrl: mockUrl("sharinpix"), fetch, ...extra });
}

/** Wraps a contract fetch to keep what each request carried. */
function recording(guard: ContractFetch) {
  const sent: Array<{ contentType: string | null; authorization: string | null; body: string }> = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    sent.push({
      contentType: request.headers.get("content-type"),
      authorization: request.headers.get("authorization"),
      body: await request.clone().text(),
    });
    return guard.fetch(request);
  };
  return { fetch, sent };
}

const exampleNames = Object.keys(createdExamples);

describe("imports.start: every documented example, in both body encodings", () => {
  const guards = Object.fromEntries(exampleNames.map((name) => [name, contractFetch({ prefer: `example=${name}` })]));

  it("covers the five documented kinds of request", () => {
    expect(exampleNames.sort()).toEqual(["attachmentImport", "contentDocumentImport", "urlImport", "urlImportUsingStorage", "urlImportWithHeaders"]);
    expect(Object.keys(formRequestExamples).sort()).toEqual(exampleNames);
  });

  for (const encoding of ["form", "json"] as const) {
    const requests = encoding === "form" ? formRequestExamples : jsonRequestExamples;
    for (const name of exampleNames) {
      it(`${name} as ${encoding}: Prism accepts the body and answers the documented import`, async () => {
        const guard = recording(guards[name]!);
        const created = await client(guard.fetch, { encoding }).imports.start(requests[name]!.value as StartImportParams);
        expect(created).toEqual(createdExamples[name]!.value);
        expect(created.image_id).toBeNull();
        expect(guard.sent).toHaveLength(1);
        expect(guard.sent[0]!.contentType).toBe(encoding === "form" ? "application/x-www-form-urlencoded" : "application/json");
        expect(guard.sent[0]!.authorization).toMatch(/^Token token="eyJ[\w-]+\.[\w-]+\.[\w-]+"$/);
      });
    }
  }

  it("the per-call encoding overrides the client's", async () => {
    const guard = recording(guards.contentDocumentImport!);
    await client(guard.fetch, { encoding: "form" }).imports.start(jsonRequestExamples.contentDocumentImport!.value as StartImportParams, { encoding: "json" });
    expect(guard.sent[0]!.contentType).toBe("application/json");
  });

  it("tags go as JSON, the only encoding the spec gives them", async () => {
    const guard = recording(guards.contentDocumentImport!);
    await client(guard.fetch).imports.start({
      album_id: "5005800000HEXCtAAP",
      import_type: "salesforce",
      content_document_id: "0694I000008HV8MQAW",
      tags: ["roof", "damage"],
    });
    expect(guard.sent[0]!.contentType).toBe("application/json");
    expect(JSON.parse(guard.sent[0]!.body).tags).toEqual(["roof", "damage"]);
  });
});

describe("the form body is what Prism checks, not a formality", () => {
  const guard = contractFetch({ prefer: "example=contentDocumentImport" });
  const body = formRequestExamples.contentDocumentImport!.value as StartImportParams;

  it("openapi-fetch's default form serializer ([object Object]) is refused with 422", async () => {
    const { response } = await client(guard.fetch).raw.POST("/imports", {
      body,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      bodySerializer: (b) => new URLSearchParams(b as unknown as Record<string, string>).toString(),
    });
    expect(response.status).toBe(422);
  });

  it("the raw client sends Rails nested parameters, which Prism accepts", async () => {
    const { data, response } = await client(guard.fetch).raw.POST("/imports", {
      body,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(200);
    expect(data?.id).toBe((createdExamples.contentDocumentImport!.value as Import).id);
  });
});

describe("imports.get", () => {
  const processed = contractFetch({ prefer: "example=processed" });
  const pending = contractFetch({ prefer: "example=notYetProcessed" });
  const missing = contractFetch({ prefer: "code=404" });

  it("returns a processed import (image_id set)", async () => {
    expect(await client(processed.fetch).imports.get(importId)).toEqual(getImportExamples.processed!.value);
  });

  it("returns an import not yet processed (image_id null)", async () => {
    const found = await client(pending.fetch).imports.get(importId);
    expect(found).toEqual(getImportExamples.notYetProcessed!.value);
    expect(found.image_id).toBeNull();
  });

  it("404 is a NotFoundError naming the operation", async () => {
    const error = (await client(missing.fetch, { maxRetries: 0 }).imports.get(importId).catch((e: unknown) => e)) as NotFoundError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.status).toBe(404);
    expect(error.operation).toBe("getImport");
    expect(error.message).toContain("getImport (GET ");
  });
});

describe("401: an empty body, the reason in X-message", () => {
  const denied = contractFetch({ prefer: "code=401" });
  const plain = contractFetch();
  const calls = {
    createImport: (c: ReturnType<typeof client>) =>
      c.imports.start({ album_id: "5005800000HEXCtAAP", import_type: "salesforce", content_document_id: "0694I000008HV8MQAW" }),
    getImport: (c: ReturnType<typeof client>) => c.imports.get(importId),
  };

  for (const [operation, run] of Object.entries(calls)) {
    it(`${operation} → 401 is an AuthenticationError that says "Access denied"`, async () => {
      const error = (await run(client(denied.fetch)).catch((e: unknown) => e)) as AuthenticationError;
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error.status).toBe(401);
      expect(error.operation).toBe(operation);
      expect(error.message).toMatch(/failed with 401: Access denied$/);
      expect(error.headers["x-message"]).toBe("Access denied");
      expect(error.requestId).toBeTruthy();
    });
  }

  it("a request without Authorization is refused by the mock's security check", async () => {
    const stripped: typeof fetch = (input, init) => {
      const request = new Request(input, init);
      const headers = new Headers(request.headers);
      headers.delete("authorization");
      return plain.fetch(new Request(request, { headers }));
    };
    const error = (await calls.getImport(client(stripped)).catch((e: unknown) => e)) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toContain("Access denied");
    // The mock flagged the missing credentials: that is this test's point.
    expect(plain.takeViolations()).toHaveLength(1);
  });
});

describe("a ready token against the mock", () => {
  const processed = contractFetch({ prefer: "example=processed" });

  it("sends it as Token token=\"…\"", async () => {
    const guard = recording(processed);
    const jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoiZjE5MDBiYmEifQ.c2lnbmF0dXJl";
    const sharinpix = createSharinPixClient({ token: jwt, baseUrl: mockUrl("sharinpix"), fetch: guard.fetch });
    expect((await sharinpix.imports.get(importId)).image_id).toBeTruthy();
    expect(guard.sent[0]!.authorization).toBe(`Token token="${jwt}"`);
  });
});

describe("bad input: the spec's rules for a start", () => {
  const guard = contractFetch();
  // The hand validator (checkCreateParams) is gone: input is checked against the spec alone. The spec marks what
  // each kind of import requires as x-inferred (SharinPix documents every field as optional), so only
  // validate: "strict" refuses these before sending; the default ("documented") warns and sends.
  // [case, params, what the issue says: its path and message]
  const cases: Array<[string, object, string]> = [
    ["no album id", { import_type: "salesforce", content_document_id: "0694I000008HV8MQAW" }, "album_id is required"],
    ["a URL import without url", { album_id: "a" }, "url is required"],
    // The check names the closest kind: a Salesforce import needs one of the two ids, and both are named.
    ["a Salesforce import without an id", { album_id: "a", import_type: "salesforce" }, "body needs attachment_id or content_document_id"],
  ];

  it.each(cases)('%s: refused before any request with validate: "strict", naming the field', async (_name, params, said) => {
    const sent = guard.requests;
    const error = (await client(guard.fetch, { validate: "strict" }).imports.start(params as StartImportParams).catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.operation).toBe("createImport");
    expect(`${error.issues[0]!.path} ${error.issues[0]!.message}`).toBe(said);
    expect(guard.requests).toBe(sent);
  });

  it.each(cases)("%s: never sent silently by default (refused, or warned about naming the field)", async (_name, params, said) => {
    const sent = guard.requests;
    const log = recordingLogger();
    const outcome = await client(guard.fetch, { logger: log.logger, maxRetries: 0 })
      .imports.start(params as StartImportParams)
      .catch((e: unknown) => e);
    if (outcome instanceof ValidationError) {
      expect(`${outcome.issues[0]!.path} ${outcome.issues[0]!.message}`).toBe(said);
      expect(guard.requests).toBe(sent);
    } else {
      const warnings = log.lines.filter((line) => line.startsWith("warn createImport:"));
      expect(warnings.some((line) => line.startsWith(`warn createImport: ${said}`)), warnings.join("\n")).toBe(true);
      // Sent: the mock, which enforces the spec's inferred rules too, refuses it.
      expect(guard.requests).toBe(sent + 1);
      expect(outcome).toBeInstanceOf(InvalidRequestError);
      expect((outcome as InvalidRequestError).status).toBe(422);
    }
  });

  it("a Salesforce import with both ids is sent: SharinPix documents no rule against it (issue 13)", async () => {
    const sent = guard.requests;
    const both = { album_id: "a", import_type: "salesforce", attachment_id: "00P4I00000zyw3eUAA", content_document_id: "0694I000008HV8MQAW" };
    const started = await client(guard.fetch).imports.start(both as unknown as StartImportParams);
    expect(started.id).toBeTruthy();
    expect(guard.requests).toBe(sent + 1);
  });
});

describe("imports.waitFor", () => {
  /** Walks the import through Prism's named examples, one per poll. */
  function sequence(names: string[]) {
    const guard = contractFetch();
    let polls = 0;
    const fetch: typeof globalThis.fetch = (input, init) => {
      const request = new Request(input, init);
      const headers = new Headers(request.headers);
      headers.set("Prefer", `example=${names[Math.min(polls++, names.length - 1)]}`);
      return guard.fetch(new Request(request, { headers }));
    };
    return { fetch, polls: () => polls };
  }

  it("polls until image_id is set, reporting each poll", async () => {
    const seq = sequence(["notYetProcessed", "notYetProcessed", "processed"]);
    const seen: Array<string | null> = [];
    const done = await client(seq.fetch).imports.waitFor(importId, { interval: 5, onProgress: (i: Import) => seen.push(i.image_id) });
    expect(done.image_id).toBe("15b19abc-7d1b-4c9d-ad98-6d12d8ee4078");
    expect(seen).toEqual([null, null, done.image_id]);
  });

  it("gives up after its deadline (SharinPix reports no failure), with the last import seen", async () => {
    const seq = sequence(["notYetProcessed"]);
    const error = (await client(seq.fetch).imports.waitFor(importId, { interval: 10, deadline: 150 }).catch((e: unknown) => e)) as WaitTimeoutError;
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error.deadlineMs).toBe(150);
    expect(error.lastSeen?.image_id).toBeNull();
    expect(seq.polls()).toBeGreaterThan(1);
  });

  it("honours the caller's signal between polls", async () => {
    const seq = sequence(["notYetProcessed"]);
    const controller = new AbortController();
    const started = Date.now();
    const error = await client(seq.fetch)
      .imports.waitFor(importId, { interval: 60_000, signal: controller.signal, onProgress: () => setTimeout(() => controller.abort(), 10) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(seq.polls()).toBe(1);
  });
});
