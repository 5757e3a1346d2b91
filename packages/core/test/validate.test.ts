import { describe, expect, it } from "vitest";
import { validateCall, validateValue, type OperationSchema, type Schema } from "@importkit/core";

const getRun: OperationSchema = {
  path: { type: "object", properties: { org: { type: "string" }, id: { type: "string" } }, required: ["org", "id"] },
};

describe("validateCall", () => {
  it("refuses path segments a URL would resolve to another path", () => {
    for (const id of ["", ".", "..", "%2e", "%2E%2e"]) {
      const issues = validateCall(getRun, { params: { path: { org: "acme", id } } });
      expect(issues.map((i) => i.path), `id=${JSON.stringify(id)}`).toEqual(["id"]);
    }
    expect(validateCall(getRun, { params: { path: { org: "acme", id: "..x" } } })).toEqual([]);
  });

  it("names a missing required body", () => {
    expect(validateCall({ body: { type: "object" }, bodyRequired: true }, {})).toEqual([{ path: "body", message: "is required" }]);
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
    expect(validateValue(source, { type: "website", url: "https://too.long" }, "source")).toEqual([
      { path: "source.url", message: "must have at most 5 characters (got 16)" },
    ]);
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
});
