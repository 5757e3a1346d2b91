/**
 * Checks a call's parameters and body against the spec's schemas before anything is sent, so an input the
 * API would refuse never leaves the client: it becomes a ValidationError naming the field instead.
 *
 * The schemas are generated from each spec (the `validation` of each operation in
 * packages/<provider>/src/generated/operations.ts), dereferenced and stripped of annotations. This is the JSON
 * Schema subset the specs use; the generator fails on any other keyword, so none is silently ignored.
 *
 * A constraint the spec marks `x-inferred` (stricter than anything the vendor documents) carries `inferred` here:
 * in the default `documented` mode it is reported as a warning and the request is sent; `strict` refuses it too;
 * `off` checks nothing but what cannot be sent at all (an empty, `.` or `..` path segment, unencodable text).
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
  /** `false`: no property beyond those the schema and its `allOf` / matching `anyOf` / `oneOf` branches declare. */
  unevaluatedProperties?: boolean;
  /**
   * This node's constraints are only inferred (`x-inferred` in the spec): `true` for all of them, or their keywords
   * (`required/<name>` for one entry of `required`).
   */
  inferred?: true | string[];
}

/** What generate.mjs emits per operation. */
export interface OperationSchema {
  path?: Schema;
  query?: Schema;
  body?: Schema;
  bodyRequired?: boolean;
  /** That the body is required is itself inferred. */
  bodyRequiredInferred?: boolean;
}

/** A problem found in a call's input: a refusal, or (inferred constraints in `documented` mode) a warning. */
export interface FoundIssue extends ValidationIssue {
  /** The schema keyword that failed (`required`, `format`, …), to warn once per rule. */
  keyword: string;
  inferred: boolean;
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

/**
 * A value as a message quotes it. A long one is described, never cut: a cut made here, before the client redacts the
 * message, could leave the start of a secret that no longer matches whole.
 */
const show = (value: unknown) => {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) return typeof value === "object" ? "an object" : String(value);
  if (text.length <= 60) return text;
  return typeof value === "string" ? `a string of ${codePoints(value)} characters` : `${typeOf(value) === "array" ? "an array" : "a value"} too long to show`;
};

