// Retries, timeouts and redaction of the SharinPix client, over real HTTP on loopback (test/fault-server.ts).
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  ApiError,
  AuthenticationError,
  ConnectionError,
  createSharinPixClient,
  ImportkitError,
  TimeoutError,
  WaitTimeoutError,
  type SharinPixSecretOptions,
} from "@importkit/sharinpix";
import { onFakeClock } from "../../../test/fake-clock.ts";
import { type Fault, useFaultServer } from "../../../test/fault-server.ts";
import { renderingsOf } from "../../../test/renderings.ts";
import { createdExamples, getImportExamples } from "./spec-examples.ts";

const SECRET = "spx_secret_SENTINEL_4b7a1f09";
const secretUrl = `sharinpix://0fc2aae7-36e6-4781-b0d9-9778d11b40de:${SECRET}@api.sharinpix.com/api/v1`;
/** A credential a URL import hands SharinPix for its fetch; the API echoes it back in `params.headers`. */
const FETCH_TOKEN = "fetchtok_SENTINEL_c0ffee42";
const importId = "1e908c13-c77e-43b2-b471-b474c2e00a78";
const urlImport = {
  album_id: "imported_album",
  url: "https://files.example.com/roof.jpg",
  headers: { Authorization: `Token token="${FETCH_TOKEN}"`, "X-Signature": `sig-${FETCH_TOKEN}` },
};
const documentImport = { album_id: "5005800000HEXCtAAP", import_type: "salesforce" as const, content_document_id: "0694I000008HV8MQAW" };
const created = createdExamples.contentDocumentImport!.value;

// Before each test: no recorded requests, a fresh log, and this answer to any request a test has not queued.
const { server, log } = useFaultServer({ fallback: { status: 200, json: created } });

function client(extra: Partial<SharinPixSecretOptions> = {}) {
  return createSharinPixClient({
    secretUrl,
    baseUrl: server.url,
    logger: log.logger,
    ...extra,
  });
}

describe("starting an import is never resent when SharinPix may have acted", () => {
  it("503 and 429 are resent: the server did not act", async () => {
    server.queue({ status: 503, headers: { "retry-after": "0" } }, { status: 429, headers: { "retry-after": "0" } });
    expect((await client().imports.start(documentImport)).id).toBe(created.id);
    expect(server.requests).toHaveLength(3);
  });

  it.each([
    ["500", { status: 500, body: "" }, ApiError],
    ["502", { status: 502, body: "" }, ApiError],
    ["a reset after the request arrived", { fault: "reset-before-headers" }, ConnectionError],
    ["a reset mid-answer", { fault: "reset-after-headers", partialBody: '{"id":' }, ConnectionError],
  ] as Array<[string, Fault, typeof ImportkitError]>)("%s: not resent", async (_name, fault, ErrorClass) => {
    server.queue(fault);
    const error = await client().imports.start(documentImport).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(server.requests).toHaveLength(1);
  });

  it("a timeout: not resent", async () => {
    server.queue({ fault: "no-headers" });
    const error = await onFakeClock(server, () => client({ timeout: 100 }).imports.start(documentImport).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(server.requests).toHaveLength(1);
  });

  it("reads are resent after a reset", async () => {
    server.queue({ fault: "reset-before-headers" });
    server.fallback = { status: 200, json: getImportExamples.processed!.value };
    expect((await client().imports.get(importId)).image_id).toBeTruthy();
    expect(server.requests).toHaveLength(2);
  });
});

describe("401 from the real API shape: empty text/html body, X-message", () => {
  it("becomes an AuthenticationError with the server's reason", async () => {
    server.queue({ status: 401, body: "", headers: { "content-type": "text/html", "x-message": "Access denied", "x-request-id": "req-1" } });
    const error = (await client().imports.get(importId).catch((e: unknown) => e)) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toBe(`getImport (GET ${server.url}/imports/${importId}) failed with 401: Access denied`);
    expect(error.requestId).toBe("req-1");
  });
});

describe("no secret ever appears in an error or a log line", () => {
  const jwtOf = (request: { headers: Record<string, unknown> }) => /Token token="([^"]+)"/.exec(String(request.headers.authorization))?.[1];
  const echo = { ...created, params: { ...urlImport, controller: "api/v1/imports", action: "create" } };
  const faults: Array<[string, Fault]> = [
    ["401 echoing the credentials", { handler: (req, res) => void res.writeHead(401, { "x-message": `Access denied for ${req.headers.authorization}` }).end() }],
    ["400 echoing the request", { status: 400, json: echo }],
    ["422 quoting the header in prose", { status: 422, body: `headers[Authorization]=Token+token%3D%22${FETCH_TOKEN}%22 is invalid` }],
    ["500 with an HTML page", { handler: (req, res) => void res.writeHead(500, { "content-type": "text/html" }).end(`<title>Error ${req.headers.authorization}</title>`) }],
    ["an X-token on an error", { handler: (req, res) => void res.writeHead(404, { "x-token": jwtOf({ headers: req.headers }) ?? "" }).end() }],
    ["invalid JSON echoing the token", { handler: (req, res) => void res.writeHead(200, { "content-type": "application/json" }).end(`{"echo":"${req.headers.authorization}`) }],
    ["a reset", { fault: "reset-before-headers" }],
    ["a timeout", { fault: "no-headers" }],
  ];

  it.each(faults)("%s", async (_name, fault) => {
    server.fallback = fault;
    const error = await onFakeClock(server, () => client({ timeout: 100, maxRetries: 0 }).imports.start(urlImport, { encoding: "form" }).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(ImportkitError);
    const jwt = jwtOf(server.requests[0]!);
    // The request really carried every secret: the checks below are not vacuous.
    expect(jwt).toMatch(/^eyJ/);
    expect(server.requests[0]!.body).toContain(FETCH_TOKEN);
    const renderings = [
      ...renderingsOf(error),
      ...log.lines,
    ];
    for (const text of renderings) {
      for (const secret of [SECRET, jwt!, FETCH_TOKEN]) expect(text).not.toContain(secret);
    }
  });

  it("a wait that times out keeps a redacted copy of the import it last saw", async () => {
    server.fallback = { status: 200, json: { ...getImportExamples.notYetProcessed!.value, params: urlImport }, headers: { "x-token": "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0.sig" } };
    const error = (await onFakeClock(server, async () => {
      const sharinpix = client();
      await sharinpix.imports.start(urlImport).catch(() => {});
      return sharinpix.imports.waitFor(importId, { interval: 10, deadline: 100 }).catch((e: unknown) => e);
    })) as WaitTimeoutError;
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(JSON.stringify(error)).not.toContain(FETCH_TOKEN);
    expect(inspect(error, { depth: 10 })).not.toContain(FETCH_TOKEN);
    expect(error.lastSeen?.params["url"]).toBe(urlImport.url);
  });

  it("the debug log says what happened without any credential", async () => {
    let posts = 0;
    // Keyed on the POST, so a straggling poll of the previous test cannot take the 503.
    server.fallback = {
      handler: (req, res) => {
        if (req.method === "POST" && posts++ === 0) return void res.writeHead(503, { "retry-after": "0" }).end();
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(created));
      },
    };
    await client().imports.start(urlImport);
    expect(log.lines.some((l) => l.startsWith("warn") && l.includes("answered 503"))).toBe(true);
    expect(log.lines.some((l) => l.startsWith("debug"))).toBe(true);
    for (const line of log.lines) for (const secret of [SECRET, FETCH_TOKEN]) expect(line).not.toContain(secret);
  });
});
