// The JSON lines encoder equals its plain definition (a JSON.stringify per item, each line ended by \n) for any list,
// whichever way it takes: the list's text cut into lines, or item by item.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ndjsonBody } from "../src/ndjson-body.ts";

const plain = (body: unknown) => (Array.isArray(body) ? body.map((item) => `${JSON.stringify(item)}\n`).join("") : `${JSON.stringify(body)}\n`);
const text = (encoded: string | Uint8Array) => (typeof encoded === "string" ? encoded : new TextDecoder().decode(encoded));

describe("ndjsonBody", () => {
  it("a list of plain ASCII objects: the list's text cut into lines, as bytes", () => {
    const inputs = [{ _url: "https://a.example/1" }, { _url: "https://a.example/2", "Max Screens": 5 }, { nested: { list: [1, 2] } }];
    const encoded = ndjsonBody(inputs);
    expect(encoded).toBeInstanceOf(Uint8Array);
    expect(text(encoded)).toBe(plain(inputs));
  });

  it("falls back to item by item where the list's text would be cut wrong, with the same result", () => {
    const cases: unknown[][] = [
      [{ note: "a },{ b" }, { n: 1 }], // a `},{` inside a string
      [{ list: [{ a: 1 }, { b: 2 }] }, { n: 1 }], // a `},{` between the objects of a nested list
      [{ word: "façade" }, { n: 1 }], // beyond ASCII: characters and bytes no longer line up
      [[1, 2], { n: 1 }], // an item that is a list
      [{ toJSON: (key: string) => ({ key }) }, { n: 1 }], // toJSON sees the index as its key inside a list
      [new Date(0), { n: 1 }],
      [Object(1), { n: 1 }], // a boxed number is written as the number
      ["text", 3, null, true], // not objects at all
    ];
    for (const list of cases) expect(text(ndjsonBody(list)), JSON.stringify(list)).toBe(plain(list));
  });

  it("one line for anything but a list; nothing for an empty list", () => {
    expect(ndjsonBody({ a: 1 })).toBe('{"a":1}\n');
    expect(ndjsonBody("x")).toBe('"x"\n');
    expect(ndjsonBody([])).toBe("");
  });

  it("equals the plain definition for any list of JSON values", () => {
    // ASCII-heavy text, and `},{`-shaped strings, so that both ways are taken often.
    const string = fc.oneof(fc.string({ unit: "grapheme-ascii", maxLength: 8 }), fc.constantFrom("},{", "a},{b", "}", "{", ","), fc.string({ maxLength: 4 }));
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: "small" }, string, fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie("value"), { maxLength: 3 }), fc.dictionary(string, tie("value"), { maxKeys: 3 })),
    }));
    const item = fc.oneof(fc.dictionary(string, value, { maxKeys: 4 }), fc.dictionary(string, value, { maxKeys: 4 }), value);
    fc.assert(
      fc.property(fc.array(item, { maxLength: 6 }), (list) => {
        expect(text(ndjsonBody(list))).toBe(plain(list));
      }),
      { numRuns: 500 },
    );
  });
});