/** Every way `value` breaks `schema`, each with a path like `source.files` or `target.space`. */
export function validateValue(schema: Schema | undefined, value: unknown, path = ""): FoundIssue[] {
  if (!schema) return [];
  const issues: FoundIssue[] = [];
  const inferred = schema.inferred;
  const at = (keyword: string, message: string, where = path) =>
    issues.push({ path: where, message, keyword, inferred: inferred === true || (inferred !== undefined && inferred.includes(keyword)) });

  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => matchesType(value, t))) {
      at("type", `must be ${types.join(" or ")} (got ${typeOf(value)})`);
      return issues;
    }
  }
  if (schema.const !== undefined && JSON.stringify(schema.const) !== JSON.stringify(value)) at("const", `must be ${show(schema.const)}`);
  if (schema.enum && !inEnum(schema.enum, value)) {
    at("enum", `must be one of ${schema.enum.map(show).join(", ")} (got ${show(value)})`);
  }

  if (typeof value === "string") {
    if (schema.minLength !== undefined || schema.maxLength !== undefined) {
      const length = codePoints(value);
      if (schema.minLength !== undefined && length < schema.minLength) at("minLength", `must have at least ${schema.minLength} characters`);
      if (schema.maxLength !== undefined && length > schema.maxLength) at("maxLength", `must have at most ${schema.maxLength} characters (got ${length})`);
    }
    if (schema.pattern !== undefined && !regex(schema.pattern).test(value)) at("pattern", `must match ${schema.pattern}`);
    const problem = schema.format ? formatProblem(schema.format, value) : undefined;
    if (problem) at("format", problem);
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) at("type", "must be a finite number");
    if (schema.minimum !== undefined && value < schema.minimum) at("minimum", `must be at least ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) at("maximum", `must be at most ${schema.maximum}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) at("exclusiveMinimum", `must be more than ${schema.exclusiveMinimum}`);
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) at("exclusiveMaximum", `must be less than ${schema.exclusiveMaximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) at("minItems", `must have at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) at("maxItems", `must have at most ${schema.maxItems} items (got ${value.length})`);
    if (schema.items) value.forEach((item, i) => issues.push(...validateValue(schema.items, item, `${path}[${i}]`)));
  }
  if (typeOf(value) === "object") {
    const record = value as Record<string, unknown>;
    const join = (key: string) => (path ? `${path}.${key}` : key);
    for (const key of schema.required ?? []) {
      if (record[key] === undefined) {
        const entryInferred = inferred !== undefined && inferred !== true && inferred.includes(`required/${key}`);
        issues.push({ path: join(key), message: "is required", keyword: "required", inferred: inferred === true || entryInferred || (inferred?.includes("required") ?? false) });
      }
    }
    const evaluated = schema.unevaluatedProperties === false ? evaluatedProperties(schema, value) : undefined;
    for (const [key, item] of Object.entries(record)) {
      if (item === undefined) continue;
      const property = declared(schema, key);
      if (property) issues.push(...validateValue(property, item, join(key)));
      else if (schema.additionalProperties === false) at("additionalProperties", "is not a known field", join(key));
      else if (typeof schema.additionalProperties === "object") issues.push(...validateValue(schema.additionalProperties, item, join(key)));
      if (evaluated && !evaluated.has(key)) at("unevaluatedProperties", "is not a known field", join(key));
    }
  }

  for (const part of schema.allOf ?? []) issues.push(...validateValue(part, value, path));
  if (schema.anyOf && schema.anyOf.length > 0 && !schema.anyOf.some((option) => conforms(option, value))) {
    issues.push(...alternatives(closestAlternative(schema.anyOf, value, path), inferred, "anyOf"));
  }
  if (schema.oneOf && schema.oneOf.length > 0) {
    const passing = schema.oneOf.filter((option) => conforms(option, value)).length;
    if (passing === 0) issues.push(...alternatives(closestAlternative(schema.oneOf, value, path), inferred, "oneOf"));
    else if (passing > 1) at("oneOf", "matches more than one of the allowed shapes");
  }
  return issues;
}

/** A whole `anyOf`/`oneOf` marked inferred makes whatever its closest branch found inferred too. */
function alternatives(found: FoundIssue[], inferred: Schema["inferred"], keyword: string): FoundIssue[] {
  if (!(inferred === true || inferred?.includes(keyword))) return found;
  return found.map((issue) => ({ ...issue, inferred: true }));
}

/** The properties `unevaluatedProperties` counts as evaluated: this schema's, its allOf's, and those of matching branches. */
function evaluatedProperties(schema: Schema, value: unknown, into = new Set<string>()): Set<string> {
  for (const key of Object.keys(schema.properties ?? {})) into.add(key);
  for (const part of schema.allOf ?? []) evaluatedProperties(part, value, into);
  for (const option of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) if (conforms(option, value)) evaluatedProperties(option, value, into);
  return into;
}

const hasOwn = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);
const isEnumerable = (object: object, key: string) => Object.prototype.propertyIsEnumerable.call(object, key);

/**
 * The schema a property name declares, if any. An own property only: `properties.constructor` would otherwise be
 * Object's constructor, and a field named `constructor` or `toString` would pass `additionalProperties: false`.
 */
