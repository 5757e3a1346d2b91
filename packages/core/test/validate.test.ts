import { describe, expect, it } from "vitest";
import { conforms, validateCall, validateValue, type OperationSchema, type Schema } from "@importkit/core/internal";

const getRun: OperationSchema = {
  path: { type: "object", properties: { org: { type: "string" }, id: { type: "string" } }, required: ["org", "id"] },
};
const paths = (check: ReturnType<typeof validateCall>) => check.refused.map((i) => i.path);

describe("validateCall", () => {
  it("refuses path segments a URL would resolve to another path, in every mode", () => {
    for (const mode of ["documented", "strict", "off"] as const) {
      for (const id of ["", ".", "..", "%2e", "%2E%2e"]) {
        expect(paths(validateCall(getRun, { path: { org: "acme", id } }, mode)), `${mode} id=${JSON.stringify(id)}`).toEqual(["id"]);
      }
      expect(paths(validateCall(getRun, { path: { org: "acme", id: "..x" } }, mode))).toEqual([]);
    }
  });

  it("refuses text no URL can carry (an unpaired surrogate), in every mode", () => {
    for (const mode of ["documented", "off"] as const) {
      expect(paths(validateCall(getRun, { path: { org: "acme", id: "a\udc00b" } }, mode))).toEqual(["id"]);
    }
  });

  it("names a missing required body", () => {
    expect(validateCall({ body: { type: "object" }, bodyRequired: true }, {}).refused).toEqual([
      { path: "body", message: "is required", keyword: "required", inferred: false },
    ]);
  });

  it("documented: an inferred rule is a warning, a documented one a refusal; strict refuses both; off neither", () => {
    const op: OperationSchema = {
      body: {
        type: "object",
        properties: { url: { type: "string", format: "uri", inferred: ["format"] }, name: { type: "string", maxLength: 3 } },
      },
    };
    const input = { body: { url: "has spaces in it", name: "toolong" } };
    const documented = validateCall(op, input, "documented");
    expect(documented.refused.map((i) => `${i.path}:${i.keyword}`)).toEqual(["name:maxLength"]);
    expect(documented.warnings.map((i) => `${i.path}:${i.keyword}`)).toEqual(["url:format"]);
    expect(validateCall(op, input, "strict").refused.map((i) => i.path)).toEqual(["url", "name"]);
    expect(validateCall(op, input, "off")).toEqual({ refused: [], warnings: [] });
  });
});

describe("validateValue", () => {
  it("reports the closest alternative of a oneOf", () => {
    const source: Schema = {
      oneOf: [
        { type: "object", properties: { type: { enum: ["website"] }, url: { type: "string", maxLength: 5 } }, required: ["type", "url"] },
        { type: "object", properties: { type: { enum: ["file"] }, files: { type: "array" } }, required: ["type", "files"] },
      ],
    };
    expect(validateValue(source, { type: "website", url: "https://too.long" }, "source").map(({ path, message }) => ({ path, message }))).toEqual([
      { path: "source.url", message: "must have at most 5 characters (got 16)" },
    ]);
  });

  it("names every property of alternatives equally close for want of one (not the first branch's alone)", () => {
    const salesforce = (id: string): Schema => ({ type: "object", properties: { album_id: { type: "string" }, [id]: { type: "string" } }, required: ["album_id", id] });
    const source: Schema = { anyOf: [salesforce("attachment_id"), salesforce("content_document_id"), { type: "object", required: ["album_id", "url", "import_type"] }] };
    expect(validateValue(source, { album_id: "A" }, "body").map(({ path, message }) => ({ path, message }))).toEqual([
      { path: "body", message: "needs attachment_id or content_document_id" },
    ]);
    // One branch closer than the others: that branch's own issue, as before.
    expect(validateValue(source, { album_id: 1, attachment_id: "x" }, "body").map(({ path }) => path)).toEqual(["body.album_id"]);
    // At the root too, and with the issue inferred only when every tied branch's is.
    const inferred = validateValue({ anyOf: [{ required: ["a"], inferred: ["required"] }, { required: ["b"], inferred: ["required"] }] }, {});
    expect(inferred).toEqual([{ path: "", message: "needs a or b", keyword: "required", inferred: true }]);
  });

  it("checks types, enums, ranges, lengths and unknown fields", () => {
    const schema: Schema = {
      type: "object",
      additionalProperties: false,
      properties: { n: { type: "integer", minimum: 1 }, s: { type: "string", enum: ["a", "b"] }, list: { type: "array", maxItems: 1 } },
    };
    const issues = validateValue(schema, { n: 0.5, s: "c", list: [1, 2], extra: true });
    expect(issues.map((i) => i.path)).toEqual(["n", "s", "list", "extra"]);
  });

  it("a field named like a property of every object (constructor, toString) is an unknown field, not a declared one", () => {
    const closed: Schema = { type: "object", additionalProperties: false, properties: { id: { type: "string" } } };
    for (const name of ["constructor", "toString", "hasOwnProperty", "__proto__"]) {
      const value = JSON.parse(`{"id":"x",${JSON.stringify(name)}:1}`) as Record<string, unknown>;
      expect(validateValue(closed, value).map((i) => `${i.path}:${i.keyword}`), name).toEqual([`${name}:additionalProperties`]);
      expect(conforms(closed, value), name).toBe(false);
    }
  });

  it("checks the declared fields of an open object, whatever else it holds (conforms looks only at those)", () => {
    const open: Schema = { type: "object", properties: { id: { type: "string", minLength: 2 } }, required: ["id"] };
    const big: Record<string, unknown> = { id: "ok" };
    for (let i = 0; i < 1000; i++) big[`field_${i}`] = { any: ["thing", i] };
    expect(conforms(open, big)).toBe(true);
    expect(conforms(open, { ...big, id: "x" })).toBe(false);
    expect(validateValue(open, { ...big, id: "x" }).map((i) => i.path)).toEqual(["id"]);
    // Only own, enumerable fields are the value's: an inherited or hidden `id` is not checked (nor sent).
    const hidden = Object.create({ id: 1 }) as Record<string, unknown>;
    Object.defineProperty(hidden, "other", { value: 1, enumerable: false });
    expect(conforms({ type: "object", properties: { id: { type: "string" }, other: { type: "string" } } }, hidden)).toBe(true);
  });

  it("unevaluatedProperties: false sees the properties of allOf and of the branches that match", () => {
    const schema: Schema = {
      allOf: [{ type: "object", properties: { success: { type: "boolean" } } }],
      properties: { id: { type: "string" } },
      anyOf: [{ properties: { log: { type: "object" } }, required: ["log"] }, { properties: { url: { type: "string" } }, required: ["url"] }],
      unevaluatedProperties: false,
    };
    expect(validateValue(schema, { success: true, id: "x", log: {} })).toEqual([]);
    expect(validateValue(schema, { success: true, id: "x", url: "u", stray: 1 }).map((i) => `${i.path}:${i.keyword}`)).toEqual(["stray:unevaluatedProperties"]);
  });
});
