/**
 * core's validator has two halves: `conforms` (a yes/no answer that stops at the first problem, what every valid
 * call costs) and `validateValue` (every problem, with paths and messages, run only once `conforms` said no). If
 * they ever disagreed, a call `conforms` waved through would skip validation entirely. This property pins them
 * together on every schema of the four specs (each operation's path, query and body, and every schema nested in
 * them), for valid inputs, valid inputs nudged just past one limit, inputs breaking one rule, and arbitrary values.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { conforms, validateValue, type Schema } from "../packages/core/src/validate.ts";
import { adapters } from "./providers.ts";
import { invalidInput, validInput } from "./schema-arbitrary.ts";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 25);
const SEED = process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : undefined;

/** The schema and every schema inside it, each once. */
function nested(schema: Schema, out = new Set<Schema>()): Set<Schema> {
  if (out.has(schema)) return out;
  out.add(schema);
  const children = [
    ...Object.values(schema.properties ?? {}),
    ...(schema.items ? [schema.items] : []),
    ...(typeof schema.additionalProperties === "object" ? [schema.additionalProperties] : []),
    ...(schema.allOf ?? []),
    ...(schema.anyOf ?? []),
    ...(schema.oneOf ?? []),
  ];
  for (const child of children) nested(child, out);
  return out;
}

/**
 * A valid value nudged past one of the schema's own limits (the `pick`-th that applies), keeping everything else
 * about it valid: a URL made one character too long is still a URL, so only the length check can catch it.
 */
function nudge(schema: Schema, value: unknown, pick: number): unknown {
  const options: Array<() => unknown> = [];
  if (typeof value === "string" && value.length > 0) {
    if (schema.maxLength !== undefined) options.push(() => value + value.slice(-1).repeat(schema.maxLength! + 1 - value.length));
    if (schema.minLength !== undefined && schema.minLength > 0) options.push(() => value.slice(0, schema.minLength! - 1));
  }
  if (typeof value === "number") {
    if (schema.maximum !== undefined) options.push(() => schema.maximum! + 1);
    if (schema.minimum !== undefined) options.push(() => schema.minimum! - 1);
    if (schema.exclusiveMaximum !== undefined) options.push(() => schema.exclusiveMaximum);
    if (schema.exclusiveMinimum !== undefined) options.push(() => schema.exclusiveMinimum);
    options.push(() => Number.NaN);
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > 0) options.push(() => Array.from({ length: schema.maxItems! + 1 }, (_, i) => value[i % value.length]));
    if (schema.minItems !== undefined && schema.minItems > 0) options.push(() => value.slice(0, schema.minItems! - 1));
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const key of schema.required ?? []) options.push(() => ({ ...value, [key]: undefined }));
    if (schema.additionalProperties === false) options.push(() => ({ ...value, notAField: 1 }));
    if (typeof schema.additionalProperties === "object") options.push(() => ({ ...value, notAField: Symbol("no JSON value") }));
  }
  return options.length ? options[pick % options.length]!() : value;
}

const cases: Array<[string, Schema]> = [];
for (const { provider, validation: operations } of adapters) {
  for (const [operation, parts] of Object.entries(operations)) {
    for (const part of ["path", "query", "body"] as const) {
      const schema = parts[part];
      if (!schema) continue;
      [...nested(schema)].forEach((sub, i) => cases.push([`${provider} ${operation} ${part}${i ? ` #${i}` : ""}`, sub]));
    }
  }
}

describe("conforms(schema, value) is validateValue(schema, value) finding nothing", () => {
  it("covers every schema of the four specs", () => {
    expect(cases.length).toBeGreaterThan(100);
  });

  it.each(cases)("%s", (_name, schema) => {
    const broken = invalidInput(schema);
    const values = fc.oneof(
      validInput(schema),
      fc.tuple(validInput(schema), fc.nat()).map(([value, pick]) => nudge(schema, value, pick)),
      ...(broken ? [broken.map((b) => b.value)] : []),
      fc.anything({ maxDepth: 2, withNullPrototype: false }),
    );
    fc.assert(
      fc.property(values, (value) => {
        expect(conforms(schema, value)).toBe(validateValue(schema, value).length === 0);
      }),
      { numRuns: RUNS * 4, ...(SEED !== undefined ? { seed: SEED } : {}) },
    );
  });
});
