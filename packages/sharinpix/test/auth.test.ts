// Credentials: secret URLs, the JWTs minted from them (claims, expiry, renewal) and ready tokens.
import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createSharinPixClient, DEFAULT_TOKEN_LIFETIME_S, parseSecretUrl, ValidationError, type SharinPixClientOptions } from "@importkit/sharinpix";
import { startFaultServer, type FaultServer } from "../../../test/fault-server.ts";
import { createdExamples, getImportExamples } from "./spec-examples.ts";

const SECRET_ID = "3800be29-b5d3-4064-ad70-df9d3bccb84f";
const SECRET = "s3cr3t_SENTINEL_7d1c9e+/=";
const secretUrl = `sharinpix://${SECRET_ID}:${encodeURIComponent(SECRET)}@api.sharinpix.com/api/v1`;
const importId = "1e908c13-c77e-43b2-b471-b474c2e00a78";
const key = new TextEncoder().encode(SECRET);

let server: FaultServer;
beforeAll(async () => {
  server = await startFaultServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.fallback = { status: 200, json: getImportExamples.processed!.value };
});
afterEach(() => {
  vi.useRealTimers();
});

function client(extra: Partial<SharinPixClientOptions> = {}) {
  return createSharinPixClient({ secretUrl, baseUrl: server.url, ...extra } as SharinPixClientOptions);
}

/** The JWT inside each recorded `Authorization: Token token="…"`. */
function sentTokens(): string[] {
  return server.requests.map((r) => {
    const match = /^Token token="([^"]+)"$/.exec(String(r.headers.authorization));
    if (!match) throw new Error(`unexpected Authorization header: ${r.headers.authorization}`);
    return match[1]!;
  });
}

describe("the minted JWT", () => {
  it("is HS256, signed with the secret, iss = secret id, admin by default, valid for an hour", async () => {
    const before = Math.floor(Date.now() / 1000);
    await client().imports.get(importId);
    const [jwt] = sentTokens();
    expect(decodeProtectedHeader(jwt!)).toEqual({ typ: "JWT", alg: "HS256" });
    const { payload } = await jwtVerify(jwt!, key, { algorithms: ["HS256"], issuer: SECRET_ID });
    expect(payload).toEqual({ iss: SECRET_ID, admin: true, iat: expect.any(Number), exp: expect.any(Number) });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.iat).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(payload.exp! - payload.iat!).toBe(DEFAULT_TOKEN_LIFETIME_S);
  });

  it("carries the abilities instead of admin when given, with the lifetime asked for", async () => {
    const abilities = { "5005800000HEXCtAAP": { Access: { image_upload: true } } };
    await client({ abilities, tokenLifetime: 600 }).imports.get(importId);
    const payload = decodeJwt(sentTokens()[0]!);
    expect(payload.abilities).toEqual(abilities);
    expect(payload.admin).toBeUndefined();
    expect(payload.exp! - payload.iat!).toBe(600);
  });

  it("does not verify with another secret", async () => {
    await client().imports.get(importId);
    await expect(jwtVerify(sentTokens()[0]!, new TextEncoder().encode("another secret"))).rejects.toThrow();
  });

  it("is minted once for many concurrent first requests, then reused", async () => {
    const sharinpix = client();
    await Promise.all(Array.from({ length: 20 }, () => sharinpix.imports.get(importId)));
    await sharinpix.imports.get(importId);
    expect(new Set(sentTokens()).size).toBe(1);
    expect(server.requests).toHaveLength(21);
  });

  it("a long-lived client renews it shortly before it expires", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = new Date("2026-03-01T10:00:00Z").getTime();
    vi.setSystemTime(start);
    const sharinpix = client({ tokenLifetime: 3600 });

    await sharinpix.imports.get(importId);
    vi.setSystemTime(start + 50 * 60_000); // 50 minutes in: still the first token
    await sharinpix.imports.get(importId);
    vi.setSystemTime(start + 59 * 60_000 + 30_000); // 30 s before exp: inside the renewal margin
    await sharinpix.imports.get(importId);
    vi.setSystemTime(start + 3 * 3600_000); // hours later: renewed again
    await sharinpix.imports.get(importId);

    const [first, second, third, fourth] = sentTokens().map((jwt) => decodeJwt(jwt));
    expect(second).toEqual(first);
    expect(first!.exp).toBe(start / 1000 + 3600);
    expect(third!.iat).toBe(start / 1000 + 3570);
    expect(third!.exp).toBe(start / 1000 + 3570 + 3600);
    expect(fourth!.iat).toBe(start / 1000 + 3 * 3600);
  });

  it("a retry after the token's renewal point carries a fresh token", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = new Date("2026-03-01T10:00:00Z").getTime();
    vi.setSystemTime(start);
    const sharinpix = client({ tokenLifetime: 3600 });
    await sharinpix.imports.get(importId);
    server.queue({
      handler: (_req, res) => {
        vi.setSystemTime(start + 3590_000); // the first attempt took "an hour"
        res.writeHead(503, { "retry-after": "0" }).end();
      },
    });
    await sharinpix.imports.get(importId);
    const [, attempt1, attempt2] = sentTokens();
    expect(attempt1).toBe(sentTokens()[0]);
    expect(attempt2).not.toBe(attempt1);
  });
});

