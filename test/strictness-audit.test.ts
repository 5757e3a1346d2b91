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
import { validateCall, validateValue } from "../packages/core/src/validate.ts";
import { validation as document360Validation } from "../packages/document360/src/generated/validation.ts";
import { validation as gitbookValidation } from "../packages/gitbook/src/generated/validation.ts";
import { validation as importioValidation } from "../packages/importio/src/generated/validation.ts";
import { validation as sharinpixValidation } from "../packages/sharinpix/src/generated/validation.ts";
import { loadSpec, operationSchemas, type DerivedOperation } from "./documented-schemas.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const fixturesDir = join(root, "test/fixtures/vendor-requests");
const providers = ["gitbook", "importio", "document360", "sharinpix"] as const;
const generated = { gitbook: gitbookValidation, importio: importioValidation, document360: document360Validation, sharinpix: sharinpixValidation };

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
const specs = Object.fromEntries(providers.map((p) => [p, loadSpec(join(root, "specs", p, "openapi.yaml"))]));
const documented = Object.fromEntries(providers.map((p) => [p, operationSchemas(specs[p], "documented")])) as Record<string, Record<string, DerivedOperation>>;
const strict = Object.fromEntries(providers.map((p) => [p, operationSchemas(specs[p], "strict")])) as Record<string, Record<string, DerivedOperation>>;

/** Every issue core's validator finds in the request (for a line-delimited body, in each line against the line schema). */
function issues(operation: DerivedOperation, request: VendorRequest) {
  const found = validateCall(operation, { params: request.params, body: request.body ?? undefined });
  if (operation.itemSchema && typeof request.body === "string") {
    request.body
      .split("\n")
      .filter((line) => line.trim() !== "")
      .forEach((line, i) => found.push(...validateValue(operation.itemSchema, JSON.parse(line), `line ${i + 1}`)));
  }
  return found;
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

const counts = { requests: 0, documentedRefusals: 0, strictRefusals: 0 };
afterAll(() => {
  console.log(
    `strictness audit: ${counts.requests} vendor requests over ${providers.length} providers; ` +
      `${counts.documentedRefusals} refused in documented mode, ${counts.strictRefusals} refused in strict mode (by constraints marked x-inferred)`,
  );
});

describe("the schemas this audit uses", () => {
  it.each(providers)("%s: in strict mode they are exactly the generated validation tables", (provider) => {
    const derived = Object.fromEntries(
      Object.entries(strict[provider]!).map(([key, { mediaTypes: _m, itemSchema: _i, ...schemas }]) => [key, schemas]),
    );
    expect(derived).toEqual(JSON.parse(JSON.stringify(generated[provider])));
  });

  it("index.json lists exactly the fixture files", () => {
    for (const provider of providers) {
      const files = readdirSync(join(fixturesDir, provider)).filter((f) => f.endsWith(".json")).sort();
      expect(index[provider]!.map((e) => e.file).sort()).toEqual(files.map((f) => `${provider}/${f}`));
    }
  });
});

for (const provider of providers) {
  describe(`${provider}: vendor requests`, () => {
    for (const entry of index[provider]!) {
      const request = load(entry.file);
      const key = `${request.method} ${request.path}`;

      it(`${entry.file}: ${request.title}`, () => {
        counts.requests++;
        expect(request.kind).toBe(entry.kind);
        expect(request.source.url).toMatch(/^https:\/\//);
        // The operation is the spec's, under the same id.
        const operation = specs[provider]!.paths?.[request.path]?.[request.method.toLowerCase()];
        expect(operation?.operationId, `${key} is not an operation of specs/${provider}/openapi.yaml`).toBe(request.operationId);
        const schemas = documented[provider]![key]!;
        if (request.contentType) {
          expect(schemas.mediaTypes.some((declared) => covers(declared, request.contentType!)), `${request.contentType} is not declared`).toBe(true);
        }

        const documentedIssues = issues(schemas, request);
        if (documentedIssues.length) counts.documentedRefusals++;
        expect(documentedIssues, "refused in documented mode").toEqual([]);
        const strictIssues = issues(strict[provider]![key]!, request);
        if (strictIssues.length) counts.strictRefusals++;
        // The vendor's own examples pass even the inferred constraints.
        if (request.kind === "documented") expect(strictIssues, "a documented example refused by an inferred constraint").toEqual([]);
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
  const createImport = strict.sharinpix!["POST /imports"]!;
  const messages = (body: unknown) => validateCall(createImport, { body }).map((i) => `${i.path} ${i.message}`);

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
