// The form body the client builds equals the one SharinPix documents, for every documented import request.
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSharinPixClient, ValidationError, type StartImportParams } from "@importkit/sharinpix";
import { encodeFormComponent, railsFormBody } from "../src/form.ts";
import { createdExamples, formRequestExamples } from "./spec-examples.ts";

const fixturesDir = new URL("./fixtures/", import.meta.url);

interface Fixture {
  http_method: string;
  description: string;
  requests: Array<{ request_body: string | null; request_headers: Record<string, string>; response_body: string | null }>;
}

/** Every documented POST /imports: the form body as sent, and the fields Rails parsed from it (echoed in `params`). */
const documentedPosts = readdirSync(fixturesDir)
  .filter((file) => file.endsWith(".json"))
  .map((file) => ({ file, fixture: JSON.parse(readFileSync(new URL(file, fixturesDir), "utf8")) as Fixture }))
  .filter(({ fixture }) => fixture.http_method === "POST")
  .map(({ file, fixture }) => {
    const request = fixture.requests[0]!;
    const { controller: _c, action: _a, ...fields } = JSON.parse(request.response_body!).params as Record<string, unknown>;
    return { file, body: request.request_body!, contentType: request.request_headers["Content-Type"], fields };
  });

/** A client whose fetch keeps each request and answers a canned import, so the body can be compared. */
function capturingClient(encoding?: "form" | "json") {
  const sent: Array<{ contentType: string | null; body: string }> = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    sent.push({ contentType: request.headers.get("content-type"), body: await request.text() });
    return Response.json(createdExamples.urlImport!.value);
  };
  const client = createSharinPixClient({
    secretUrl: "sharinpix://id-1:form-test-secret@api.sharinpix.com/api/v1",
    fetch,
    ...(encoding ? { encoding } : {}),
  });
  return { client, sent };
}

/** Order of parameters aside, byte for byte: each `name=value` pair exactly as written. */
const pairs = (body: string) => body.split("&").sort();

describe("the documented form bodies", () => {
  it("reads all five documented import requests", () => {
    expect(documentedPosts.map((p) => p.file).sort()).toEqual([
      "follow_the_redirection.json",
      "import_a_new_image.json",
      "import_from_attachment.json",
      "import_from_content_document.json",
      "import_using_storage.json",
    ]);
  });

  it.each(documentedPosts.map((p) => [p.file, p] as const))("%s: the client sends the documented body", async (_file, post) => {
    const { client, sent } = capturingClient();
    await client.imports.start(post.fields as StartImportParams);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.contentType).toBe(post.contentType);
    expect(pairs(sent[0]!.body)).toEqual(pairs(post.body));
  });

  it.each(Object.entries(formRequestExamples))("spec example %s: the body equals its x-serializedValue", async (_name, example) => {
    const { client, sent } = capturingClient("form");
    await client.imports.start(example.value as StartImportParams);
    expect(pairs(sent[0]!.body)).toEqual(pairs(example["x-serializedValue"]!));
  });

  it("the spec's examples and the fixtures agree (the examples are the fixtures)", () => {
    const documented = new Set(documentedPosts.map((p) => pairs(p.body).join("&")));
    for (const example of Object.values(formRequestExamples)) expect(documented).toContain(pairs(example["x-serializedValue"]!).join("&"));
  });
});

