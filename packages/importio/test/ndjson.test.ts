// The streaming NDJSON parser behind crawlRuns.rows(), on its own: any chunking of any rows parses the same.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Redactor } from "@importkit/core/internal";
import { ResultParseError } from "@importkit/importio";
import { parseNdjson } from "../src/ndjson.ts";

function streamOf(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    if (point > from) pieces.push(bytes.slice(from, point));
    from = Math.max(from, point);
  }
  return new ReadableStream({
    pull(controller) {
      const next = pieces.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

async function parseAll(stream: ReadableStream<Uint8Array>, redactor = new Redactor()): Promise<unknown[]> {
  const rows: unknown[] = [];
  for await (const row of parseNdjson(stream, { label: "the file", redactor })) rows.push(row);
  return rows;
}

describe("parseNdjson", () => {
  it("yields the same rows however the bytes are cut, with LF or CRLF, blank lines and an optional final newline", async () => {
    const row = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 12 }),
        fc.constantFrom("\n", "\r\n"),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.boolean(),
        fc.array(fc.nat({ max: 12 }), { maxLength: 3 }),
        async (rows, eol, cuts, finalNewline, blankAfter) => {
          const lines = rows.map((r) => JSON.stringify(r));
          for (const index of blankAfter) if (index <= lines.length) lines.splice(index, 0, "");
          const text = lines.join(eol) + (finalNewline ? eol : "");
          const expected = rows.map((r) => JSON.parse(JSON.stringify(r)) as unknown);
          expect(await parseAll(streamOf(new TextEncoder().encode(text), cuts))).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("names the line (blank lines counted) and redacts what it quotes", async () => {
    const redactor = new Redactor({ secrets: ["key_SENTINEL_42"] });
    const bytes = new TextEncoder().encode('{"a":1}\n\n{"b":2}\nnot json ?_apikey=key_SENTINEL_42\n{"c":3}\n');
    const error = (await parseAll(streamOf(bytes, [3, 17]), redactor).catch((e: unknown) => e)) as ResultParseError;
    expect(error).toBeInstanceOf(ResultParseError);
    expect(error.line).toBe(4);
    expect(error.message).toMatch(/^the file: line 4 is not valid JSON/);
    expect(error.message).not.toContain("key_SENTINEL_42");
    expect(error.message).toContain("[REDACTED]");
  });

  it("redacts a line before cutting its quote: no start of a secret survives the cut", async () => {
    const secret = "key_SENTINEL_cut_5d2e9a";
    const redactor = new Redactor({ secrets: [secret] });
    for (const line of [`not json ${"x".repeat(70)}${secret} tail`, `${secret} opens a line that is not JSON, long enough to be cut`]) {
      const error = (await parseAll(streamOf(new TextEncoder().encode(`${line}\n`), []), redactor).catch((e: unknown) => e)) as ResultParseError;
      expect(error).toBeInstanceOf(ResultParseError);
      // Neither our quote of the line nor the engine's own (JSON.parse quotes its start, cut) keeps a piece of it.
      expect(error.message).not.toContain(secret.slice(0, 6));
    }
  });
});
