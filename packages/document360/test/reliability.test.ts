// Regions, input validation, rate limits, downloads and redaction of the Document360 client, over real HTTP on
// loopback (test/fault-server.ts) or a recording fetch: nothing here leaves the machine.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import {
  ApiError,
  ConnectionError,
  createDocument360Client,
  ExportFailedError,
  ImportkitError,
  InvalidRequestError,
  InvalidResponseError,
  NotFoundError,
  RateLimitError,
  TimeoutError,
  ValidationError,
  type Document360ClientOptions,
  type ExportDocumentationStatusResponse,
} from "@importkit/document360";
import { onFakeClock } from "../../../test/fake-clock.ts";
import { type Fault, useFaultServer } from "../../../test/fault-server.ts";
import { renderingsOf } from "../../../test/renderings.ts";

const TOKEN = "d360tok_SENTINEL_5e4d3c2b1a09";
const importId = "imp_1";
const exportId = "exp_1";
const envelope = { extension_data: null, success: true, errors: [], warnings: [], information: [] };
const importBody = { source_documentation_url: "https://files.example.com/exports/project.zip", import_by: "5a619a315481302d50b736d8" };
const vendorError = (description: string, code = "400") => ({
  ...envelope,
  success: false,
  errors: [{ extension_data: null, stack_trace: null, description, error_code: code, custom_data: null }],
});

