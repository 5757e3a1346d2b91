/**
 * Checks a call's parameters and body against the spec's schemas before anything is sent, so an input the
 * API would refuse never leaves the client: it becomes a ValidationError naming the field instead.
 *
 * The schemas are generated from each spec (packages/<provider>/src/generated/validation.ts), already
 * dereferenced and stripped of annotations. This is the JSON Schema subset the specs use; keywords outside it
 * are ignored (lenient by design: the server stays the final judge, we only refuse what is certainly wrong).
 */
import type { ValidationIssue } from "./errors.js";

export interface Schema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
}

/** What generate.mjs emits per operation. */
export interface OperationSchema {
  path?: Schema;
  query?: Schema;
  body?: Schema;
  bodyRequired?: boolean;
}

const patternCache = new Map<string, RegExp>();
function regex(pattern: string): RegExp {
  let compiled = patternCache.get(pattern);
  if (!compiled) {
    compiled = new RegExp(pattern, "u");
    patternCache.set(pattern, compiled);
  }
  return compiled;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === "number" && actual === "integer");
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function formatProblem(format: string, value: string): string | undefined {
  if (format === "uri") {
    // Same rule as JSON Schema's `uri`: absolute, with a scheme. `new URL` also refuses spaces in the host.
    if (!/^[a-z][a-z0-9+.-]*:/i.test(value)) return "must be an absolute URI";
    try {
      new URL(value);
    } catch {
      return "must be a valid URI";
    }
    if (/\s/.test(value)) return "must be a valid URI (no spaces)";
  }
  if (format === "date-time" && !DATE_TIME.test(value)) return "must be an RFC 3339 date-time";
  if (format === "uuid" && !UUID.test(value)) return "must be a UUID";
  return undefined;
}

/** JSON Schema counts characters as code points; only surrogate pairs make that differ from `.length`. */
function codePoints(text: string): number {
  let pairs = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) pairs++;
  }
  return text.length - pairs;
}

