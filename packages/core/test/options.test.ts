// Every client option is checked when the client is created: a ValidationError naming the option, never a failure at
// the first request, and never the value itself in the message (an option may hold a credential).
import { describe, expect, it } from "vitest";
import { ValidationError } from "@importkit/core";
import { checkCredential } from "@importkit/core/internal";
import { json, recordedFetch, testClient } from "./test-api.ts";

const ok = recordedFetch(() => json({ id: "t1", status: "done" }));

describe("client options", () => {
  it.each([
    ["timeout", { timeout: -1 }],
    ["timeout", { timeout: Number.NaN }],
    ["timeout", { timeout: "60s" }],
    ["timeout", { timeout: 2 ** 31 }],
    ["maxRetries", { maxRetries: Number.POSITIVE_INFINITY }],
    ["maxRetries", { maxRetries: -1 }],
    ["maxRetries", { maxRetries: 2.5 }],
    ["maxRetries", { maxRetries: 11 }],
    ["baseUrl", { baseUrl: "api.gitbook.com" }],
    ["baseUrl", { baseUrl: "ftp://files.example.com" }],
    ["baseUrl", { baseUrl: "https://user:SENTINEL_pw@api.example.com" }],
    ["baseUrl", { baseUrl: "https://api.example.com/v1?x=1" }],
    ["fetch", { fetch: "fetch" }],
    ["headers", { headers: ["a"] }],
    ["headers.X-Bad", { headers: { "X-Bad": "line\r\nInjected: SENTINEL_hdr" } }],
    ["headers.X-Bad", { headers: { "X-Bad": "caf\u00e9 \u2603" } }],
    ["headers.bad name", { headers: { "bad name": "x" } }],
    ["userAgent", { userAgent: "me\nSENTINEL_ua" }],
    ["logger", { logger: "console" }],
    ["logger.warn", { logger: { warn: "no" } }],
    ["signal", { signal: {} }],
    ["validate", { validate: "loose" }],
    ["maxResponseBytes", { maxResponseBytes: 10 }],
  ])("%s: %j is refused at creation", (name, options) => {
    let error: unknown;
    try {
      testClient(ok.fetch, options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]!.path).toBe(name);
    expect((error as Error).message).not.toMatch(/SENTINEL/);
  });

  it("good options make a client that sends nothing until called", () => {
    testClient(ok.fetch, { timeout: 5_000, maxRetries: 0, baseUrl: "http://127.0.0.1:1/v1/", headers: { "X-A": "b" }, validate: "strict" });
    expect(ok.requests).toHaveLength(0);
  });

  it.each([
    ["", /is required/],
    ["  ", /is required/],
    ["tok\nen", /line break/],
    ["tok\u0000en", /line break or NUL/],
    ["tök\u2603", /outside Latin-1/],
  ])("a credential %j is refused, naming the option and not the value", (value, message) => {
    let error: unknown;
    try {
      checkCredential(value, "token", "an access token");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]!.path).toBe("token");
    expect((error as Error).message).toMatch(message);
    if (value.trim()) expect((error as Error).message).not.toContain(value);
  });
});