// Before each test: no recorded requests, a fresh log, and this answer to any request a test has not queued.
const { server, log } = useFaultServer({ fallback: { status: 200, json: { ...envelope, id: importId, status: "Queued" } } });
const dir = mkdtempSync(join(tmpdir(), "importkit-d360-rel-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function client(extra: Partial<Document360ClientOptions> = {}) {
  return createDocument360Client({
    apiToken: TOKEN,
    baseUrl: server.url,
    logger: log.logger,
    ...extra,
  });
}

/** A fetch that records where requests go and answers a queued import, so region tests need no network. */
/** What `fn` throws; a test that expected a throw fails here, by name, when nothing is thrown. */
function thrownBy<E = Error>(fn: () => unknown): E {
  try {
    fn();
  } catch (error) {
    return error as E;
  }
  throw new Error("expected a throw, but the call returned");
}

function recordingFetch() {
  const urls: string[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    urls.push(request.url);
    return Response.json({ ...envelope, status: "Queued" }, { headers: { "x-ratelimit-remaining": "59" } });
  };
  return { fetch, urls };
}

describe("regions", () => {
  it.each([
    [undefined, "https://apihub.document360.io/v2/Project/Import/imp_1"],
    ["eu", "https://apihub.document360.io/v2/Project/Import/imp_1"],
    ["us", "https://apihub.us.document360.io/v2/Project/Import/imp_1"],
    [{ privateHost: "acme" }, "https://apihub.acme.document360.io/v2/Project/Import/imp_1"],
    [{ privateHost: "Acme-Docs2" }, "https://apihub.acme-docs2.document360.io/v2/Project/Import/imp_1"],
  ] as const)("region %j calls %s", async (region, expected) => {
    const recorder = recordingFetch();
    await createDocument360Client({ apiToken: TOKEN, fetch: recorder.fetch, ...(region ? { region } : {}) }).imports.get(importId);
    expect(recorder.urls).toEqual([expected]);
  });

  it("baseUrl overrides the region", async () => {
    const recorder = recordingFetch();
    await createDocument360Client({ apiToken: TOKEN, region: "us", baseUrl: "http://127.0.0.1:9/mock", fetch: recorder.fetch }).imports.get(importId);
    expect(recorder.urls).toEqual(["http://127.0.0.1:9/mock/v2/Project/Import/imp_1"]);
  });

  it.each([
    ["an unknown region", "asia", "region", /unknown region "asia"/],
    ["an upper-case region", "EU", "region", /unknown region "EU"/],
    ["null", null, "region", /must be "eu", "us" or \{ privateHost/],
    ["an object without privateHost", { host: "acme" }, "region", /must be "eu", "us"/],
    ["a URL as privateHost", { privateHost: "https://evil.example/steal" }, "region.privateHost", /not a URL or a path/],
    ["a host name as privateHost", { privateHost: "evil.example" }, "region.privateHost", /not a full host name/],
    ["a host with userinfo", { privateHost: "acme@evil" }, "region.privateHost", /characters a host label cannot have/],
    ["a port", { privateHost: "acme:8443" }, "region.privateHost", /characters a host label cannot have/],
    ["a fragment", { privateHost: "evil#" }, "region.privateHost", /characters/],
    ["a leading hyphen", { privateHost: "-acme" }, "region.privateHost", /characters/],
    ["an empty privateHost", { privateHost: "" }, "region.privateHost", /empty string/],
    ["a number as privateHost", { privateHost: 42 }, "region.privateHost", /got number/],
  ])("%s is a ValidationError naming %s", (_name, region, path, message) => {
    const recorder = recordingFetch();
    const attempt = () => createDocument360Client({ apiToken: TOKEN, fetch: recorder.fetch, region: region as never });
    expect(attempt).toThrow(ValidationError);
    const error = thrownBy<ValidationError>(() => attempt());
    expect(error.issues[0]!.path).toBe(path);
    expect(error.message).toMatch(message);
    expect(recorder.urls).toEqual([]);
  });

  it("the token passed as the region by mistake is not echoed", () => {
    const error = thrownBy<Error>(() => createDocument360Client({ apiToken: TOKEN, region: TOKEN as never }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).not.toContain(TOKEN);
  });

  it("a token pasted as privateHost is refused before any request (a host name travels in clear), in any case", () => {
    // Shaped like a host label, unlike TOKEN: it would pass the label check, and URL parsers lowercase it.
    const apiToken = "Q7fA9kLmN2pR4sT6vX8zB1cD3eF5gH";
    for (const privateHost of [apiToken, apiToken.toLowerCase()]) {
      const recorder = recordingFetch();
      const error = thrownBy<ValidationError>(() => createDocument360Client({ apiToken, fetch: recorder.fetch, region: { privateHost } }));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.issues[0]!.path).toBe("region.privateHost");
      expect(error.message).toMatch(/holds the API token/);
      expect(`${error.message}\n${error.stack}`.toLowerCase()).not.toContain(apiToken.toLowerCase());
      expect(recorder.urls).toEqual([]);
    }
  });

  it("a region that quotes the token past its 40th character keeps no start of it (redacted before the cut)", () => {
    for (const region of [`${"x".repeat(30)}${TOKEN}`, `${"y".repeat(38)}${TOKEN}`]) {
      const error = thrownBy<Error>(() => createDocument360Client({ apiToken: TOKEN, region: region as never }));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.message).toContain("unknown region");
      expect(error.message).not.toContain(TOKEN.slice(0, 3));
    }
  });
});

describe("bad input is refused before any request", () => {
  it.each([
    ["no token", {}, /API token is required/],
    ["an empty token", { apiToken: "  " }, /API token is required/],
    ["a token with a newline", { apiToken: `${TOKEN}\n` }, /line break/],
  ])("%s", (_name, options, message) => {
    const error = thrownBy<ValidationError>(() => createDocument360Client(options as Document360ClientOptions));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues[0]!.path).toBe("apiToken");
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(TOKEN);
  });

  // The body is checked against the spec alone (issue 11 removed the hand validator `validateImport`): field names are
  // the wire's, messages the validator's. What the spec marks x-inferred (source_documentation_url and import_by
  // non-empty, import_by non-blank and non-null) is refused in `validate: "strict"` mode; by default it is warned
  // about and sent (below).
  it.each([
    ["no source", "strict", { import_by: "u1" }, ["source_documentation_url"], /source_documentation_url: is required/],
    ["an empty import_by", "strict", { ...importBody, import_by: "" }, ["import_by"], /import_by: must have at least 1 characters/],
    ["a blank import_by", "strict", { ...importBody, import_by: "   " }, ["import_by"], /import_by: must match/],
    ["a null import_by", "strict", { ...importBody, import_by: null }, ["import_by"], /import_by: must be string \(got null\)/],
    ["a string publish_article", "documented", { ...importBody, publish_article: "yes" }, ["publish_article"], /boolean/],
    ["everything wrong at once", "strict", { source_documentation_url: "", import_by: "" }, ["source_documentation_url", "import_by"], /source_documentation_url: .*; import_by: /],
  ] as const)("imports.start with %s (%s mode)", async (_name, mode, body, paths, message) => {
    const error = (await client().imports.start(body as never, { validate: mode }).catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    // One field may break several rules at once (an empty import_by: minLength and pattern): each field once here.
    expect([...new Set(error.issues.map((i) => i.path))]).toEqual(paths);
    expect(error.message).toMatch(message);
    expect(error.operation).toBe("importDocumentation");
    expect(server.requests).toHaveLength(0);
  });

  it("accepts a signed .zip URL, upper-case extension and query included, and hides its signature in errors", async () => {
    await client().imports.start({ ...importBody, source_documentation_url: "https://blob.example.net/c/PROJECT.ZIP?sv=1&sig=abc123secret" });
    expect(server.requests).toHaveLength(1);
    // The .zip rule is Document360's own since issue 11: its 400 quotes the URL, signature and all.
    server.queue({ status: 400, json: vendorError("Invalid Source DocumentationURI https://blob.example.net/c/project.7z?sv=1&sig=abc123secret, Document360 only accept .zip files.") });
    const error = (await client()
      .imports.start({ ...importBody, source_documentation_url: "https://blob.example.net/c/project.7z?sv=1&sig=abc123secret" })
      .catch((e: unknown) => e)) as InvalidRequestError;
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toContain("sig=[REDACTED]");
    for (const text of [...renderingsOf(error), ...log.lines]) expect(text).not.toContain("abc123secret");
  });

  it.each([
    ["imports.get", () => client().imports.get(""), "importId"],
    // A deadline, so that should the empty id ever be sent, the wait ends (WaitTimeoutError) instead of polling on.
    ["imports.waitFor (empty)", () => client().imports.waitFor("", { deadline: 2_000 }), "importId"],
    ["imports.waitFor (blank, strict)", () => client().imports.waitFor(" ", { validate: "strict" }), "importId"],
    ["exports.get", () => client().exports.get(undefined as never), "exportId"],
    ["exports.waitFor", () => client().exports.waitFor("", { deadline: 2_000 }), "exportId"],
    ["exports.start without entity", () => client().exports.start({} as never), "entity"],
    ["exports.start with an empty entity (strict)", () => client().exports.start({ entity: "" }, { validate: "strict" }), "entity"],
    ["exports.download of nothing", () => client().exports.download(null as never), "export"],
    ["exports.download of a running export", () => client().exports.download({ status: "InProgress", download_url: null }), "export.status"],
  ])("%s", async (_name, run, path) => {
    const error = (await Promise.resolve(run()).catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues[0]!.path).toBe(path);
    expect(server.requests).toHaveLength(0);
  });
});

describe("input the client no longer refuses itself (issue 11)", () => {
  // Before issue 11 the hand validator refused these sources (a path not ending in .zip; not an absolute http(s)
  // URL). The spec states neither rule (source_documentation_url is a non-empty string), so the request is sent
  // and Document360 answers for itself (400 "Invalid Source DocumentationURI ...").
  it.each([
    ["a .tar.gz source", "https://files.example.com/project.tar.gz"],
    ["a .zip only in the query", "https://files.example.com/get?file=project.zip"],
    ["a relative source", "project.zip"],
    ["an ftp source", "ftp://files.example.com/project.zip"],
  ])("imports.start with %s is sent as given", async (_name, source) => {
    const started = await client().imports.start({ ...importBody, source_documentation_url: source });
    expect(started.id).toBe(importId);
    expect(server.requests).toHaveLength(1);
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ ...importBody, source_documentation_url: source });
  });

  it("a rule importkit only inferred (a blank import_by, a blank id) is warned about and sent in the default mode", async () => {
    await client().imports.start({ ...importBody, import_by: "   " });
    await client().exports.get(" ");
    expect(server.requests.map((r) => r.url)).toEqual(["/v2/Project/Import", "/v2/Project/Export/%20"]);
    expect(log.lines.filter((l) => l.startsWith("warn"))).toEqual([
      expect.stringMatching(/^warn importDocumentation: import_by must match .*validate: "strict" refuses it/),
      expect.stringMatching(/^warn getExportStatus: exportId must match .*validate: "strict" refuses it/),
    ]);
  });
});