const show = (value: unknown) => {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 60)}…` : text;
};

/** Every way `value` breaks `schema`, each with a path like `source.files` or `target.space`. */
export function validateValue(schema: Schema | undefined, value: unknown, path = ""): ValidationIssue[] {
  if (!schema) return [];
  const issues: ValidationIssue[] = [];
  const at = (message: string, where = path) => issues.push({ path: where, message });

  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => matchesType(value, t))) {
      at(`must be ${types.join(" or ")} (got ${typeOf(value)})`);
      return issues;
    }
  }
  if (schema.const !== undefined && JSON.stringify(schema.const) !== JSON.stringify(value)) at(`must be ${show(schema.const)}`);
  if (schema.enum && !inEnum(schema.enum, value)) {
    at(`must be one of ${schema.enum.map(show).join(", ")} (got ${show(value)})`);
  }

  if (typeof value === "string") {
    if (schema.minLength !== undefined || schema.maxLength !== undefined) {
      const length = codePoints(value);
      if (schema.minLength !== undefined && length < schema.minLength) at(`must have at least ${schema.minLength} characters`);
      if (schema.maxLength !== undefined && length > schema.maxLength) at(`must have at most ${schema.maxLength} characters (got ${length})`);
    }
    if (schema.pattern !== undefined && !regex(schema.pattern).test(value)) at(`must match ${schema.pattern}`);
    const problem = schema.format ? formatProblem(schema.format, value) : undefined;
    if (problem) at(problem);
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) at("must be a finite number");
    if (schema.minimum !== undefined && value < schema.minimum) at(`must be at least ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) at(`must be at most ${schema.maximum}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) at(`must be more than ${schema.exclusiveMinimum}`);
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) at(`must be less than ${schema.exclusiveMaximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) at(`must have at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) at(`must have at most ${schema.maxItems} items (got ${value.length})`);
    if (schema.items) value.forEach((item, i) => issues.push(...validateValue(schema.items, item, `${path}[${i}]`)));
  }
  if (typeOf(value) === "object") {
    const record = value as Record<string, unknown>;
    const join = (key: string) => (path ? `${path}.${key}` : key);
    for (const key of schema.required ?? []) {
      if (record[key] === undefined) at("is required", join(key));
    }
    for (const [key, item] of Object.entries(record)) {
      if (item === undefined) continue;
      const property = schema.properties?.[key];
      if (property) issues.push(...validateValue(property, item, join(key)));
      else if (schema.additionalProperties === false) at("is not a known field", join(key));
      else if (typeof schema.additionalProperties === "object") issues.push(...validateValue(schema.additionalProperties, item, join(key)));
    }
  }

  for (const part of schema.allOf ?? []) issues.push(...validateValue(part, value, path));
  if (schema.anyOf && !schema.anyOf.some((option) => conforms(option, value))) {
    issues.push(...closestAlternative(schema.anyOf, value, path, "anyOf"));
  }
  if (schema.oneOf) {
    const passing = schema.oneOf.filter((option) => conforms(option, value)).length;
    if (passing === 0) issues.push(...closestAlternative(schema.oneOf, value, path, "oneOf"));
    else if (passing > 1) at("matches more than one of the allowed shapes");
  }
  return issues;
}

/** `value` is one of `options`, compared as JSON; a string is compared as it is (the common case, no stringify). */
function inEnum(options: unknown[], value: unknown): boolean {
  if (typeof value === "string") {
    return options.some((option) => option === value || (typeof option === "object" && option !== null && JSON.stringify(option) === JSON.stringify(value)));
  }
  return options.some((option) => JSON.stringify(option) === JSON.stringify(value));
}

/**
 * Whether `validateValue(schema, value)` would find nothing, without building its issues: the same checks in
 * the same order, stopping at the first problem. Every valid call (nearly all of them) costs only this.
 * Kept equal to `validateValue(schema, value).length === 0` by test/validator-equivalence.test.ts.
 */
export function conforms(schema: Schema | undefined, value: unknown): boolean {
  if (!schema) return true;
  if (schema.type !== undefined) {
    const type = schema.type;
    if (typeof type === "string" ? !matchesType(value, type) : !type.some((t) => matchesType(value, t))) return false;
  }
  if (schema.const !== undefined && JSON.stringify(schema.const) !== JSON.stringify(value)) return false;
  if (schema.enum && !inEnum(schema.enum, value)) return false;
  if (typeof value === "string") {
    if (schema.minLength !== undefined || schema.maxLength !== undefined) {
      const length = codePoints(value);
      if (schema.minLength !== undefined && length < schema.minLength) return false;
      if (schema.maxLength !== undefined && length > schema.maxLength) return false;
    }
    if (schema.pattern !== undefined && !regex(schema.pattern).test(value)) return false;
    if (schema.format && formatProblem(schema.format, value)) return false;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return false;
    if (schema.minimum !== undefined && value < schema.minimum) return false;
    if (schema.maximum !== undefined && value > schema.maximum) return false;
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) return false;
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) return false;
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) return false;
    if (schema.maxItems !== undefined && value.length > schema.maxItems) return false;
    if (schema.items) for (const item of value) if (!conforms(schema.items, item)) return false;
  }
  if (typeOf(value) === "object") {
    const record = value as Record<string, unknown>;
    if (schema.required) for (const key of schema.required) if (record[key] === undefined) return false;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (item === undefined) continue;
      const property = schema.properties?.[key];
      if (property) {
        if (!conforms(property, item)) return false;
      } else if (schema.additionalProperties === false) return false;
      else if (typeof schema.additionalProperties === "object" && !conforms(schema.additionalProperties, item)) return false;
    }
  }
  if (schema.allOf) for (const part of schema.allOf) if (!conforms(part, value)) return false;
  // An empty anyOf/oneOf reports nothing in validateValue (no alternative to be closest to), so it passes here too.
  if (schema.anyOf && schema.anyOf.length > 0 && !schema.anyOf.some((option) => conforms(option, value))) return false;
  if (schema.oneOf && schema.oneOf.length > 0) {
    let passing = 0;
    for (const option of schema.oneOf) if (conforms(option, value) && ++passing > 1) return false;
    if (passing === 0) return false;
  }
  return true;
}

/**
 * For a value that fits none of the alternatives, report the problems of the one it came closest to (a
 * website source with a too-long URL says "url is too long", not "files is required").
 */
function closestAlternative(options: Schema[], value: unknown, path: string, _keyword: string): ValidationIssue[] {
  let best: ValidationIssue[] | undefined;
  for (const option of options) {
    const problems = validateValue(option, value, path);
    if (!best || problems.length < best.length) best = problems;
  }
  return best ?? [];
}

/** Validates an openapi-fetch call's `params` and `body` against its operation's schemas. */
export function validateCall(operation: OperationSchema, init: { params?: { path?: unknown; query?: unknown }; body?: unknown }): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (operation.path) {
    const path = (init.params?.path ?? {}) as Record<string, unknown>;
    if (!conforms(operation.path, path)) issues.push(...validateValue(operation.path, path, ""));
    // A path parameter is a URL segment: an empty one would silently address another resource
    // (`/imports/` instead of `/imports/{id}`), whatever the schema says.
    // `.` and `..` (also as %2e) are resolved away by every URL parser: `/imports/./cancel` is `/imports/cancel`.
    for (const name of Object.keys(operation.path.properties ?? {})) {
      const value = path[name];
      if (value === "") issues.push({ path: name, message: "must not be empty (it is a URL path segment)" });
      else if (typeof value === "string" && /^(\.|%2e){1,2}$/i.test(value)) {
        issues.push({ path: name, message: `must not be "${value}" (a URL would resolve it to another path)` });
      }
    }
  }
  if (operation.query) {
    const query = init.params?.query ?? {};
    if (!conforms(operation.query, query)) issues.push(...validateValue(operation.query, query, ""));
  }
  if (init.body === undefined) {
    if (operation.bodyRequired) issues.push({ path: "body", message: "is required" });
  } else if (operation.body && !(init.body instanceof FormData) && typeof init.body !== "string" && !conforms(operation.body, init.body)) {
    issues.push(...validateValue(operation.body, init.body, ""));
  }
  return issues;
}
