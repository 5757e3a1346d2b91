/**
 * The strictness audit as a test: no request the vendors document (or their own tools send) is refused before
 * sending. For every fixture of test/fixtures/vendor-requests/, core's validator with the spec's schemas finds
 * nothing once the constraints the spec marks `x-inferred` are left out (the client's default mode); the
 * vendor's own examples pass even with them (strict mode). The fixtures are checked against the vendor material
 * they were copied from, and the schemas used here against the generated validation tables.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateCall, type ValidationMode } from "../packages/core/src/validate.ts";
import { adapters, type CallInput } from "./providers.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const fixturesDir = join(root, "test/fixtures/vendor-requests");
const providers = ["gitbook", "importio", "document360", "sharinpix"] as const;
const adapterOf = Object.fromEntries(adapters.map((a) => [a.provider, a]));

interface VendorRequest {
  title: string;
  kind: "documented" | "vendor-tool" | "vendor-schema" | "variant";
  operationId: string;
  method: string;
  path: string;
  params: { path: Record<string, unknown>; query: Record<string, unknown> };
  contentType: string | null;
  body: unknown;
  rawBody: string | null;
  source: { url: string; what: string; inRepo?: string };
}

const index = JSON.parse(readFileSync(join(fixturesDir, "index.json"), "utf8")) as Record<string, Array<{ file: string; kind: string }>>;
const load = (file: string) => JSON.parse(readFileSync(join(fixturesDir, file), "utf8")) as VendorRequest;
const specs = Object.fromEntries(providers.map((p) => [p, parse(readFileSync(join(root, "specs", p, "openapi.yaml"), "utf8"))]));

/** A line-delimited body is given to the client (and checked) as the list of its lines. */
const bodyOf = (request: VendorRequest) =>
  request.contentType?.includes("ndjson") && typeof request.body === "string"
    ? request.body
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line))
    : (request.body ?? undefined);

/** Every issue the generated table's schemas find in the request under `mode`, refusals only. */
function refusals(provider: string, request: VendorRequest, mode: ValidationMode) {
  const operation = adapterOf[provider]!.table[request.operationId]!;
  return validateCall(operation.validation, { path: request.params.path, query: request.params.query, body: bodyOf(request) }, mode).refused;
}

/** Whether a declared media type (possibly a range such as `application/*+json`) covers the request's. */
function covers(declared: string, actual: string) {
  const [type, sub] = declared.split("/");
  const [aType, aSub] = actual.split(";")[0]!.trim().split("/");
  if (type !== "*" && type !== aType) return false;
  if (sub === "*") return true;
  if (sub?.startsWith("*+")) return aSub?.endsWith(sub.slice(1)) ?? false;
  return sub === aSub;
}