describe("what a successful response says", () => {
  it("errors[] on a 200 come back as warnings (kept in errors too) and are logged, never thrown", async () => {
    server.queue({ status: 200, json: { ...vendorError("Export is slow today", "W1"), status: "InProgress", download_url: null } });
    const status = await client().exports.get(exportId);
    expect(status.status).toBe("InProgress");
    expect(status.errors).toHaveLength(1);
    expect(status.warnings).toEqual([{ description: "Export is slow today", warning_code: "W1" }]);
    expect(log.lines.filter((l) => l.startsWith("warn"))).toEqual([expect.stringContaining("getExportStatus succeeded but its body lists errors")]);
  });

  it("a start answered 200 without an id is an InvalidResponseError carrying the errors", async () => {
    server.queue({ status: 200, json: { ...vendorError("Something odd", ""), id: null, status: null } });
    const error = await client().imports.start(importBody).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toBe("importDocumentation succeeded but returned no import id, so the import cannot be followed: Something odd");
  });

  it("a 400 whose errors[] are not the daily cap stays a plain InvalidRequestError", async () => {
    server.queue({ status: 400, json: vendorError("The Entity field is required.") });
    const error = await client().exports.start({ entity: "Project" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).name).toBe("InvalidRequestError");
  });

  it("waitFor treats an unknown status (and a missing one) as still running", async () => {
    server.queue(
      { status: 200, json: { ...envelope, status: "Validating" } },
      { status: 200, json: { ...envelope, status: null } },
      { status: 200, json: { ...envelope, status: "Completed", import_documentation_log: null } },
    );
    const seen: Array<string | null | undefined> = [];
    const done = await client().imports.waitFor(importId, { interval: 5, onProgress: (s) => seen.push(s.status) });
    expect(done.status).toBe("Completed");
    expect(seen).toEqual(["Validating", null, "Completed"]);
  });

  it("an export that ends in Error names the errors Document360 gave", async () => {
    server.queue({ status: 200, json: { ...vendorError("Storage quota exceeded", "500"), status: "Error", download_url: null } });
    const error = (await client().exports.waitFor(exportId, { interval: 5 }).catch((e: unknown) => e)) as ExportFailedError;
    expect(error).toBeInstanceOf(ExportFailedError);
    expect(error.reason).toBe("Storage quota exceeded");
  });
});