function declared(schema: Schema, key: string): Schema | undefined {
  return schema.properties && hasOwn(schema.properties, key) ? schema.properties[key] : undefined;
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
 *
 * Each schema is turned once into the few checks its keywords call for (a WeakMap keeps them): walking the schema
 * object on every value read some fifteen keywords from objects of a hundred shapes, each a slow property lookup,
 * for every item of a list (10 000 Import.io inputs: ~2 ms, as much as `JSON.stringify` of them; checks made once:
 * ~0.3 ms. bench/body-encoding.ts).
 */
export function conforms(schema: Schema | undefined, value: unknown): boolean {
  return schema ? checkerOf(schema)(value) : true;
}

/** One check of a schema's, given the value and its JSON type (`typeOf`). */
type Check = (value: unknown, actual: string) => boolean;
type Checker = (value: unknown) => boolean;

const checkers = new WeakMap<Schema, Checker>();

function checkerOf(schema: Schema): Checker {
  let checker = checkers.get(schema);
  if (!checker) {
    checker = compile(schema);
    checkers.set(schema, checker);
  }
  return checker;
}

/** The checks `schema`'s keywords call for, in `validateValue`'s order. Nested schemas are looked up when first used. */
function compile(schema: Schema): Checker {
  const checks: Check[] = [];
  const { type, minLength, maxLength, pattern, format, minimum, maximum, exclusiveMinimum, exclusiveMaximum, minItems, maxItems, items } = schema;
  if (type !== undefined) {
    if (typeof type === "string") checks.push((_, actual) => isOfType(actual, type));
    else checks.push((_, actual) => type.some((t) => isOfType(actual, t)));
  }
  if (schema.const !== undefined) {
    const expected = schema.const;
    checks.push((value) => JSON.stringify(expected) === JSON.stringify(value));
  }
  if (schema.enum) {
    const options = schema.enum;
    checks.push((value) => inEnum(options, value));
  }
  if (minLength !== undefined || maxLength !== undefined || pattern !== undefined || format) {
    checks.push((value, actual) => {
      if (actual !== "string") return true;
      const text = value as string;
      if (minLength !== undefined || maxLength !== undefined) {
        const length = codePoints(text);
        if (minLength !== undefined && length < minLength) return false;
        if (maxLength !== undefined && length > maxLength) return false;
      }
      if (pattern !== undefined && !regex(pattern).test(text)) return false;
      return !(format && formatProblem(format, text));
    });
  }
  if (minimum !== undefined || maximum !== undefined || exclusiveMinimum !== undefined || exclusiveMaximum !== undefined) {
    checks.push((value, actual) => {
      if (actual !== "number" && actual !== "integer") return true;
      const number = value as number;
      if (minimum !== undefined && number < minimum) return false;
      if (maximum !== undefined && number > maximum) return false;
      if (exclusiveMinimum !== undefined && number <= exclusiveMinimum) return false;
      return !(exclusiveMaximum !== undefined && number >= exclusiveMaximum);
    });
  }
  if (minItems !== undefined || maxItems !== undefined || items) {
    checks.push((value, actual) => {
      if (actual !== "array") return true;
      const list = value as unknown[];
      if (minItems !== undefined && list.length < minItems) return false;
      if (maxItems !== undefined && list.length > maxItems) return false;
      if (items) {
        const item = checkerOf(items);
        for (let i = 0; i < list.length; i++) if (!item(list[i])) return false;
      }
      return true;
    });
  }
  const objectCheck = compileObject(schema);
  if (objectCheck) checks.push(objectCheck);
  const { allOf, anyOf, oneOf } = schema;
  if (allOf) checks.push((value) => allOf.every((part) => checkerOf(part)(value)));
  // An empty anyOf/oneOf reports nothing in validateValue (no alternative to be closest to), so it passes here too.
  if (anyOf && anyOf.length > 0) checks.push((value) => anyOf.some((option) => checkerOf(option)(value)));
  if (oneOf && oneOf.length > 0) {
    checks.push((value) => {
      let passing = 0;
      for (const option of oneOf) if (checkerOf(option)(value) && ++passing > 1) return false;
      return passing === 1;
    });
  }
  return (value) => {
    const actual = typeOf(value);
    // Any number must be finite, whatever the schema says (JSON has no NaN); only a "number" can be one.
    if (actual === "number" && !Number.isFinite(value)) return false;
    for (let i = 0; i < checks.length; i++) if (!checks[i]!(value, actual)) return false;
    return true;
  };
}

/** `required`, the declared fields and the others, for an object value; undefined when the schema says nothing of them. */
function compileObject(schema: Schema): Check | undefined {
  const { required, properties, additionalProperties: additional } = schema;
  const everyField = schema.unevaluatedProperties === false || additional === false || typeof additional === "object";
  if (!required && !properties && !everyField) return undefined;
  const declaredNames = properties ? Object.keys(properties) : [];
  return (value, actual) => {
    if (actual !== "object") return true;
    const record = value as Record<string, unknown>;
    if (required) for (const key of required) if (record[key] === undefined) return false;
    if (everyField) {
      // Every field of the value has a rule: look at each.
      const evaluated = schema.unevaluatedProperties === false ? evaluatedProperties(schema, record) : undefined;
      for (const key of Object.keys(record)) {
        const item = record[key];
        if (item === undefined) continue;
        const property = declared(schema, key);
        if (property) {
          if (!checkerOf(property)(item)) return false;
        } else if (additional === false) return false;
        else if (typeof additional === "object" && !checkerOf(additional)(item)) return false;
        if (evaluated && !evaluated.has(key)) return false;
      }
      return true;
    }
    // Only the declared fields have rules: look at those, however many others the value has. A free-form object
    // of a megabyte (SharinPix `metadatas`) costs nothing here instead of a lookup per key (bench/body-encoding.ts).
    for (const key of declaredNames) {
      const item = record[key];
      // Own, enumerable fields only, as Object.keys (and JSON.stringify) sees them.
      if (item !== undefined && isEnumerable(record, key) && !checkerOf(properties![key]!)(item)) return false;
    }
    return true;
  };
}

/** A JSON type (`typeOf`) is of a schema type: an integer is also a number. */
function isOfType(actual: string, type: string): boolean {
  return actual === type || (type === "number" && actual === "integer");
}

/**
 * For a value that fits none of the alternatives, report the problems of the one it came closest to (a
 * website source with a too-long URL says "url is too long", not "files is required").
 */
function closestAlternative(options: Schema[], value: unknown, path: string): FoundIssue[] {
  // Closest: fewest issues; between those, the branch that knows most of the fields given (an `attachment_id` given
  // without its `import_type` is a Salesforce import missing its type, not a URL import missing its `url`).
  const given = value !== null && typeof value === "object" && !Array.isArray(value) ? Object.keys(value) : [];
  let best: { issues: FoundIssue[]; known: number } | undefined;
  let tied: FoundIssue[][] = [];
  for (const option of options) {
    const issues = validateValue(option, value, path);
    if (best && issues.length > best.issues.length) continue;
    const declared = given.length ? evaluatedProperties(option, value) : undefined;
    const known = declared ? given.filter((key) => declared.has(key)).length : 0;
    if (!best || issues.length < best.issues.length || known > best.known) {
      best = { issues, known };
      tied = [issues];
    } else if (known === best.known) tied.push(issues);
  }
  return eitherRequired(tied, path) ?? best?.issues ?? [];
}

/**
 * Alternatives equally close because each lacks one property (SharinPix's Salesforce import: an `attachment_id` or a
 * `content_document_id`) are named together: naming the first would send someone who meant the other astray.
 */
function eitherRequired(tied: FoundIssue[][], path: string): FoundIssue[] | undefined {
  if (tied.length < 2 || !tied.every((issues) => issues.length === 1 && issues[0]!.keyword === "required")) return undefined;
  const prefix = path ? `${path}.` : "";
  const names = [...new Set(tied.map(([issue]) => issue!.path))];
  if (names.length < 2 || !names.every((name) => name.startsWith(prefix) && !name.slice(prefix.length).includes("."))) return undefined;
  const list = names.map((name) => name.slice(prefix.length));
  return [{ path, message: `needs ${list.slice(0, -1).join(", ")} or ${list.at(-1)}`, keyword: "required", inferred: tied.every(([issue]) => issue!.inferred) }];
}

export type ValidationMode = "documented" | "strict" | "off";

export interface CallInput {
  path?: unknown;
  query?: unknown;
  body?: unknown;
}

/** What a call's input was found to be: refusals (nothing may be sent) and warnings (inferred, sent anyway). */
export interface CallCheck {
  refused: FoundIssue[];
  warnings: FoundIssue[];
}

const NO_ISSUES: CallCheck = { refused: [], warnings: [] };

/**
 * Checks a call's `path`, `query` and `body` against its operation's schemas under `mode`. What cannot be sent at all
 * (an empty, `.` or `..` path segment, which would address another resource; text with an unpaired surrogate, which
 * no URL can encode) is refused in every mode.
 */
export function validateCall(operation: OperationSchema, input: CallInput, mode: ValidationMode = "documented"): CallCheck {
  const found: FoundIssue[] = [];
  const path = (input.path ?? {}) as Record<string, unknown>;
  const query = (input.query ?? {}) as Record<string, unknown>;
  if (operation.path) {
    // A path parameter is a URL segment: an empty one would silently address another resource
    // (`/imports/` instead of `/imports/{id}`), whatever the schema says.
    // `.` and `..` (also as %2e) are resolved away by every URL parser: `/imports/./cancel` is `/imports/cancel`.
    // Checked first, in every mode, and said once: what the schema would add about the same parameter is noise.
    const unsafe = new Set<string>();
    for (const name in operation.path.properties) {
      const value = path[name];
      if (value === "" || value === undefined || value === null) {
        found.push(unsendable(name, value === "" ? "must not be empty (it is a URL path segment)" : "is required (it is a URL path segment)"));
        unsafe.add(name);
      } else if (typeof value === "string" && /^(\.|%2e){1,2}$/i.test(value)) {
        found.push(unsendable(name, `must not be "${value}" (a URL would resolve it to another path)`));
        unsafe.add(name);
      }
    }
    unencodable(path, "", found, unsafe);
    if (mode !== "off" && !conforms(operation.path, path)) found.push(...validateValue(operation.path, path, "").filter((i) => !unsafe.has(i.path)));
  }
  if (operation.query) {
    const unsafe = new Set<string>();
    unencodable(query, "", found, unsafe);
    if (mode !== "off" && !conforms(operation.query, query)) found.push(...validateValue(operation.query, query, "").filter((i) => !unsafe.has(i.path)));
  }
  if (mode !== "off") {
    if (input.body === undefined) {
      if (operation.bodyRequired) found.push({ path: "body", message: "is required", keyword: "required", inferred: operation.bodyRequiredInferred === true });
    } else if (operation.body && !(input.body instanceof FormData) && typeof input.body !== "string" && !conforms(operation.body, input.body)) {
      // A problem with the body as a whole (not one of its fields) is named `body`.
      found.push(...validateValue(operation.body, input.body, "").map((issue) => (issue.path === "" ? { ...issue, path: "body" } : issue)));
    }
  }
  if (found.length === 0) return NO_ISSUES;
  if (mode === "strict") return { refused: found, warnings: [] };
  return { refused: found.filter((i) => !i.inferred), warnings: found.filter((i) => i.inferred) };
}

function unsendable(path: string, message: string): FoundIssue {
  return { path, message, keyword: "sendable", inferred: false };
}

/** Text no URL can carry: an unpaired surrogate makes encodeURIComponent throw a bare URIError. */
function unencodable(values: Record<string, unknown>, prefix: string, found: FoundIssue[], unsafe: Set<string>): void {
  for (const name in values) {
    if (!Object.prototype.hasOwnProperty.call(values, name) || unsafe.has(name)) continue;
    const value = values[name];
    if (Array.isArray(value) ? value.some((item) => typeof item === "string" && !isWellFormed(item)) : typeof value === "string" && !isWellFormed(value)) {
      found.push(unsendable(prefix + name, "contains an unpaired surrogate (broken text that no URL can carry)"));
      unsafe.add(prefix + name);
    }
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}