function pointer(document: unknown, path: string) {
  return path
    .replace(/^#?\//, "")
    .split("/")
    .reduce<any>((node, key) => node?.[key.replaceAll("~1", "/").replaceAll("~0", "~")], document);
}

/**
 * Sends the request through the provider's high-level client in its default mode (the property tests' adapters)
 * against a fetch that records what leaves, and answers 500 so nothing after the request matters.
 */
async function sentByTheClient(provider: string, request: VendorRequest) {
  const adapter = adapterOf[provider]!;
  const seen: Request[] = [];
  const client = adapter.client({
    baseUrl: "https://vendor.example/base",
    maxRetries: 0,
    fetch: async (input, init) => {
      seen.push(new Request(input, init));
      return new Response("{}", { status: 500, headers: { "content-type": "application/json" } });
    },
  });
  const input: CallInput = { path: request.params.path, query: request.params.query, body: bodyOf(request) };
  const call =
    provider === "sharinpix" && request.operationId === "createImport"
      ? () => client.imports.start(input.body, { encoding: request.contentType?.includes("json") ? "json" : "form" })
      : () => adapter.operations[request.operationId]!(client, input);
  const error = await Promise.resolve().then(call).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(seen, `not sent: ${String((error as Error)?.message)}`).toHaveLength(1);
  return seen[0]!;
}

const counts = { requests: 0, documentedRefusals: 0, strictRefusals: 0 };
afterAll(() => {
  console.log(
    `strictness audit: ${counts.requests} vendor requests over ${providers.length} providers; ` +
      `${counts.documentedRefusals} refused in documented mode, ${counts.strictRefusals} refused in strict mode (by constraints marked x-inferred)`,
  );
});

it("index.json lists exactly the fixture files", () => {
  for (const provider of providers) {
    const files = readdirSync(join(fixturesDir, provider)).filter((f) => f.endsWith(".json")).sort();
    expect(index[provider]!.map((e) => e.file).sort()).toEqual(files.map((f) => `${provider}/${f}`));
  }
});


for (const provider of providers) {
  describe(`${provider}: vendor requests`, () => {
    for (const entry of index[provider]!) {
      const request = load(entry.file);
      const key = `${request.method} ${request.path}`;

      it(`${entry.file}: ${request.title}`, async () => {
        counts.requests++;
        expect(request.kind).toBe(entry.kind);
        expect(request.source.url).toMatch(/^https:\/\//);
        // The operation is the spec's, under the same id.
        const operation = specs[provider]!.paths?.[request.path]?.[request.method.toLowerCase()];
        expect(operation?.operationId, `${key} is not an operation of specs/${provider}/openapi.yaml`).toBe(request.operationId);
        const spec = adapterOf[provider]!.table[request.operationId]!;
        if (request.contentType) {
          expect((spec.requestMediaTypes ?? []).some((declared) => covers(declared, request.contentType!)), `${request.contentType} is not declared`).toBe(true);
        }

        const documentedRefusals = refusals(provider, request, "documented");
        if (documentedRefusals.length) counts.documentedRefusals++;
        expect(documentedRefusals, "refused in documented mode").toEqual([]);
        const strictRefusals = refusals(provider, request, "strict");
        if (strictRefusals.length) counts.strictRefusals++;
        // The vendor's own examples pass even the inferred constraints.
        if (request.kind === "documented") expect(strictRefusals, "a documented example refused by an inferred constraint").toEqual([]);

        // And the client in its default mode sends it unchanged: the same method, path, query and body.
        const sent = await sentByTheClient(provider, request);
        const url = new URL(sent.url);
        expect(sent.method).toBe(request.method);
        const path = request.path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(String(request.params.path[name])));
        expect(url.pathname).toBe(`/base${path}`);
        const query = Object.fromEntries([...url.searchParams].filter(([name]) => name !== "_apikey"));
        expect(query).toEqual(Object.fromEntries(Object.entries(request.params.query).map(([k, v]) => [k, String(v)])));
        const text = await sent.text();
        if (request.rawBody === null && request.body === null) expect(text).toBe("");
        else if (request.contentType?.startsWith("application/x-www-form-urlencoded")) expect(text).toBe(request.rawBody);
        else if (request.contentType?.includes("ndjson")) expect(text.trim().split("\n").map((l) => JSON.parse(l))).toEqual(bodyOf(request));
        else expect(JSON.parse(text)).toEqual(request.body);
      });
    }
  });
}

describe("the fixtures are the vendors' own", () => {
  it("SharinPix: each form body is the recorded request, parsed with Rails' nested-parameter rules", () => {
    for (const entry of index.sharinpix!) {
      const request = load(entry.file);
      if (!request.source.inRepo) continue;
      const recorded = JSON.parse(readFileSync(join(root, request.source.inRepo), "utf8")).requests[0];
      expect(request.rawBody).toBe(recorded.request_body);
      if (recorded.request_body) {
        expect(request.contentType).toBe(recorded.request_content_type);
        const parsed: Record<string, any> = {};
        for (const [name, value] of new URLSearchParams(recorded.request_body)) {
          const parts = name.match(/[^[\]]+/g)!;
          let node = parsed;
          for (const part of parts.slice(0, -1)) node = node[part] ??= {};
          node[parts.at(-1)!] = value;
        }
        expect(request.body).toEqual(parsed);
      } else {
        expect(`/api/v1${request.path.replace("{id}", String(request.params.path.id))}`).toBe(recorded.request_path);
      }
    }
  });

  it("Document360: each body and id is the snapshot's example, and the snapshot is the one the drift check reads", () => {
    const snapshotPath = "specs/document360/vendor/customer-api-v2.import-export.json";
    const snapshot = JSON.parse(readFileSync(join(root, snapshotPath), "utf8"));
    for (const entry of index.document360!) {
      const request = load(entry.file);
      const [file, where] = request.source.inRepo!.split("#");
      expect(file).toBe(snapshotPath);
      const value = pointer(snapshot, where!);
      expect(value).toBeDefined();
      if (request.body !== null) expect(request.body).toEqual(value);
      else expect(Object.values(request.params.path)).toEqual([value]);
    }
  });
});

describe("strict mode names what is wrong (SharinPix, where every constraint is inferred)", () => {
  const createImport = adapterOf.sharinpix!.table.createImport!.validation;
  const messages = (body: unknown) => validateCall(createImport, { body }, "strict").refused.map((i) => `${i.path} ${i.message}`);

  it("a Salesforce id sent without import_type is a missing import_type, not a missing url", () => {
    expect(messages({ album_id: "a", attachment_id: "00P4I00000zyw3eUAA" })).toEqual(["import_type is required"]);
    expect(messages({ album_id: "a", content_document_id: "0694I000008HV8MQAW" })).toEqual(["import_type is required"]);
  });

  it("a URL import without a url is a missing url; without an album, a missing album_id", () => {
    expect(messages({ album_id: "a" })).toEqual(["url is required"]);
    expect(messages({ url: "https://x.example/a.jpg" })).toEqual(["album_id is required"]);
  });

  it("what the loosened spec accepts even in strict mode", () => {
    expect(messages({ album_id: "a", url: "https://x.example/my photo.jpg" })).toEqual([]);
    expect(messages({ album_id: "a", url: "//cdn.example.com/a.jpg", import_type: null })).toEqual([]);
    expect(messages({ album_id: "a", import_type: "salesforce", attachment_id: "00P4I", content_document_id: "0694I" })).toEqual([]);
  });
});
