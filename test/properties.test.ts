/**
 * Property-based inputs for every operation of every spec, generated from the spec's own schemas:
 * - valid inputs go through the high-level client to the Prism server of that spec and are accepted
 *   (2xx, no `sl-violations`);
 * - invalid inputs (one rule broken) end in a ValidationError naming the field, and nothing is sent.
 * Runs per operation: PROPERTY_RUNS (default 25); `pnpm test:properties` runs 1 000.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { ValidationError } from "../packages/core/src/errors.ts";
import type { OperationSchema, Schema } from "../packages/core/src/validate.ts";
import { contractFetch, mockUrl } from "./contract.ts";
import { adapters, type CallInput } from "./providers.ts";
import { invalidInput, validInput } from "./schema-arbitrary.ts";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 25);
const SEED = process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : undefined;
// Shrinking a failure sends a request per step: bound it so a failing property reports instead of hanging.
const settings = {
  numRuns: RUNS,
  interruptAfterTimeLimit: 90_000,
  markInterruptAsFailure: true,
  // PROPERTY_NO_SHRINK=1 reports the first failing input as found (fast, when exploring a failure).
  endOnFailure: process.env.PROPERTY_NO_SHRINK === "1",
  ...(SEED !== undefined ? { seed: SEED } : {}),
};

/** The schema without the query parameters the high-level API sets itself. */
function withoutManaged(schema: Schema | undefined, managed: string[] = []): Schema | undefined {
  if (!schema?.properties) return schema;
  const properties = Object.fromEntries(Object.entries(schema.properties).filter(([k]) => !managed.includes(k)));
  return { ...schema, properties };
}

function nonEmptyStrings(schema: Schema): Schema {
  const properties = Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([k, s]) => [k, s.type === "string" ? { minLength: 1, ...s } : s]),
  );
  return { ...schema, properties };
}

function inputArbitrary(op: OperationSchema, managed: string[]): fc.Arbitrary<CallInput> {
  const query = withoutManaged(op.query, managed);
  return fc.record({
    // Path parameters are URL segments: never empty, `.` or `..` (the client refuses those).
    path: op.path
      ? (validInput(nonEmptyStrings(op.path)).filter((p) => Object.values(p as object).every((v) => !/^(\.|%2e){1,2}$/i.test(String(v)))) as fc.Arbitrary<Record<string, unknown>>)
      : fc.constant({}),
    query: query ? (validInput(query) as fc.Arbitrary<Record<string, unknown>>) : fc.constant({}),
    body: op.body ? validInput(op.body) : fc.constant(undefined),
  }) as fc.Arbitrary<CallInput>;
}

const counters = { valid: 0, invalid: 0, operations: 0 };
afterAll(() => {
  console.log(
    `properties: ${counters.operations} operations, ${counters.valid} valid inputs accepted by the mocks, ` +
      `${counters.invalid} invalid inputs refused unsent (${RUNS} runs per property)`,
  );
});

// Every operation of every spec has an adapter entry: a new operation without one fails here.
describe("coverage", () => {
  it.each(adapters.map((a) => [a.provider, a] as const))("%s: every operation of the spec is exercised", (_name, adapter) => {
    expect(Object.keys(adapter.operations).sort()).toEqual(Object.keys(adapter.validation).sort());
  });
});

for (const adapter of adapters) {
  describe(`${adapter.provider}: generated inputs`, () => {
    const guard = contractFetch();
    for (const [key, call] of Object.entries(adapter.operations)) {
      const op = adapter.validation[key];
      if (!op) throw new Error(`${adapter.provider}: no schema for ${key}`);
      counters.operations++;
      const managed = adapter.managedQuery?.[key] ?? [];
      const refine = adapter.refine?.[key] ?? ((input: fc.Arbitrary<CallInput>) => input);

      it(`${key}: ${RUNS} valid inputs are accepted by the mock`, async () => {
        const client = adapter.client({ baseUrl: mockUrl(adapter.provider), fetch: guard.fetch, maxRetries: 0 });
        await fc.assert(
          fc.asyncProperty(refine(inputArbitrary(op, managed)), async (input) => {
            counters.valid++;
            await call(client, input);
            expect(guard.takeViolations()).toEqual([]);
          }),
          settings,
        );
      }, 120_000);

      const valid = refine(inputArbitrary(op, managed));
      const breakers = (["path", "query", "body"] as const).flatMap((part) => {
        const schema = part === "query" ? withoutManaged(op.query, managed) : op[part];
        const bad = schema && invalidInput(schema, "", { keepRootType: true });
        return bad
          ? [fc.tuple(valid, bad).map(([base, b]) => ({ input: { ...base, [part]: b.value } as CallInput, rule: `${part}: ${b.rule}` }))]
          : [];
      });
      // Every operation here has at least a path parameter or a body to break; say so if one ever does not.
      // Strict: every rule of the spec refuses, the inferred ones too (test/validation-modes.test.ts covers the others).
      // An operation with nothing to break (no path parameter, no body) has no such test, rather than a skipped one.
      if (breakers.length > 0) it(`${key}: invalid inputs end in ValidationError, nothing sent`, async () => {
        const client = adapter.client({ baseUrl: mockUrl(adapter.provider), fetch: guard.fetch, maxRetries: 0, validate: "strict" });
        const broken = fc.oneof(...breakers);
        await fc.assert(
          fc.asyncProperty(broken, async ({ input, rule }) => {
            counters.invalid++;
            const before = guard.requests;
            const error = await Promise.resolve()
              .then(() => call(client, input))
              .then(
              () => undefined,
              (e: unknown) => e,
            );
            expect(error, `expected a ValidationError for ${rule}`).toBeInstanceOf(ValidationError);
            expect(guard.requests, `a request was sent for ${rule}`).toBe(before);
          }),
          settings,
        );
      }, 120_000);
    }
  });
}
