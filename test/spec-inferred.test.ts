/**
 * The `x-inferred` convention every spec states at its top, checked mechanically so that a generator can rely
 * on it: on a Schema, Parameter or Request Body Object, either a keyword → reason map whose keywords are
 * constraints of that same object (for `required`, optionally a property → reason map over its entries), or a
 * reason string; on any other object, a reason string. Never `true`, never an empty reason. Also: every
 * operation says what it was checked against (`x-source`).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/** The keywords scripts/generate.mjs keeps for core's validator (its KEPT set). */
const VALIDATION_KEYWORDS = new Set([
  "type", "enum", "const", "format", "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
  "exclusiveMaximum", "items", "minItems", "maxItems", "properties", "required", "additionalProperties", "oneOf",
  "anyOf", "allOf",
]);
const root = fileURLToPath(new URL("..", import.meta.url));
const providers = ["gitbook", "importio", "document360", "sharinpix"] as const;
/** Keywords a map may name beyond those core's validator checks: a parameter's or request body's `required`. */
const MARKABLE = new Set([...VALIDATION_KEYWORDS, "required", "unevaluatedProperties", "not"]);

function* marks(node: unknown, path: string): Generator<{ path: string; node: Record<string, unknown> }> {
  if (Array.isArray(node)) for (const [i, item] of node.entries()) yield* marks(item, `${path}/${i}`);
  else if (node && typeof node === "object") {
    const record = node as Record<string, unknown>;
    if ("x-inferred" in record) yield { path, node: record };
    for (const [key, value] of Object.entries(record)) if (key !== "x-inferred") yield* marks(value, `${path}/${key.replaceAll("/", "~1")}`);
  }
}

const nonEmpty = (value: unknown) => typeof value === "string" && value.trim().length > 10;

for (const provider of providers) {
  describe(`${provider}: x-inferred`, () => {
    const doc = parse(readFileSync(join(root, "specs", provider, "openapi.yaml"), "utf8"));
    const found = [...marks(doc, "#")];

    it("states the convention at the top of the spec", () => {
      expect(doc.info.description).toMatch(/## What is documented and what is inferred \(`x-inferred`\)/);
      expect(doc.info.description).toMatch(/map from keyword to\s+reason/);
    });

    it("is a reason, or a map from this object's own constraints to reasons, wherever it appears", () => {
      const problems: string[] = [];
      for (const { path, node } of found) {
        const mark = node["x-inferred"];
        if (typeof mark === "string") {
          if (!nonEmpty(mark)) problems.push(`${path}: the reason is too short to say why`);
          continue;
        }
        if (!mark || typeof mark !== "object" || Array.isArray(mark)) {
          problems.push(`${path}: x-inferred must be a reason string or a keyword → reason map, got ${JSON.stringify(mark)}`);
          continue;
        }
        for (const [keyword, reason] of Object.entries(mark)) {
          if (!MARKABLE.has(keyword)) problems.push(`${path}: ${keyword} is not a constraint keyword`);
          else if (!(keyword in node)) problems.push(`${path}: marks ${keyword}, which this object does not have`);
          else if (keyword === "required" && reason && typeof reason === "object") {
            const listed = Array.isArray(node.required) ? (node.required as string[]) : [];
            for (const [name, why] of Object.entries(reason)) {
              if (!listed.includes(name)) problems.push(`${path}: marks required entry ${name}, which is not required here`);
              if (!nonEmpty(why)) problems.push(`${path}: required.${name} needs a reason`);
            }
          } else if (!nonEmpty(reason)) problems.push(`${path}: ${keyword} needs a reason`);
        }
      }
      expect(problems).toEqual([]);
      console.log(`x-inferred: ${provider}: ${found.length} marks, all well-formed`);
    });

    it("every operation names what it was checked against (x-source)", () => {
      const missing: string[] = [];
      for (const [path, item] of Object.entries<any>(doc.paths)) {
        for (const method of ["get", "put", "post", "delete", "patch"]) {
          const op = item[method];
          if (!op) continue;
          const source = op["x-source"];
          const ok = typeof source === "string" ? /^https:\/\//.test(source) : Array.isArray(source) && source.every((s) => /^https:\/\//.test(s.url) && nonEmpty(s.checked));
          if (!ok) missing.push(`${method.toUpperCase()} ${path}`);
        }
      }
      expect(missing).toEqual([]);
    });
  });
}
