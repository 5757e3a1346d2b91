// `call`: one operation through the pipeline, built straight from the operation table. Each rule once, with a recorded
// fetch: the request it sends, the APIPromise it returns, the typed errors, and what it refuses before sending.
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  APIPromise,
  ApiError,
  AuthenticationError,
  ImportkitError,
  InvalidResponseError,
  NotFoundError,
  RateLimitError,
  ResponseTooLargeError,
  ValidationError,
} from "@importkit/core";
import { json, recordedFetch, TEST_BASE, TEST_TOKEN, testClient, type Thing } from "./test-api.ts";

const thing: Thing = { id: "t1", status: "queued" };

describe("call", () => {
  it("sends the request the table describes, with credentials, and resolves to the data", async () => {
    const recorded = recordedFetch(() => json(thing, 201));
    const api = testClient(recorded.fetch, { headers: { "X-Team": "docs" } });
    const data = await api.call("startThing", { body: { name: "alpha", tags: ["a", "b"] } });
    expect(data).toEqual(thing);
    expectTypeOf(data).toEqualTypeOf<Thing>();
    const [request] = recorded.requests;
    expect(request).toMatchObject({ method: "POST", url: `${TEST_BASE}/things`, body: '{"name":"alpha","tags":["a","b"]}', redirect: "manual" });
    expect(request!.headers).toMatchObject({
      authorization: `Bearer ${TEST_TOKEN}`,
      "content-type": "application/json",
      // The success type first; anything else at a low weight, so an error documented in another type still comes.
      accept: "application/json, */*;q=0.1",
      "x-team": "docs",
    });
    expect(request!.headers["user-agent"]).toContain("@importkit/test/0.0.0");
  });

  it("encodes path parameters as one segment each", async () => {
    const recorded = recordedFetch(() => json(thing));
    await testClient(recorded.fetch).call("getThing", { path: { id: "a/b?c#d é" } });
    expect(recorded.requests[0]!.url).toBe(`${TEST_BASE}/things/a%2Fb%3Fc%23d%20%C3%A9`);
  });

  it("is an APIPromise: .withResponse() gives the data, the response and the request id", async () => {
    const recorded = recordedFetch(() => json(thing, 200, { "x-request-id": "req-42" }));
    const pending = testClient(recorded.fetch).call("getThing", { path: { id: "t1" } });
    expect(pending).toBeInstanceOf(APIPromise);
    expect(pending).toBeInstanceOf(Promise);
    const { data, response, requestId } = await pending.withResponse();
    expect(data).toEqual(thing);
    expect(response.status).toBe(200);
    expect(requestId).toBe("req-42");
    // Awaiting again does not send again.
    expect(await pending).toEqual(thing);
    expect(recorded.requests).toHaveLength(1);
  });

  it.each([
    [401, AuthenticationError],
    [403, AuthenticationError],
    [404, NotFoundError],
    [429, RateLimitError],
    [500, ApiError],
  ] as const)("an error status %i becomes %s, with the provider's message", async (status, ErrorClass) => {
    const recorded = recordedFetch(() => json({ message: `nope ${status}` }, status));
    const error = await testClient(recorded.fetch, { maxRetries: 0 }).call("getThing", { path: { id: "t1" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toMatchObject({ status, operation: "getThing", body: { message: `nope ${status}` } });
    expect((error as Error).message).toBe(`getThing (GET ${TEST_BASE}/things/t1) failed with ${status}: nope ${status}`);
  });

  it.each([
    ["a non-string message", { message: { nested: ["x"] } }, /failed with 400: \{"nested":\["x"\]\}/],
    ["a code that is an object", { message: "bad", code: { a: 1 } }, /failed with 400: bad/],
    ["no JSON at all", "<html><title>Proxy says no</title></html>", /failed with 400: Proxy says no/],
    ["an empty body", "", /failed with 400: (Bad Request|no details given)/],
    ["5 000 levels of nesting", `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`, /failed with 400: /],
  ])("an error envelope of any shape (%s) still gives the status's typed error", async (_name, body, message) => {
    const recorded = recordedFetch(() => new Response(typeof body === "string" ? body : JSON.stringify(body), { status: 400 }));
    const error = await testClient(recorded.fetch, { maxRetries: 0 }, {
      errorDetails: (b) => ({ message: (b as { message?: unknown })?.message, code: (b as { code?: unknown })?.code }),
    })
      .call("getThing", { path: { id: "t1" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as Error).message).toMatch(message);
    expect((error as ApiError).code === undefined || typeof (error as ApiError).code === "string").toBe(true);
  });

  it("a provider's envelope reader that throws never escapes: the status still gives the typed error", async () => {
    const recorded = recordedFetch(() => json({ message: "x" }, 404));
    const error = await testClient(recorded.fetch, {}, {
      errorDetails: () => {
        throw new TypeError("out.includes is not a function");
      },
    })
      .call("getThing", { path: { id: "t1" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
  });

  it("a 2xx without a body where the spec promises one is an InvalidResponseError; a bodyless operation resolves undefined", async () => {
    const recorded = recordedFetch(() => new Response(null, { status: 204 }));
    const api = testClient(recorded.fetch);
    await expect(api.call("getThing", { path: { id: "t1" } })).rejects.toBeInstanceOf(InvalidResponseError);
    await expect(api.call("deleteThing", { path: { id: "t1" } })).resolves.toBeUndefined();
  });

  it("invalid JSON on a 2xx is an InvalidResponseError", async () => {
    const recorded = recordedFetch(() => new Response('{"id": "t1"', { status: 200, headers: { "content-type": "application/json" } }));
    await expect(testClient(recorded.fetch).call("getThing", { path: { id: "t1" } })).rejects.toBeInstanceOf(InvalidResponseError);
  });

  it("a success body over maxResponseBytes is a ResponseTooLargeError, counted after decompression, and not retried", async () => {
    const big = JSON.stringify({ id: "t1", status: "queued", pad: "x".repeat(64 * 1024) });
    // Chunked, no Content-Length: the cap is counted as the bytes arrive.
    const chunked = () => new Response(new Blob([big]).stream(), { status: 200, headers: { "content-type": "application/json" } });
    const recorded = recordedFetch(chunked);
    const error = await testClient(recorded.fetch, { maxResponseBytes: 32 * 1024 }).call("getThing", { path: { id: "t1" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({ limitBytes: 32 * 1024, operation: "getThing" });
    expect(recorded.requests).toHaveLength(1);
  });

  it("refuses input the spec forbids before sending, naming the operation and the field", async () => {
    const recorded = recordedFetch(() => json(thing));
    const api = testClient(recorded.fetch);
    const tooLong = await api.call("startThing", { body: { name: "x".repeat(21) } }).catch((e: unknown) => e);
    expect(tooLong).toBeInstanceOf(ValidationError);
    expect((tooLong as Error).message).toBe("startThing: invalid input, not sent: name: must have at most 20 characters (got 21)");
    const empty = await api.call("getThing", { path: { id: "" } }).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(ValidationError);
    expect((empty as ValidationError).operation).toBe("getThing");
    expect((empty as ValidationError).issues[0]!.path).toBe("id");
    expect(recorded.requests).toHaveLength(0);
  });

  it("never throws synchronously: even bad options reject the promise", async () => {
    const recorded = recordedFetch(() => json(thing));
    const api = testClient(recorded.fetch);
    let pending: Promise<unknown> | undefined;
    expect(() => (pending = api.call("getThing", { path: { id: "t1" } }, { timeout: -1 }))).not.toThrow();
    await expect(pending).rejects.toBeInstanceOf(ValidationError);
    await expect(pending).rejects.toThrow(/options\.timeout/);
  });

  it("an unknown operation is an ImportkitError, not a crash", async () => {
    const recorded = recordedFetch(() => json(thing));
    await expect(testClient(recorded.fetch).call("nope" as "getThing", { path: { id: "x" } })).rejects.toBeInstanceOf(ImportkitError);
  });
});
