// `raw`: plain openapi-fetch over the same pipeline. Its middleware works as openapi-fetch documents it, and its calls
// are checked, retried and credentialed like every other call.
import { describe, expect, it } from "vitest";
import { ValidationError } from "@importkit/core";
import { createApiClient } from "@importkit/core/internal";
import { json, recordedFetch, TEST_BASE, TEST_TOKEN, testProvider, type TestOps, type Thing } from "./test-api.ts";

/** The paths type openapi-typescript would generate for the test API (the part raw needs). */
interface TestPaths {
  "/things/{id}": { get: TestOps["getThing"]; delete: TestOps["deleteThing"] };
  "/things": { get: TestOps["listThings"]; post: TestOps["startThing"] };
}

const thing: Thing = { id: "t1", status: "queued" };
const rawClient = (fetchImpl: typeof fetch, validate?: "documented" | "strict" | "off") =>
  createApiClient<TestOps, TestPaths>(testProvider(), { fetch: fetchImpl, maxRetries: 1, ...(validate ? { validate } : {}) }).raw;

describe("raw", () => {
  it("answers openapi-fetch's { data, response }, with credentials added beneath it", async () => {
    const recorded = recordedFetch(() => json(thing));
    const { data, response } = await rawClient(recorded.fetch).GET("/things/{id}", { params: { path: { id: "t1" } } });
    expect(data).toEqual(thing);
    expect(response.status).toBe(200);
    expect(recorded.requests[0]).toMatchObject({ url: `${TEST_BASE}/things/t1`, redirect: "manual" });
    expect(recorded.requests[0]!.headers.authorization).toBe(`Bearer ${TEST_TOKEN}`);
  });

  it("an error status is openapi-fetch's { error }, after the same retries as any call", async () => {
    const recorded = recordedFetch(() => json({ message: "down" }, 503, { "retry-after-ms": "1" }));
    const { error, response } = await rawClient(recorded.fetch).GET("/things/{id}", { params: { path: { id: "t1" } } });
    expect(response.status).toBe(503);
    expect(error).toEqual({ message: "down" });
    expect(recorded.requests).toHaveLength(2);
  });

  it("middleware that returns a new Request is sent as that Request", async () => {
    const recorded = recordedFetch(() => json(thing));
    const raw = rawClient(recorded.fetch);
    raw.use({
      onRequest: ({ request }) => {
        const headers = new Headers(request.headers);
        headers.set("x-traced", "yes");
        return new Request(request, { headers });
      },
    });
    const { data } = await raw.GET("/things/{id}", { params: { path: { id: "t1" } } });
    expect(data).toEqual(thing);
    expect(recorded.requests[0]!.headers["x-traced"]).toBe("yes");
    expect(recorded.requests[0]!.headers.authorization).toBe(`Bearer ${TEST_TOKEN}`);
  });

  it("middleware that returns a Response answers without a request", async () => {
    const recorded = recordedFetch(() => json(thing));
    const raw = rawClient(recorded.fetch);
    raw.use({ onRequest: () => json({ id: "cached", status: "done" }) });
    const { data } = await raw.GET("/things/{id}", { params: { path: { id: "t1" } } });
    expect(data).toEqual({ id: "cached", status: "done" });
    expect(recorded.requests).toHaveLength(0);
  });

  it("middleware can read the request body and the response body", async () => {
    const recorded = recordedFetch(() => json(thing, 201));
    const raw = rawClient(recorded.fetch);
    const seen: string[] = [];
    raw.use({
      onRequest: async ({ request }) => void seen.push(await request.clone().text()),
      onResponse: async ({ response }) => void seen.push((await response.clone().json()).id),
    });
    const { data } = await raw.POST("/things", { body: { name: "alpha" } });
    expect(data).toEqual(thing);
    expect(seen).toEqual(['{"name":"alpha"}', "t1"]);
    expect(recorded.requests[0]!.body).toBe('{"name":"alpha"}');
  });

  it("a start through raw is resent only when the server cannot have acted (the table is found from the URL)", async () => {
    const recorded = recordedFetch(() => json({ message: "boom" }, 500));
    const { response } = await rawClient(recorded.fetch).POST("/things", { body: { name: "alpha" } });
    expect(response.status).toBe(500);
    expect(recorded.requests).toHaveLength(1);
  });

  it("obeys the client's validate mode, and a call's own", async () => {
    const recorded = recordedFetch(() => json(thing, 201));
    await expect(rawClient(recorded.fetch).POST("/things", { body: { name: "x".repeat(21) } })).rejects.toBeInstanceOf(ValidationError);
    // The inferred `url` format: sent in documented mode, refused in strict, and nothing is checked with off.
    await expect(rawClient(recorded.fetch).POST("/things", { body: { name: "a", url: "not a url" } })).resolves.toMatchObject({ data: thing });
    await expect(rawClient(recorded.fetch, "strict").POST("/things", { body: { name: "a", url: "not a url" } })).rejects.toBeInstanceOf(ValidationError);
    await expect(rawClient(recorded.fetch, "off").POST("/things", { body: { name: "x".repeat(21) } })).resolves.toMatchObject({ data: thing });
    await expect(
      rawClient(recorded.fetch).POST("/things", { body: { name: "a", url: "not a url" }, validate: "strict" } as never),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it("a path parameter that cannot be sent is refused in every mode (empty, `..`, a lone surrogate)", async () => {
    const recorded = recordedFetch(() => json(thing));
    for (const id of ["", "..", "\ud800x"]) {
      await expect(rawClient(recorded.fetch, "off").GET("/things/{id}", { params: { path: { id } } })).rejects.toBeInstanceOf(ValidationError);
    }
    expect(recorded.requests).toHaveLength(0);
  });

  // openapi-fetch is loaded on the first raw call (raw.ts), not with the client: what was registered before then
  // must be what the loaded client runs, in order, and an eject before then must hold.
  it("middleware used and ejected before the first call is the middleware the first call runs, in order", async () => {
    const recorded = recordedFetch(() => json(thing));
    const raw = rawClient(recorded.fetch);
    const order: string[] = [];
    const tag = (name: string) => ({
      onRequest: ({ request }: { request: Request }) => {
        order.push(name);
        const headers = new Headers(request.headers);
        headers.append("x-seen", name);
        return new Request(request, { headers });
      },
    });
    const first = tag("first");
    const ejected = tag("ejected");
    const second = tag("second");
    raw.use(first, ejected);
    raw.use(second);
    raw.eject(ejected);
    const [a, b] = await Promise.all([
      raw.GET("/things/{id}", { params: { path: { id: "t1" } } }),
      raw.GET("/things/{id}", { params: { path: { id: "t2" } } }),
    ]);
    expect([a.data, b.data]).toEqual([thing, thing]);
    expect(order.sort()).toEqual(["first", "first", "second", "second"]);
    expect(recorded.requests.map((r) => r.headers["x-seen"])).toEqual(["first, second", "first, second"]);
    // Once loaded, use and eject act on the client itself.
    raw.eject(second);
    await raw.GET("/things/{id}", { params: { path: { id: "t3" } } });
    expect(recorded.requests[2]!.headers["x-seen"]).toBe("first");
  });

  it("a bad path is refused before openapi-fetch is even loaded, as a rejection", async () => {
    const recorded = recordedFetch(() => json(thing));
    const raw = rawClient(recorded.fetch);
    const pending = (raw as unknown as { request: (m: string, p: string, i?: unknown) => Promise<unknown> }).request("GET", "/nowhere");
    await expect(pending).rejects.toBeInstanceOf(ValidationError);
    expect(recorded.requests).toHaveLength(0);
  });
});
