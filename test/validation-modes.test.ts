/**
 * The three validation modes (README "Validation"), on every provider: a rule the vendor documents is refused in
 * `documented` (the default) and `strict`; a rule importkit only inferred (`x-inferred` in the spec) is warned about
 * once per operation and rule and sent in `documented`, refused in `strict`; `off` sends both, without a word. What
 * cannot be sent at all (an empty id) is refused in every mode. Per client and per call; `raw` obeys the same mode.
 */
import { describe, expect, it } from "vitest";
import { ValidationError, type ValidationMode } from "../packages/core/src/index.ts";
import { adapters, type ProviderAdapter } from "./providers.ts";
import { recordingLogger } from "./recording-logger.ts";

interface Case {
  /** A call that breaks one rule: the operation and its input, as the adapter takes it. */
  operation: string;
  input: { path?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
  field: string;
}


/** Per provider: a documented rule broken, and (where the spec infers any request rule) an inferred one. */
const cases: Record<string, { documented?: Case; inferred?: Case; unsendable: Case }> = {
  gitbook: {
    documented: {
      operation: "startImportRun",
      input: { path: { organizationId: "org_1" }, body: { source: { type: "website", url: "https://docs.example.com" } } },
      field: "target",
    },
    unsendable: { operation: "getImportRun", input: { path: { organizationId: "org_1", importRunId: "" } }, field: "importRunId" },
  },
  importio: {
    documented: { operation: "listExtractors", input: { query: { _sortDirection: "UP" } }, field: "_sortDirection" },
    inferred: { operation: "listExtractors", input: { query: { _perpage: 0 } }, field: "_perpage" },
    unsendable: { operation: "getExtractor", input: { path: { extractorId: ".." } }, field: "extractorId" },
  },
  document360: {
    documented: { operation: "exportDocumentation", input: { body: { version_id: [] } }, field: "entity" },
    inferred: { operation: "importDocumentation", input: { body: { source_documentation_url: "https://x.example/e.zip", import_by: "" } }, field: "import_by" },
    unsendable: { operation: "getImportStatus", input: { path: { importId: "" } }, field: "importId" },
  },
  sharinpix: {
    // SharinPix documents no type and no required field ("Required: false" everywhere): only inferred rules.
    inferred: { operation: "createImport", input: { body: { album_id: "", url: "https://images.example.com/1.jpg" } }, field: "album_id" },
    unsendable: { operation: "getImport", input: { path: { id: "" } }, field: "id" },
  },
};

function harness(adapter: ProviderAdapter, validate?: ValidationMode) {
  const log = recordingLogger();
  let sent = 0;
  const client = adapter.client({
    baseUrl: "https://api.example.test/base",
    maxRetries: 0,
    logger: log.logger,
    ...(validate ? { validate } : {}),
    fetch: async () => {
      sent++;
      return new Response(JSON.stringify({ message: "stop here" }), { status: 500, headers: { "content-type": "application/json" } });
    },
  });
  const call = async (c: Case) => {
    const error = await Promise.resolve()
      .then(() => adapter.operations[c.operation]!(client, { path: { ...c.input.path }, query: { ...c.input.query }, body: c.input.body } as never))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    return error instanceof ValidationError ? "refused" : "sent";
  };
  return { call, sent: () => sent, warnings: () => log.lines.filter((line) => line.startsWith("warn")) };
}

describe.each(adapters.map((a) => [a.provider, a] as const))("%s", (provider, adapter) => {
  const mine = cases[provider]!;

  // Only where the provider has one (registered, not skipped: a skip would read as something left undone).
  if (mine.documented !== undefined) it("a documented rule: refused in documented and strict, sent in off", async () => {
    const c = mine.documented!;
    for (const [mode, expected] of [["documented", "refused"], ["strict", "refused"], ["off", "sent"]] as const) {
      const h = harness(adapter, mode);
      expect(await h.call(c), mode).toBe(expected);
      expect(h.sent(), mode).toBe(expected === "sent" ? 1 : 0);
      expect(h.warnings(), mode).toEqual([]);
    }
  });

  // Only where the provider has one (registered, not skipped: a skip would read as something left undone).
  if (mine.inferred !== undefined) it("an inferred rule: warned once and sent in documented (the default), refused in strict, silent in off", async () => {
    const c = mine.inferred!;
    const byDefault = harness(adapter);
    expect(await byDefault.call(c)).toBe("sent");
    const warned = byDefault.warnings();
    expect(warned.length).toBeGreaterThan(0);
    for (const line of warned) expect(line).toMatch(new RegExp(`${c.operation}: ${c.field} .*importkit only inferred this rule.*validate: "strict" refuses it`));
    // Once per operation and rule: the same call again adds no line.
    expect(await byDefault.call(c)).toBe("sent");
    expect(byDefault.warnings()).toEqual(warned);
    expect(byDefault.sent()).toBe(2);
    const strict = harness(adapter, "strict");
    expect(await strict.call(c)).toBe("refused");
    expect(strict.sent()).toBe(0);
    const off = harness(adapter, "off");
    expect(await off.call(c)).toBe("sent");
    expect(off.warnings()).toEqual([]);
  });

  it("what cannot be sent at all is refused in every mode, off included", async () => {
    for (const mode of ["documented", "strict", "off"] as const) {
      const h = harness(adapter, mode);
      expect(await h.call(mine.unsendable), mode).toBe("refused");
      expect(h.sent(), mode).toBe(0);
    }
  });

  it("raw obeys the client's mode, and a call's own overrides it", async () => {
    const c = mine.inferred ?? mine.documented!;
    const spec = adapter.table[c.operation]!;
    let sent = 0;
    const client = adapter.client({
      baseUrl: "https://api.example.test/base",
      maxRetries: 0,
      validate: "off",
      fetch: async () => (sent++, new Response("{}", { status: 500 })),
    }) as { raw: { request: (method: string, path: string, init: unknown) => Promise<unknown> } };
    const init = (validate?: ValidationMode) => ({ params: { path: c.input.path, query: c.input.query }, body: c.input.body, ...(validate ? { validate } : {}) });
    await client.raw.request(spec.method.toLowerCase(), spec.path, init());
    expect(sent).toBe(1);
    await expect(client.raw.request(spec.method.toLowerCase(), spec.path, init("strict"))).rejects.toBeInstanceOf(ValidationError);
    expect(sent).toBe(1);
  });
});