describe("rate limits", () => {
  /** Records when each request reached the server, then plays the given fault. */
  function timed(arrivals: number[], fault: { status: number; headers?: Record<string, string>; json?: unknown }): Fault {
    return {
      handler: (_req, res) => {
        arrivals.push(Date.now());
        res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers });
        res.end(JSON.stringify(fault.json ?? {}));
      },
    };
  }
  const running = { ...envelope, status: "InProgress", import_documentation_log: null };

  it("a 429 waits X-RateLimit-Reset seconds (relative), then retries", async () => {
    const arrivals: number[] = [];
    server.queue(
      timed(arrivals, { status: 429, headers: { "x-ratelimit-limit": "60", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1" }, json: vendorError("Rate limit has been exceeded.", "429") }),
      timed(arrivals, { status: 200, json: running }),
    );
    expect((await client().imports.get(importId)).status).toBe("InProgress");
    expect(arrivals).toHaveLength(2);
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(950);
    expect(log.lines.some((l) => /answered 429; retrying in 1000 ms/.test(l))).toBe(true);
  });

  it("a 429 asking for more than 60 s is not waited out: the RateLimitError carries the wait", async () => {
    server.queue({ status: 429, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "120" }, json: vendorError("Rate limit has been exceeded.", "429") });
    const error = (await client().imports.get(importId).catch((e: unknown) => e)) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(120_000);
    expect(server.requests).toHaveLength(1);
  });

  it("the client's calls share the budget: with 1 request left, the others wait for the window", async () => {
    const arrivals: number[] = [];
    // On the fake clock: "goes now" is no time at all, however loaded the machine (an upper bound in real ms races).
    await onFakeClock(server, async () => {
      const d360 = client();
      server.queue(timed(arrivals, { status: 200, headers: { "x-ratelimit-remaining": "1" }, json: running }));
      await d360.imports.get(importId);
      // One request remains: the first of three concurrent calls goes now, and its answer closes the window.
      server.queue(timed(arrivals, { status: 200, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1" }, json: running }));
      server.fallback = timed(arrivals, { status: 200, headers: { "x-ratelimit-remaining": "58" }, json: running });
      await Promise.all([d360.imports.get(importId), d360.exports.get(exportId), d360.imports.get(importId)]);
    });
    expect(arrivals).toHaveLength(4);
    expect(arrivals[1]! - arrivals[0]!).toBe(0);
    expect(arrivals[2]! - arrivals[1]!).toBeGreaterThanOrEqual(900);
    expect(arrivals[3]! - arrivals[1]!).toBeGreaterThanOrEqual(900);
    expect(server.requests.every((r) => r.headers.api_token === TOKEN)).toBe(true);
  });

  it("waitFor paces its polls by the headers: none left means the next poll waits for the reset", async () => {
    const arrivals: number[] = [];
    server.queue(
      timed(arrivals, { status: 200, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1" }, json: running }),
      timed(arrivals, { status: 200, headers: { "x-ratelimit-remaining": "59" }, json: { ...running, status: "Completed" } }),
    );
    const done = await client().imports.waitFor(importId, { interval: 5 });
    expect(done.status).toBe("Completed");
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(900);
  });
});

describe("a start is not resent when the server may have acted on it", () => {
  it("a reset after the headers on an export start: ConnectionError, sent once", async () => {
    server.queue({ fault: "reset-after-headers", status: 200, partialBody: '{"id":' });
    const error = await client().exports.start({ entity: "Project", version_id: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(server.requests).toHaveLength(1);
  });

  it("a 429 on an import start is resent after the reset", async () => {
    server.queue({ status: 429, headers: { "x-ratelimit-reset": "0" }, json: vendorError("Rate limit has been exceeded.", "429") });
    expect((await client().imports.start(importBody)).id).toBe(importId);
    expect(server.requests).toHaveLength(2);
    expect(JSON.parse(server.requests[1]!.body)).toEqual(importBody);
  });
});

describe("exports.download", () => {
  const zipBytes = Buffer.from("PK\u0003\u0004 a small zip body \u0000\u0089\u00ff", "latin1");
  const completed = (path: string): ExportDocumentationStatusResponse => ({ ...envelope, status: "Completed", download_url: `${server.url}${path}` });

  it("sends neither the api_token nor the client's headers to the storage host; per-call headers, yes", async () => {
    server.queue({ status: 200, body: zipBytes, headers: { "content-type": "application/zip" } });
    const d360 = client({ headers: { "X-Team": "docs" } });
    const download = await d360.exports.download(completed("/exp/a.zip"), { headers: { "X-Storage": "yes" } });
    expect(Buffer.from(await new Response(download.body).arrayBuffer())).toEqual(zipBytes);
    const sent = server.requests[0]!.headers;
    expect(sent.api_token).toBeUndefined();
    expect(sent["x-team"]).toBeUndefined();
    expect(sent["x-storage"]).toBe("yes");
    // The API itself does get both: the checks above are not vacuous.
    await d360.imports.get(importId);
    expect(server.requests[1]!.headers.api_token).toBe(TOKEN);
    expect(server.requests[1]!.headers["x-team"]).toBe("docs");
  });

  it("by id: the status request carries the token, the download does not", async () => {
    server.queue({ status: 200, json: completed("/exp/b.zip") }, { status: 200, body: zipBytes });
    const download = await client().exports.download(exportId);
    await download.body.cancel();
    expect(server.requests.map((r) => [r.url, r.headers.api_token])).toEqual([
      [`/v2/Project/Export/${exportId}`, TOKEN],
      ["/exp/b.zip", undefined],
    ]);
  });

  it("retries a 503 from the storage host", async () => {
    server.queue({ status: 503, headers: { "retry-after": "0" } }, { status: 200, body: zipBytes });
    const download = await client().exports.download(completed("/exp/c.zip"));
    expect(Buffer.from(await new Response(download.body).arrayBuffer())).toEqual(zipBytes);
    expect(server.requests).toHaveLength(2);
  });

  it("a storage error is the typed ApiError, its signature redacted", async () => {
    server.queue({
      status: 404,
      body: '<?xml version="1.0"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.</Message></Error>',
      headers: { "content-type": "application/xml" },
    });
    const error = (await client().exports.download(completed("/exp/gone.zip?sv=1&sig=SIGNED_SECRET")).catch((e: unknown) => e)) as NotFoundError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.operation).toBe("downloadExport");
    expect(error.message).toBe(`downloadExport (GET ${server.url}/exp/gone.zip?sv=1&sig=[REDACTED]) failed with 404: BlobNotFound`);
    expect(inspect(error, { depth: 10 })).not.toContain("SIGNED_SECRET");
  });

  it("a stalled body times out while saving, and leaves no file", async () => {
    server.queue({ fault: "stall-body", partialBody: "PK\u0003\u0004 half", headers: { "content-type": "application/zip" } });
    const download = await client({ timeout: 100, maxRetries: 0 }).exports.download(completed("/exp/stall.zip"));
    const error = await download.saveTo(join(dir, "stall.zip")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    ["no download_url", null, /has no download_url/],
    ["an ftp URL", "ftp://files.example.com/a.zip", /not a valid http\(s\) URL/],
    ["a placeholder", "https://document.com//exp/<document_name>.zip", /not a valid http\(s\) URL: "https:\/\/document.com\/\/exp\/<document_name>.zip"/],
  ])("a Completed export with %s is an InvalidResponseError, nothing fetched", async (_name, url, message) => {
    const error = await client().exports.download({ status: "Completed", download_url: url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toMatch(message);
    expect(server.requests).toHaveLength(0);
  });
});

describe("the api_token never appears in an error or a log line", () => {
  const cases: Array<[string, Fault, () => Promise<unknown>]> = [
    ["a 401 echoing it", { status: 401, json: vendorError(`Invalid token ${TOKEN}`, "401") }, () => client().imports.get(importId)],
    ["a 400 echoing it as api_token=", { status: 400, json: vendorError(`api_token=${TOKEN} is not allowed`) }, () => client().imports.start(importBody)],
    ["a daily cap echoing it", { status: 400, json: vendorError(`Export API request limit(2) is reached for the day. (${TOKEN})`) }, () => client().exports.start({ entity: "Project" })],
    ["a 404 setting it as a cookie", { status: 404, json: vendorError("not found", "404"), headers: { "set-cookie": `t=${TOKEN}` } }, () => client().exports.get(exportId)],
    ["a 429 with a long wait", { status: 429, headers: { "x-ratelimit-reset": "600" }, json: vendorError(`slow down ${TOKEN}`, "429") }, () => client().imports.get(importId)],
    ["a 500 HTML page", { status: 500, body: `<html><title>Error ${TOKEN}</title></html>` }, () => client({ maxRetries: 0 }).imports.get(importId)],
    ["invalid JSON on a 200", { status: 200, body: `{"status":"${TOKEN}"` }, () => client().imports.get(importId)],
    ["a 200 without an id", { status: 200, json: { ...vendorError(`token ${TOKEN} odd`, ""), id: null } }, () => client().imports.start(importBody)],
    [
      "a failed import whose log quotes it",
      { status: 200, json: { ...envelope, status: "Error", import_documentation_log: { messages: [{ message_type: 0, message: `bad token ${TOKEN}`, cancel_operation: true }] } } },
      () => client().imports.waitFor(importId, { interval: 5 }),
    ],
    ["a reset", { fault: "reset-before-headers" }, () => client({ maxRetries: 1 }).imports.get(importId)],
    ["no answer", { fault: "no-headers" }, () => client({ timeout: 100, maxRetries: 0 }).imports.get(importId)],
  ];

  it.each(cases)("%s", async (_name, fault, run) => {
    server.fallback = fault;
    const error = await onFakeClock(server, () => run().catch((e: unknown) => e));
    expect(error).toBeInstanceOf(ImportkitError);
    const renderings = [
      ...renderingsOf(error),
      ...log.lines,
    ];
    for (const text of renderings) expect(text).not.toContain(TOKEN);
    // And the request really carried it: the check above is not vacuous.
    expect(server.requests[0]?.headers.api_token).toBe(TOKEN);
  });

  it("nor in a download's error, whose URL and body quote it", async () => {
    server.fallback = { status: 403, body: `<Error><Message>token ${TOKEN}</Message></Error>` };
    const error = (await client()
      .exports.download({ status: "Completed", download_url: `${server.url}/exp/x.zip?api_token=${TOKEN}` })
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    for (const text of [error.message, String(error), JSON.stringify(error), inspect(error, { depth: 10, showHidden: true }), ...log.lines]) {
      expect(text).not.toContain(TOKEN);
    }
  });
});