describe("secret URLs", () => {
  it("reads the id, the (percent-decoded) secret and the host", () => {
    expect(parseSecretUrl(secretUrl)).toEqual({ secretId: SECRET_ID, secret: SECRET, baseUrl: "https://api.sharinpix.com/api/v1" });
    expect(parseSecretUrl("sharinpix://id:sec@localhost:5001/api/v1").baseUrl).toBe("https://localhost:5001/api/v1");
    expect(parseSecretUrl("sharinpix://id:sec@eu.sharinpix.com").baseUrl).toBe("https://eu.sharinpix.com/api/v1");
  });

  it("sends requests to the secret URL's host", async () => {
    const urls: string[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      urls.push(new Request(input, init).url);
      return Response.json(createdExamples.urlImport!.value);
    };
    await createSharinPixClient({ secretUrl: "sharinpix://id:secret-value@eu.example.org/api/v1", fetch }).imports.get(importId);
    expect(urls).toEqual([`https://eu.example.org/api/v1/imports/${importId}`]);
  });

  it.each([
    ["empty", ""],
    ["not a URL", `${SECRET_ID}:${SECRET}`],
    ["another scheme", `https://${SECRET_ID}:${encodeURIComponent(SECRET)}@api.sharinpix.com/api/v1`],
    ["no secret id", `sharinpix://:${encodeURIComponent(SECRET)}@api.sharinpix.com/api/v1`],
    ["no secret", `sharinpix://${SECRET_ID}@api.sharinpix.com/api/v1`],
    ["no host", `sharinpix://${SECRET_ID}:${encodeURIComponent(SECRET)}@/api/v1`],
    ["a query", `sharinpix://${SECRET_ID}:${encodeURIComponent(SECRET)}@api.sharinpix.com/api/v1?x=${encodeURIComponent(SECRET)}`],
    ["bad percent-encoding", `sharinpix://${SECRET_ID}:%E0%A4%A${SECRET.slice(0, 10)}@api.sharinpix.com/api/v1`],
  ])("%s: a ValidationError on secretUrl that never shows the secret", (_name, bad) => {
    let error: unknown;
    const fetch = vi.fn();
    try {
      createSharinPixClient({ secretUrl: bad, fetch });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]!.path).toBe("secretUrl");
    expect((error as Error).message).toMatch(/sharinpix:\/\/<secret id>:<secret>@<host>\/api\/v1/);
    for (const text of [(error as Error).message, (error as Error).stack ?? "", JSON.stringify(error), String((error as Error).cause ?? "")]) {
      expect(text).not.toContain(SECRET.slice(0, 10));
      expect(text).not.toContain(encodeURIComponent(SECRET).slice(0, 10));
    }
    expect(fetch).not.toHaveBeenCalled();
  });

  it.each([
    ["abilities that are not an object", { abilities: ["a"] }, "abilities"],
    ["a lifetime under 10 s", { tokenLifetime: 5 }, "tokenLifetime"],
    ["both a secret URL and a token", { token: "a.b.c" }, "secretUrl"],
    ["a host beside a secret URL", { host: "api.sharinpix.com" }, "host"],
    ["an unknown encoding", { encoding: "xml" }, "encoding"],
  ])("%s: a ValidationError naming the option", (_name, extra, path) => {
    const attempt = () => createSharinPixClient({ secretUrl, ...extra } as unknown as SharinPixClientOptions);
    expect(attempt).toThrow(ValidationError);
    try {
      attempt();
    } catch (error) {
      expect((error as ValidationError).issues[0]!.path).toBe(path);
    }
  });
});

describe("a ready token", () => {
  const jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoiZjE5MDBiYmEifQ.c2lnbmF0dXJl";

  it("is sent as is, to https://<host>/api/v1", async () => {
    const seen: Array<{ url: string; authorization: string | null }> = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      seen.push({ url: request.url, authorization: request.headers.get("authorization") });
      return Response.json(getImportExamples.processed!.value);
    };
    await createSharinPixClient({ token: jwt, host: "localhost:5001", fetch }).imports.get(importId);
    await createSharinPixClient({ token: jwt, fetch }).imports.get(importId);
    expect(seen).toEqual([
      { url: `https://localhost:5001/api/v1/imports/${importId}`, authorization: `Token token="${jwt}"` },
      { url: `https://api.sharinpix.com/api/v1/imports/${importId}`, authorization: `Token token="${jwt}"` },
    ]);
  });

  it.each([
    ["neither a token nor a secret URL", {}, "secretUrl"],
    ["an Authorization value instead of the JWT", { token: `Token token="${jwt}"` }, "token"],
    ["a host with a scheme", { token: jwt, host: "https://api.sharinpix.com" }, "host"],
    ["minting options beside it", { token: jwt, abilities: {} }, "abilities"],
  ])("%s: a ValidationError", (_name, options, path) => {
    try {
      createSharinPixClient(options as SharinPixClientOptions);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]!.path).toBe(path);
      expect((error as Error).message).not.toContain(jwt);
    }
  });
});
