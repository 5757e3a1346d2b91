// Redaction that no body shape can defeat (issue 12 §2): depth, cycles, prototypes, encodings, and cuts.
import { describe, expect, it } from "vitest";
import { CIRCULAR, MAX_REDACT_DEPTH, REDACTED, Redactor, TOO_DEEP, withoutQuotedInput } from "../src/redact.ts";

const SECRET = "tok_SENTINEL_redact_8c1f/e+4a=9d";
const redactor = () => new Redactor({ secrets: [SECRET] });

const utf8Base64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
const base64url = (text: string) => utf8Base64(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

/** A value nested `levels` deep (`{ a: { a: … { token } } }`), built without recursion. */
function nested(levels: number, leaf: unknown, array = false): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = array ? [value] : { a: value };
  return value;
}

describe("value(): no depth lets a subtree through", () => {
  it("a secret 40 levels deep is hidden, the subtree below the limit replaced", () => {
    for (const array of [false, true]) {
      const out = redactor().value(nested(40, { note: `echo ${SECRET}` }, array));
      const text = JSON.stringify(out);
      expect(text).not.toContain(SECRET);
      expect(text).toContain(JSON.stringify(TOO_DEEP));
    }
  });

  it("a 5 000-level body comes back redacted, without a stack overflow", () => {
    const deep = JSON.parse(`${'{"a":'.repeat(5000)}"${SECRET}"${"}".repeat(5000)}`);
    const out = redactor().value(deep);
    const text = JSON.stringify(out);
    expect(text).not.toContain(SECRET);
    expect(text.split('{"a":').length - 1).toBe(MAX_REDACT_DEPTH);
  });

  it("strings stay redacted up to the limit: what is shallow is kept as it was", () => {
    const out = redactor().value(nested(MAX_REDACT_DEPTH - 1, { note: `x ${SECRET}`, n: 1 })) as Record<string, unknown>;
    const text = JSON.stringify(out);
    expect(text).toContain(`"note":"x ${REDACTED}"`);
    expect(text).toContain('"n":1');
    expect(text).not.toContain(TOO_DEEP);
  });

  it("a value that contains itself is cut at the cycle; shared subtrees are copied once", () => {
    const loop: Record<string, unknown> = { token: "abcd", note: SECRET };
    loop.self = loop;
    const out = redactor().value(loop) as Record<string, unknown>;
    const text = JSON.stringify(out);
    expect(text).not.toContain(SECRET);
    expect(out.self).toBe(CIRCULAR);

    // 2^20 paths through 20 shared levels: visited once each, not once per path (one copy each).
    let shared: Record<string, unknown> = { note: SECRET };
    for (let i = 0; i < 20; i++) shared = { left: shared, right: shared };
    const copied = redactor().value(shared) as Record<string, unknown>;
    expect(copied.left).toBe(copied.right);
  });

  it("`__proto__` and `constructor` keys never change the prototype of what comes back", () => {
    const body = JSON.parse(`{"__proto__": {"polluted": "${SECRET}", "isAdmin": true}, "constructor": {"prototype": {"x": 1}}, "ok": 1}`);
    const out = redactor().value(body) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as { isAdmin?: unknown }).isAdmin).toBeUndefined();
    expect(Object.keys(out)).toEqual(["__proto__", "constructor", "ok"]);
    expect(JSON.stringify(out)).not.toContain(SECRET);
    expect(JSON.stringify(out)).toContain('"__proto__":{"polluted":"[REDACTED]","isAdmin":true}');
    expect(({} as { isAdmin?: unknown }).isAdmin).toBeUndefined();

    const nestedProto = redactor().value(JSON.parse('{"a": [{"__proto__": [1, 2]}]}')) as { a: Array<Record<string, unknown>> };
    expect(Array.isArray(nestedProto.a[0])).toBe(false);
    expect(Object.getPrototypeOf(nestedProto.a[0])).toBe(Object.prototype);

    const headers = redactor().headers({ ["__proto__"]: "x" } as Record<string, string>);
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
    expect(Object.keys(headers)).toEqual(["__proto__"]);
  });

  it("keys that quote a secret are redacted too", () => {
    const out = redactor().value({ [`key ${SECRET}`]: 1 });
    expect(JSON.stringify(out)).toBe(`{"key ${REDACTED}":1}`);
  });
});

