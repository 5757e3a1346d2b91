/**
 * What a large request body costs the client: checking it against the spec and encoding it, for every encoding the
 * specs use, against `JSON.stringify` of the same data (what a caller of plain `fetch` pays for a JSON body), at
 * 1 KB, 100 KB, 1 MB and 10 MB. Every side is taken to the bytes that go on the wire: the baseline is
 * `new TextEncoder().encode(JSON.stringify(data))`, and a body the client hands over as text is encoded the same way
 * by the stub transport, as `fetch` does (the client hands JSON over as text, the form and JSON lines as bytes).
 *
 *   node --import tsx bench/body-encoding.ts [rounds] [--source]   (or `pnpm bench body-encoding`)
 *
 * Each side is the client's public call, as users make it, with validation ON (`documented`, the default), retries,
 * redaction and everything else as shipped; only the transport is a stub (`fetch` option) that answers at once, so
 * what is measured is the client's own work on the body, plus its fixed cost per call (~20–40 µs, which is what
 * dominates at 1 KB and is `bench/core-overhead.ts`'s subject, not this one's):
 *
 *   - JSON:    SharinPix `imports.start(item, { encoding: "json" })` (`application/json`; Document360's and GitBook's
 *              bodies go through the same JSON encoder, but their schemas cap them far below 1 MB);
 *   - form:    SharinPix `imports.start(item)`, the default `application/x-www-form-urlencoded` body with Rails nested
 *              parameters (`metadatas[key]=value`);
 *   - NDJSON:  Import.io `extractors.setInputs(id, inputs)` (`application/x-ndjson`, one input object per line).
 *
 * The SharinPix item carries its size in `metadatas` (half ids, half free text with spaces, punctuation and accents,
 * which the form encoding must escape); the Import.io body is a list of inputs (a URL with a query, an attribute).
 * The baseline is `JSON.stringify` of the very object (or list) the client is given, then encoded.
 *
 * Figures are the CPU time of the process per call (user + system, all threads: the garbage collector's helpers
 * count), the median over `rounds` rounds in which the sides alternate (a, b, c, d, then d, c, b, a). Goals, at
 * 1 MB and at 10 MB: each encoding ≤ 2 × the baseline; and growth linear in size, judged against the baseline's own
 * (on this data `JSON.stringify` costs 3–4× more per MB at 10 MB than at 100 KB: strings of megabytes, an object of
 * 300 000 fields, and the garbage collector's work on them): the ratio at 10 MB at most 1.5 × the ratio at 100 KB.
 * The cost per MB is printed too. For JSON lines, the same body made by hand (a `JSON.stringify` per item, joined,
 * encoded: what a caller of plain `fetch` would write) is printed beside it.
 */
import { buildPackages, distUrl } from "../scripts/built.ts";

const RATIO_GOAL = 2;
const LINEAR_GOAL = 1.5;
const SIZES = [
  { label: "1 KB", bytes: 1_000 },
  { label: "100 KB", bytes: 100_000 },
  { label: "1 MB", bytes: 1_000_000 },
  { label: "10 MB", bytes: 10_000_000 },
];
/** Each measurement runs at least this long (and at least 3 calls), so that the CPU clock's resolution is noise. */
const MEASURE_MS = 250;

type Side = "JSON.stringify" | "JSON" | "form" | "NDJSON" | "JSON.stringify (inputs)" | "NDJSON by hand";

const ALBUM = "5005800000HEXCtAAP";
const EXTRACTOR = "4e8eb2af-2f26-465a-881c-d424e42a8512";
/** A ready SharinPix JWT's shape (never checked by anything here: the transport is a stub). */
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJiZW5jaCJ9.c2lnbmF0dXJl";

/** A SharinPix item whose JSON is about `bytes` long, its size in `metadatas`. */
function sharinpixItem(bytes: number) {
  const metadatas: Record<string, string> = {};
  let size = 150;
  for (let i = 0; size < bytes; i++) {
    const key = `field_${i}`;
    const value = i % 2 === 0 ? `0694I${String(i).padStart(13, "0")}` : `Photo ${i} – façade, north side (2019) & "court" view`;
    metadatas[key] = value;
    size += JSON.stringify(key).length + JSON.stringify(value).length + 2;
  }
  return { album_id: ALBUM, import_type: "salesforce" as const, content_document_id: "0694I000000ABCDEFG", filename: "Image.jpg", metadatas };
}

