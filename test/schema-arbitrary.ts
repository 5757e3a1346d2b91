/**
 * fast-check arbitraries from the specs' own schemas (the generated validation schemas: dereferenced, the subset
 * core's validator knows). `validInput` makes values a spec accepts; `invalidInput` makes values that break
 * exactly one rule of it, so a test can check each ends in a typed error without a request being sent.
 */
import fc from "fast-check";
import { validateValue, type Schema } from "../packages/core/src/validate.ts";

const MAX_ARRAY = 4;
const MAX_STRING = 24;

function types(schema: Schema): string[] {
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

function mergeAllOf(schema: Schema): Schema {
  if (!schema.allOf) return schema;
  const { allOf, ...rest } = schema;
  return allOf.map(mergeAllOf).reduce<Schema>(
    (merged, part) => ({
      ...merged,
      ...part,
      properties: { ...merged.properties, ...part.properties },
      required: [...(merged.required ?? []), ...(part.required ?? [])],
    }),
    rest,
  );
}

function stringArbitrary(schema: Schema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.max(min, Math.min(schema.maxLength ?? MAX_STRING, MAX_STRING));
  let base: fc.Arbitrary<string>;
  if (schema.format === "uri") base = fc.webUrl({ withQueryParameters: false, withFragments: false });
  else if (schema.format === "uuid") base = fc.uuid();
  else if (schema.format === "date-time") base = fc.date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }).map((d) => d.toISOString());
  else if (schema.pattern) base = fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= min);
  else base = fc.string({ minLength: min, maxLength: max });
  return base.filter((s) => (schema.maxLength === undefined || s.length <= schema.maxLength) && s.length >= min);
}

function numberArbitrary(schema: Schema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1_000_000);
  const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1_000_000);
  // Whole numbers even for `number`: query strings and form bodies carry them without float formatting noise.
  return fc.integer({ min: Math.ceil(min), max: Math.floor(max) }).map((n) => (integer ? n : n));
}

/** Values the schema accepts (every value is checked against core's validator, the spec's own rules). */
export function validInput(input: Schema): fc.Arbitrary<unknown> {
  const schema = mergeAllOf(input);
  return rawValid(schema).filter((value) => validateValue(input, value).length === 0);
}

function rawValid(schema: Schema): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.oneOf) return fc.oneof(...schema.oneOf.map((s) => validInput(s)));
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => validInput(s)));
  const options = types(schema).filter((t) => t !== "null");
  const nullable = types(schema).includes("null");
  const type = options[0] ?? (schema.properties ? "object" : schema.items ? "array" : undefined);
  let arbitrary: fc.Arbitrary<unknown>;
  switch (type) {
    case "string":
      arbitrary = stringArbitrary(schema);
      break;
    case "integer":
      arbitrary = numberArbitrary(schema, true);
      break;
    case "number":
      arbitrary = numberArbitrary(schema, false);
      break;
    case "boolean":
      arbitrary = fc.boolean();
      break;
    case "array":
      arbitrary = fc.array(validInput(schema.items ?? {}), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? MAX_ARRAY, MAX_ARRAY)),
      });
      break;
    case "object": {
      const properties = schema.properties ?? {};
      const model = Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, validInput(s)]));
      arbitrary = fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in properties) });
      break;
    }
    default:
      arbitrary = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean());
  }
  return nullable ? fc.option(arbitrary, { nil: null }) : arbitrary;
}

export interface InvalidInput {
  value: unknown;
  /** The rule broken, for failure messages, e.g. `source.url: maxLength`. */
  rule: string;
}

/**
 * Values that break one rule of the schema: a required field left out, a wrong type, a string too long or
 * off-pattern, a value outside its enum or range, an array too long. Only rules core's validator checks are
 * broken, and every value is confirmed invalid by it. Undefined when the schema accepts anything.
 */
export function invalidInput(input: Schema, path = "", options: { keepRootType?: boolean } = {}): fc.Arbitrary<InvalidInput> | undefined {
  const schema = mergeAllOf(input);
  const strategies: Array<fc.Arbitrary<InvalidInput>> = [];
  const label = (rule: string) => (path ? `${path}: ${rule}` : rule);
  // The type of a oneOf/anyOf is that of its alternatives when they agree (e.g. two string shapes).
  const alternatives = [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])];
  const shared = alternatives.length ? [...new Set(alternatives.flatMap((a) => types(mergeAllOf(a))))] : [];
  const kinds = options.keepRootType ? [] : types(schema).length ? types(schema) : shared.length === 1 ? shared : [];

  // A value of the wrong type.
  if (kinds.length && !kinds.includes("string")) strategies.push(fc.constant({ value: "not-a-" + kinds[0], rule: label("type") }));
  if (kinds.length && kinds.every((k) => k !== "integer" && k !== "number")) strategies.push(fc.constant({ value: 12345, rule: label("type") }));
  if (schema.enum && schema.enum.every((e) => typeof e === "string")) {
    strategies.push(fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !schema.enum!.includes(s)).map((value) => ({ value, rule: label("enum") })));
  }
  if (schema.maxLength !== undefined) {
    strategies.push(fc.constant({ value: "x".repeat(schema.maxLength + 1), rule: label("maxLength") }));
  }
  if (schema.minLength !== undefined && schema.minLength > 0) {
    strategies.push(fc.constant({ value: "x".repeat(schema.minLength - 1), rule: label("minLength") }));
  }
  if (schema.format === "uuid") strategies.push(fc.constant({ value: "not-a-uuid", rule: label("format uuid") }));
  if (schema.pattern && !new RegExp(schema.pattern).test("bad value/!")) {
    strategies.push(fc.constant({ value: "bad value/!", rule: label("pattern") }));
  }
  if (schema.maximum !== undefined) strategies.push(fc.constant({ value: schema.maximum + 1, rule: label("maximum") }));
  if (schema.minimum !== undefined) strategies.push(fc.constant({ value: schema.minimum - 1, rule: label("minimum") }));
  if (schema.maxItems !== undefined && schema.items) {
    strategies.push(
      fc.array(validInput(schema.items), { minLength: schema.maxItems + 1, maxLength: schema.maxItems + 1 }).map((value) => ({ value, rule: label("maxItems") })),
    );
  }
  // One alternative of a oneOf/anyOf, broken (a website source whose url is too long).
  for (const alternative of [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) {
    const broken = invalidInput(alternative, path, { keepRootType: true });
    if (broken) strategies.push(broken);
  }
  if (schema.properties || schema.required) {
    const base = validInput(schema) as fc.Arbitrary<Record<string, unknown>>;
    for (const key of schema.required ?? []) {
      strategies.push(base.map((valid) => {
        const { [key]: _dropped, ...rest } = valid;
        return { value: rest, rule: label(`${key} required`) };
      }));
    }
    for (const [key, propertySchema] of Object.entries(schema.properties ?? {})) {
      const inner = invalidInput(propertySchema, path ? `${path}.${key}` : key);
      if (inner) strategies.push(fc.tuple(base, inner).map(([valid, bad]) => ({ value: { ...valid, [key]: bad.value }, rule: bad.rule })));
    }
  }
  // A strategy can break a rule another part of the schema still allows (an off-enum string that an `anyOf`
  // string branch accepts): keep only those that do produce invalid values, or the filter below never ends.
  const breaking = strategies.filter((strategy) =>
    fc.sample(strategy, { numRuns: 20, seed: 1 }).some((candidate) => validateValue(input, candidate.value).length > 0),
  );
  if (breaking.length === 0) return undefined;
  return fc.oneof(...breaking).filter((candidate) => validateValue(input, candidate.value).length > 0);
}