describe("text(): secrets in any encoding a server may echo", () => {
  const hidden = (text: string) => {
    const out = redactor().text(text);
    expect(out, text).toContain(REDACTED);
    return out;
  };

  it("base64 and base64url of the secret alone", () => {
    for (const encoded of [utf8Base64(SECRET), base64url(SECRET)]) {
      const out = hidden(`{"echo":"${encoded}"}`);
      expect(out).toBe(`{"echo":"${REDACTED}"}`);
    }
  });

  it("base64 of the common framings, at every byte alignment: user:secret, secret:, Bearer secret", () => {
    for (const framed of [`u:${SECRET}`, `us:${SECRET}`, `use:${SECRET}`, `0fc2aae7-36e6:${SECRET}`, `${SECRET}:`, `Bearer ${SECRET}`, `x${SECRET}yz`]) {
      for (const encoded of [utf8Base64(framed), base64url(framed)]) {
        // No "Basic " before it: the auth-scheme rule must not be what catches it.
        const out = hidden(`credentials were ${encoded}.`);
        expect(out).toBe(`credentials were ${REDACTED}.`);
      }
    }
    // With the scheme and inside a URL (`+`, `/`, `=` escaped) as well.
    hidden(`Authorization: basic ${utf8Base64(`me:${SECRET}`)}`);
    hidden(`https://x.example/?auth=${encodeURIComponent(utf8Base64(`me:${SECRET}`))}`);
  });

  it("percent-encoded in lower-case hex, wholly encoded, mixed case, and JSON-escaped", () => {
    const upper = encodeURIComponent(SECRET);
    const lower = upper.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase());
    expect(lower).not.toBe(upper);
    const whole = [...SECRET].map((ch) => `%${ch.charCodeAt(0).toString(16)}`).join("");
    const mixed = [...SECRET].map((ch, i) => (i % 2 ? `%${ch.charCodeAt(0).toString(16).toUpperCase()}` : ch)).join("");
    const jsonEscaped = JSON.stringify(SECRET).slice(1, -1).replaceAll("/", "\\/");
    const unicodeEscaped = [...SECRET].map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
    for (const form of [upper, lower, whole, mixed, jsonEscaped, unicodeEscaped]) {
      expect(hidden(`before ${form} after`)).toBe(`before ${REDACTED} after`);
    }
  });

  it("in one case: lowercased by a URL parser (a token pasted where a host label goes), or upper-cased", () => {
    const token = "Q7fA9kLmN2pR4sT6vX8zB1cD3eF5gH";
    const url = new URL(`https://apihub.${token}.document360.io/v2/x`).href;
    expect(url).toContain(token.toLowerCase());
    expect(new Redactor({ secrets: [token] }).text(`fetch failed: ${url}`)).toBe(`fetch failed: https://apihub.${REDACTED}.document360.io/v2/x`);
    expect(new Redactor({ secrets: [token] }).text(`ID ${token.toUpperCase()} unknown`)).toBe(`ID ${REDACTED} unknown`);
    expect(new Redactor({ secrets: [token] }).hasSecret(url)).toBe(true);
  });

  it("does not mistake ordinary text for a secret", () => {
    const text = "Import 8b4c failed: the file https://files.example.com/a%20b.zip is not a zip (line 3)";
    expect(redactor().text(text)).toBe(text);
  });

  it("takes anything, not only strings", () => {
    expect(redactor().text({ toString: () => `x ${SECRET}` } as unknown as string)).toBe(`x ${REDACTED}`);
  });
});

describe("cut(): redact first, cut after", () => {
  it("a secret across the cut leaves no prefix (the old cut-then-redact left one)", () => {
    const text = `${"a".repeat(30)}${SECRET} and the rest`;
    const cutFirst = new Redactor({ secrets: [SECRET] }).text(text.slice(0, 40));
    expect(cutFirst).toContain(SECRET.slice(0, 10));
    const out = redactor().cut(text, 40);
    expect(out).not.toContain(SECRET.slice(0, 4));
    expect(out).toBe(`${"a".repeat(30)}${REDACTED}…`);
    expect(redactor().cut(text, 35)).toBe(`${"a".repeat(30)}…`);
    expect(redactor().cut(text, 200)).toBe(`${"a".repeat(30)}${REDACTED} and the rest`);
  });

  it("masks the start of a secret left at the end by a cut made elsewhere (a capped body)", () => {
    for (const length of [3, 10, SECRET.length - 1]) {
      const out = redactor().cut(`{"message":"refused ${SECRET.slice(0, length)}`, 1000);
      expect(out).toBe(`{"message":"refused ${REDACTED}`);
    }
    // The start of a base64-encoded secret, and of a JWT, too.
    const encoded = utf8Base64(`me:${SECRET}`);
    expect(redactor().cut(`auth ${encoded.slice(0, 20)}`, 1000)).toBe(`auth ${REDACTED}`);
    expect(new Redactor().cut("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIx", 1000)).toBe(`token ${REDACTED}`);
    // Too short to say anything: kept.
    expect(redactor().cut(`a${SECRET.slice(0, 2)}`, 1000)).toBe(`a${SECRET.slice(0, 2)}`);
  });

  it("never cuts inside a marker or a surrogate pair; short text is left whole", () => {
    const text = `${"b".repeat(8)}${SECRET}${"c".repeat(20)}`;
    expect(redactor().cut(text, 12)).toBe(`${"b".repeat(8)}…`);
    expect(redactor().cut("ab😀cd", 3)).toBe("ab…");
    expect(redactor().cut("short", 40)).toBe("short");
  });
});

describe("withoutQuotedInput()", () => {
  it("drops the snippet JSON.parse quotes (cut by the engine before any redaction)", () => {
    const line = `${SECRET} and more text after it, long enough for V8 to cut its quote`;
    let message = "";
    try {
      JSON.parse(line);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(SECRET.slice(0, 8));
    const out = withoutQuotedInput(message);
    expect(out).not.toContain(SECRET.slice(0, 8));
    expect(out).toMatch(/^Unexpected token '.', … is not valid JSON$/);
    expect(withoutQuotedInput("Unexpected end of JSON input")).toBe("Unexpected end of JSON input");
    let caught: unknown;
    try {
      JSON.parse(line);
    } catch (error) {
      caught = error;
    }
    expect(redactor().engineMessage(caught)).toBe(redactor().text(out));
    expect(redactor().engineMessage(caught)).not.toContain(SECRET.slice(0, 8));
  });
});

describe("an Authorization-style secret", () => {
  it("hides its credential alone too, however the scheme around it was encoded", () => {
    const r = new Redactor({ secrets: ['Token token="spx_CREDENTIAL_77a1"', "Bearer brr_CREDENTIAL_4c2d"] });
    // The scheme form-encoded then percent-encoded again (a Location echoing a form body): only the credential is whole.
    expect(r.text("echo=Bearer%2Bbrr_CREDENTIAL_4c2d&x=1")).not.toContain("brr_CREDENTIAL_4c2d");
    expect(r.text("the key spx_CREDENTIAL_77a1")).toBe(`the key ${REDACTED}`);
    expect(r.hasSecret("…brr_CREDENTIAL_4c2d…")).toBe(true);
  });
});