/** Import.io inputs whose JSON is about `bytes` long. */
function importioInputs(bytes: number) {
  const inputs: Array<{ _url: string; "Max Screens": number }> = [];
  for (let size = 2; size < bytes; ) {
    const input = { _url: `https://shop.example.com/products/${inputs.length}?ref=catalog&sort=price`, "Max Screens": 50 };
    inputs.push(input);
    size += JSON.stringify(input).length + 1;
  }
  return inputs;
}

async function main() {
  const [rounds = 5] = process.argv.slice(2).filter((a) => !a.startsWith("--")).map(Number);
  const fromSource = process.argv.includes("--source");
  if (!fromSource) buildPackages(["sharinpix", "importio"]);
  const load = <T>(pkg: string, source: string) => import(fromSource ? source : distUrl(pkg)) as Promise<T>;
  const { createSharinPixClient } = await load<typeof import("../packages/sharinpix/src/index.ts")>("sharinpix", "../packages/sharinpix/src/index.ts");
  const { createImportIoClient } = await load<typeof import("../packages/importio/src/index.ts")>("importio", "../packages/importio/src/index.ts");

  // The stub transport: takes the body to bytes as fetch does, answers at once, and remembers what it was sent
  // (checked once per size below).
  const encoder = new TextEncoder();
  let lastBody: unknown;
  let lastType: string | null = null;
  const IMPORT = JSON.stringify({ id: "2cb9eb0f-038c-4fa9-a4e8-aba57b177a83", image_id: null, album_id: ALBUM, import_type: "salesforce" });
  const stub = (status: number, body: string | null) =>
    (async (_url: string | URL | Request, init?: RequestInit) => {
      lastBody = typeof init?.body === "string" ? encoder.encode(init.body) : init?.body;
      lastType = new Headers(init?.headers).get("content-type");
      return new Response(body, { status, headers: body ? { "content-type": "application/json" } : {} });
    }) as typeof fetch;
  const sharinpix = createSharinPixClient({ token: JWT, host: "api.sharinpix.test", fetch: stub(200, IMPORT) });
  const importio = createImportIoClient({ apiKey: "bench-key-0000", fetch: stub(204, null) });

  console.log(
    `Request bodies: check + encode, the client's public call (validation on, stub transport) vs JSON.stringify of the same data; ` +
      `${rounds} alternating rounds, CPU µs per call (median), client ${fromSource ? "TypeScript sources through tsx" : "compiled to JavaScript"}, node ${process.version}`,
  );
  const failures: string[] = [];
  const growth = new Map<Side, { perMb: number[]; ratios: number[] }>();
  for (const size of SIZES) {
    const item = sharinpixItem(size.bytes);
    const inputs = importioInputs(size.bytes);
    const sides: Record<Side, () => unknown> = {
      "JSON.stringify": () => encoder.encode(JSON.stringify(item)),
      JSON: () => sharinpix.imports.start(item, { encoding: "json" }),
      form: () => sharinpix.imports.start(item),
      "JSON.stringify (inputs)": () => encoder.encode(JSON.stringify(inputs)),
      NDJSON: () => importio.extractors.setInputs(EXTRACTOR, inputs),
      "NDJSON by hand": () => encoder.encode(inputs.map((input) => `${JSON.stringify(input)}\n`).join("")),
    };
    // Once: each side sends what it should (and warms up).
    const text = (body: unknown) => new TextDecoder().decode(body as Uint8Array);
    await sides.form();
    if (lastType !== "application/x-www-form-urlencoded" || !text(lastBody).includes("metadatas[field_1]=Photo+1+%E2%80%93+fa%C3%A7ade")) {
      throw new Error(`form: unexpected body (${lastType})`);
    }
    await sides.JSON();
    if (lastType !== "application/json" || text(lastBody) !== JSON.stringify(item)) throw new Error(`JSON: unexpected body (${lastType})`);
    await sides.NDJSON();
    if (lastType !== "application/x-ndjson" || text(lastBody) !== inputs.map((input) => `${JSON.stringify(input)}\n`).join("")) {
      throw new Error(`NDJSON: unexpected body (${lastType})`);
    }

    const names = Object.keys(sides) as Side[];
    const samples = new Map<Side, number[]>(names.map((n) => [n, []]));
    for (let round = 0; round < rounds; round++) {
      for (const name of round % 2 === 0 ? names : [...names].reverse()) samples.get(name)!.push(await measure(sides[name]));
    }
    const us = (name: Side) => median(samples.get(name)!);
    const bytesOf = { item: JSON.stringify(item).length, inputs: JSON.stringify(inputs).length };
    const row = (name: Side, baseline: Side, bytes: number, gated = true) => {
      const ratio = us(name) / us(baseline);
      const checked = gated && size.bytes >= 1_000_000;
      if (checked && ratio > RATIO_GOAL) failures.push(`${name} at ${size.label}: ${ratio.toFixed(2)}×`);
      if (gated) {
        if (!growth.has(name)) growth.set(name, { perMb: [], ratios: [] });
        growth.get(name)!.perMb.push(us(name) / (bytes / 1e6));
        growth.get(name)!.ratios.push(ratio);
      }
      const verdict = checked ? (ratio <= RATIO_GOAL ? "  ok" : "  NOT met") : "";
      return `    ${name.padEnd(24)} ${fmt(us(name)).padStart(10)} µs   ${ratio.toFixed(2)}× ${baseline}${verdict}`;
    };
    console.log(`\n  ${size.label} (SharinPix item ${bytesOf.item} B of JSON; Import.io inputs ${bytesOf.inputs} B, ${inputs.length} lines)`);
    console.log(`    ${"JSON.stringify".padEnd(24)} ${fmt(us("JSON.stringify")).padStart(10)} µs`);
    console.log(row("JSON", "JSON.stringify", bytesOf.item));
    console.log(row("form", "JSON.stringify", bytesOf.item));
    console.log(`    ${"JSON.stringify (inputs)".padEnd(24)} ${fmt(us("JSON.stringify (inputs)")).padStart(10)} µs`);
    console.log(row("NDJSON", "JSON.stringify (inputs)", bytesOf.inputs));
    console.log(row("NDJSON by hand", "JSON.stringify (inputs)", bytesOf.inputs, false).replace(/$/, "  (no check, no client: for comparison)"));
  }
  console.log(`\n  growth from 100 KB to 1 MB to 10 MB: µs per MB, and the ratio to the baseline (goal: at 10 MB ≤ ${LINEAR_GOAL} × at 100 KB)`);
  for (const [name, { perMb, ratios }] of growth) {
    const [, mb100k, mb1m, mb10m] = perMb as [number, number, number, number];
    const [, r100k, r1m, r10m] = ratios as [number, number, number, number];
    const grows = r10m / r100k;
    if (grows > LINEAR_GOAL) failures.push(`${name}'s ratio grows ${grows.toFixed(2)}× from 100 KB to 10 MB`);
    console.log(
      `    ${name.padEnd(24)} ${fmt(mb100k)} → ${fmt(mb1m)} → ${fmt(mb10m)} µs/MB;  ${r100k.toFixed(2)}× → ${r1m.toFixed(2)}× → ${r10m.toFixed(2)}×` +
        `${grows <= LINEAR_GOAL ? "  ok" : "  NOT met"}`,
    );
  }
  console.log(
    `\n  goals (each encoding ≤ ${RATIO_GOAL}× the baseline at 1 MB and 10 MB; growth no faster than the baseline's): ${failures.length ? `NOT met: ${failures.join("; ")}` : "met"}`,
  );
}

/** CPU µs per call of `run`, over at least MEASURE_MS and 3 calls. */
async function measure(run: () => unknown): Promise<number> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let calls = 0;
  do {
    await run();
    calls++;
  } while (calls < 3 || performance.now() - started < MEASURE_MS);
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / calls;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function fmt(us: number): string {
  return us >= 100 ? Math.round(us).toLocaleString("en-US") : us.toFixed(1);
}

await main();