describe("Rails nested parameters", () => {
  it("brackets stay as they are, names and values are form-encoded", () => {
    expect(railsFormBody({ metadatas: { "sp title": "Roof & gutter", n: 3, ok: true }, headers: { "X-Key": 'a="b"' } })).toBe(
      "metadatas[sp+title]=Roof+%26+gutter&metadatas[n]=3&metadatas[ok]=true&headers[X-Key]=a%3D%22b%22",
    );
  });

  it("nests objects and arrays the way Rack parses them back", () => {
    expect(railsFormBody({ metadatas: { a: { b: "c" }, list: ["x", "y"] }, tags: ["t1"] })).toBe(
      "metadatas[a][b]=c&metadatas[list][]=x&metadatas[list][]=y&tags[]=t1",
    );
  });

  it("leaves out undefined and sends null as a bare name (Rack's nil)", () => {
    expect(railsFormBody({ album_id: "a", filename: undefined, metadatas: { gone: null } })).toBe("album_id=a&metadatas[gone]");
  });

  it("refuses a key that cannot be expressed (brackets, empty)", () => {
    expect(() => railsFormBody({ metadatas: { "a[b]": "c" } })).toThrow(ValidationError);
    expect(() => railsFormBody({ metadatas: { "": "c" } })).toThrow(/metadatas\.: a key in a form body/);
  });

  it("refuses a cycle instead of recursing forever", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => railsFormBody({ metadatas: cyclic })).toThrow(/nested more than/);
  });

  it("refuses text no form body can carry (an unpaired surrogate) with a ValidationError naming the field", () => {
    for (const [body, path] of [
      [{ metadatas: { title: "broken \uD800 text" } }, "metadatas.title"],
      [{ filename: "\uDC00.jpg" }, "filename"],
      [{ metadatas: { ["key\uD83D"]: "v" } }, "metadatas.key\uD83D"],
      [{ metadatas: { list: ["ok", "\uD800"] } }, "metadatas.list[1]"],
    ] as const) {
      const error = (() => {
        try {
          railsFormBody(body);
        } catch (caught) {
          return caught as ValidationError;
        }
        throw new Error("not refused");
      })();
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.issues).toEqual([{ path, message: "contains an unpaired surrogate (broken text that no form body can carry)" }]);
    }
  });

  it("the body is the pairs of the plain definition: each name and value encoded as URLSearchParams does, joined", () => {
    // The definition, written plainly: what the byte-writing encoder must equal for any nested body.
    const plain = (body: Record<string, unknown>): string => {
      const encode = (text: string) => new URLSearchParams({ v: text }).toString().slice(2);
      const pairs: string[] = [];
      const add = (name: string, value: unknown): void => {
        if (value === undefined) return;
        if (value === null) return void pairs.push(name);
        if (Array.isArray(value)) return value.forEach((item) => add(`${name}[]`, item));
        if (typeof value === "object") return Object.entries(value).forEach(([key, item]) => add(`${name}[${encode(key)}]`, item));
        pairs.push(`${name}=${encode(String(value))}`);
      };
      for (const [key, value] of Object.entries(body)) add(encode(key), value);
      return pairs.join("&");
    };
    // Printable ASCII (every character the escaping rules name) as often as the rest of Unicode.
    const text = fc.oneof(fc.string({ unit: "grapheme-ascii", maxLength: 12 }), fc.string({ unit: "grapheme", maxLength: 12 }));
    const key = text.filter((k) => k !== "" && !/[[\]]/.test(k) && k !== "__proto__");
    const leaf = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, fc.array(tie("tree"), { maxLength: 3 }), fc.dictionary(key, tie("tree"), { maxKeys: 4 })),
    }));
    fc.assert(
      fc.property(fc.dictionary(key, tree, { maxKeys: 5 }), (body) => {
        expect(railsFormBody(body)).toBe(plain(body));
      }),
      { numRuns: 300 },
    );
  });

  it("encodes a value exactly as the WHATWG form serializer (= Ruby's encode_www_form_component)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (text) => {
        expect(encodeFormComponent(text)).toBe(new URLSearchParams({ v: text }).toString().slice(2));
      }),
      { numRuns: 300 },
    );
  });
});

describe("encoding choice", () => {
  const document = { album_id: "5005800000HEXCtAAP", import_type: "salesforce", content_document_id: "0694I000008HV8MQAW" } as const;

  it("json sends the same fields as a JSON object", async () => {
    const { client, sent } = capturingClient("json");
    await client.imports.start({ ...document, metadatas: { contentDocumentId: "0694I000008HV8MQAW" } });
    expect(sent[0]!.contentType).toBe("application/json");
    expect(JSON.parse(sent[0]!.body)).toEqual({ ...document, metadatas: { contentDocumentId: "0694I000008HV8MQAW" } });
  });

  it("tags with an explicit form encoding are refused before sending", async () => {
    const { client, sent } = capturingClient("form");
    const error = (await client.imports.start({ ...document, tags: ["a"] }).catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues[0]!.path).toBe("tags");
    expect(sent).toHaveLength(0);
  });
});
