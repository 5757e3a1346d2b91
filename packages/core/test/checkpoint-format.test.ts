// Keys and checksums written to checkpoint files depend on this exact text: files written by an earlier release must
// still verify, and an item must keep its key. These values were written by the release before the hash was made a
// single pass over its parts (batch bookkeeping, bench/sharinpix-bulk.ts); any change to them orphans checkpoints.
import { describe, expect, it } from "vitest";
import { checkpointLine, parseCheckpoint, stableHash } from "../src/checkpoint.ts";

const KIND = "k";
const BODIES = [
  { checkpoint: KIND, version: 2 },
  { k: "abc", s: "sending" },
  { k: "abc", s: "imported", id: 'x"y' },
  { closed: "2026" },
  {},
  { recovered: "killed" },
  { k: "é€😀", s: "failed" },
];
const LINES = [
  '{"checkpoint":"k","version":2,"c":"16da71d8f0f7bf03f1ade4ad6052"}\n',
  '{"k":"abc","s":"sending","c":"13c2767c0a46f616e099d55845fb"}\n',
  '{"k":"abc","s":"imported","id":"x\\"y","c":"080c0d65a5e6bf1e405b82a7baa0"}\n',
  '{"closed":"2026","c":"171667387780590fa67e94cf4279"}\n',
  '{"c":"1a5c9c96562037100499a75788b6"}\n',
  '{"recovered":"killed","c":"1031431d85126418621d7eeb1cf0"}\n',
  '{"k":"é€😀","s":"failed","c":"1eb41f245300d2138c12e7f2f7d6"}\n',
];

describe("checkpoint text", () => {
  it("lines and their chained checksums are those earlier releases wrote", () => {
    let chain = "";
    const lines = BODIES.map((body) => {
      const next = checkpointLine(chain, body);
      chain = next.chain;
      return next.line;
    });
    expect(lines).toEqual(LINES);
    // And they read back as verified records.
    const parsed = parseCheckpoint(LINES.slice(0, 3).join(""), KIND);
    expect(parsed.damage).toBeUndefined();
    expect(parsed.states.get("abc")).toEqual({ k: "abc", s: "imported", id: 'x"y' });
  });

  it("a body with a `c` of its own still ends with the checksum", () => {
    const { line, chain } = checkpointLine("", { c: "mine", k: "a" });
    expect(JSON.parse(line)).toEqual({ c: chain, k: "a" });
  });

  it("an item's key is the one earlier releases computed", () => {
    expect(stableHash({ b: 1, a: [1, "x", { z: null }], headers: { q: 1 } }, "headers")).toBe("0c6be2558ef9871f6aa9673d5e8b");
    expect(stableHash("é€😀")).toBe("01bbdaba934d72044b556160221e");
  });
});
