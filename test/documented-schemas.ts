/**
 * Each operation's validation schemas, derived from a spec the way scripts/generate.mjs derives
 * `packages/<provider>/src/generated/validation.ts` (dereferenced, only the keywords core's validator knows),
 * under a policy:
 *   - "strict": every constraint, exactly what the generated tables hold today (a test checks they are equal);
 *   - "documented": without the constraints the spec marks `x-inferred` (see the convention at the top of each
 *     spec: a keyword → reason map, or a reason string for all of an object's own keywords).
 * The generator does not carry `x-inferred` into the tables yet; until it does, this is how a test asks what a
 * client in its default ("documented") mode may refuse.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { OperationSchema, Schema } from "../packages/core/src/validate.ts";

export type Policy = "strict" | "documented";

/** The keywords generate.mjs keeps (its KEPT set). */
export const VALIDATION_KEYWORDS = new Set([
  "type", "enum", "const", "format", "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
  "exclusiveMaximum", "items", "minItems", "maxItems", "properties", "required", "additionalProperties", "oneOf",
  "anyOf", "allOf",
]);
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

export interface DerivedOperation extends OperationSchema {
  /** The request body's media types, as declared. */
  mediaTypes: string[];
  /** The line schema of a line-delimited body (`x-itemSchema`), derived under the same policy. */
  itemSchema?: Schema;
}

export function loadSpec(path: string): any {
  return parse(readFileSync(path, "utf8"));
}

function resolve(doc: any, ref: string): any {
  if (!ref.startsWith("#/")) throw new Error(`only local $refs are supported, got ${ref}`);
  return ref
    .slice(2)
    .split("/")
    .reduce((node, key) => node?.[key.replaceAll("~1", "/").replaceAll("~0", "~")], doc);
}

/** The keywords of `node` that `x-inferred` marks (a reason string marks all of them), and the `required` entries it marks. */
export function inferredOf(node: Record<string, unknown>): { keywords: Set<string>; requiredEntries: Set<string> } {
  const mark = node["x-inferred"];
  if (typeof mark === "string") return { keywords: new Set(Object.keys(node)), requiredEntries: new Set() };
  const keywords = new Set<string>();
  const requiredEntries = new Set<string>();
  if (mark && typeof mark === "object") {
    for (const [keyword, reason] of Object.entries(mark)) {
      if (keyword === "required" && reason && typeof reason === "object") for (const name of Object.keys(reason)) requiredEntries.add(name);
      else keywords.add(keyword);
    }
  }
  return { keywords, requiredEntries };
}

function strip(doc: any, node: any, policy: Policy, seen: string[] = []): any {
  if (Array.isArray(node)) return node.map((item) => strip(doc, item, policy, seen));
  if (node === null || typeof node !== "object") return node;
  if (node.$ref) {
    if (seen.includes(node.$ref)) return {};
    const { $ref, ...siblings } = node;
    return strip(doc, { ...resolve(doc, $ref), ...siblings }, policy, [...seen, $ref]);
  }
  const inferred = policy === "documented" ? inferredOf(node) : { keywords: new Set<string>(), requiredEntries: new Set<string>() };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!VALIDATION_KEYWORDS.has(key) || inferred.keywords.has(key)) continue;
    if (key === "properties") {
      out[key] = Object.fromEntries(Object.entries(value as object).map(([name, schema]) => [name, strip(doc, schema, policy, seen)]));
    } else if (key === "required") out[key] = (value as string[]).filter((name) => !inferred.requiredEntries.has(name));
    else if (key === "enum" || key === "const" || key === "type") out[key] = value;
    else if (key === "additionalProperties" && typeof value === "boolean") out[key] = value;
    else out[key] = strip(doc, value, policy, seen);
  }
  return out;
}

function parametersSchema(doc: any, parameters: any[], location: string, policy: Policy): Schema | undefined {
  const chosen = parameters.map((p) => (p.$ref ? resolve(doc, p.$ref) : p)).filter((p) => p.in === location);
  if (!chosen.length) return undefined;
  const required = chosen.filter((p) => p.required && !(policy === "documented" && inferredOf(p).keywords.has("required"))).map((p) => p.name);
  return {
    type: "object",
    properties: Object.fromEntries(chosen.map((p) => [p.name, strip(doc, p.schema ?? {}, policy)])),
    ...(chosen.some((p) => p.required) ? { required } : {}),
  };
}

/** `METHOD /path` → the operation's schemas under `policy` (the shape of the generated validation tables). */
export function operationSchemas(doc: any, policy: Policy): Record<string, DerivedOperation> {
  const out: Record<string, DerivedOperation> = {};
  for (const [path, item] of Object.entries<any>(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item?.[method];
      if (!op) continue;
      const parameters = [...(item.parameters ?? []), ...(op.parameters ?? [])];
      const body = op.requestBody?.$ref ? resolve(doc, op.requestBody.$ref) : op.requestBody;
      const content = body?.content ?? {};
      const media = content["application/json"] ?? Object.values<any>(content)[0];
      const pathSchema = parametersSchema(doc, parameters, "path", policy);
      const querySchema = parametersSchema(doc, parameters, "query", policy);
      const bodyRequired = Boolean(body?.required) && !(policy === "documented" && inferredOf(body).keywords.has("required"));
      out[`${method.toUpperCase()} ${path}`] = {
        ...(pathSchema ? { path: pathSchema } : {}),
        ...(querySchema ? { query: querySchema } : {}),
        ...(media?.schema ? { body: strip(doc, media.schema, policy) } : {}),
        ...(bodyRequired ? { bodyRequired: true } : {}),
        mediaTypes: Object.keys(content),
        ...(media?.["x-itemSchema"] ? { itemSchema: strip(doc, media["x-itemSchema"], policy) } : {}),
      };
    }
  }
  return out;
}
