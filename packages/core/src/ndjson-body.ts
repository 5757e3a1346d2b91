/**
 * A JSON lines body (`application/x-ndjson`): one JSON text per line, each line ended by `\n`; a list gives a line
 * per item, anything else one line.
 *
 * Measured with bench/body-encoding.ts (10 000 to 110 000 Import.io inputs, 1 MB to 10 MB), against `JSON.stringify`
 * of the list at once: a `JSON.stringify` per item, mapped and joined, cost 2.5× at 1 MB and 4–5× at 10 MB (a string
 * per line, all alive until the join: the garbage collector's work grows faster than the body); appended to one
 * string, 1.9× and 3×. The list serialized at once, in one `JSON.stringify`, then cut into lines costs 1.5–1.8× at
 * every size: for a list of plain objects whose text is ASCII (what a list of inputs is), every `},{` of the text is
 * a boundary between two items exactly when there are as many of them as boundaries, and the text's bytes are the
 * body's with the `[`, the `]` and those commas turned into newlines. Any other list (a `},{` inside an item, text
 * beyond ASCII, items that are not plain objects) is serialized item by item.
 */
const encoder = new TextEncoder();
const NEWLINE = 0x0a;

export function ndjsonBody(body: unknown): string | Uint8Array {
  if (!Array.isArray(body)) return `${JSON.stringify(body)}\n`;
  if (body.length === 0) return "";
  return (allPlainObjects(body) && linesOfList(body)) || itemByItem(body);
}

/**
 * The body from the list's JSON text, or undefined when its `},{` are not exactly the item boundaries (then the caller
 * serializes item by item). Every item's text starts with `{` and ends with `}` (allPlainObjects), so each boundary
 * is a `},{`; `},{` never overlaps itself, so counting n - 1 of them means there is no other.
 */
function linesOfList(list: readonly object[]): Uint8Array | undefined {
  const json = JSON.stringify(list);
  const bytes = encoder.encode(json);
  // One byte per character: ASCII only, so a character's index is its byte's.
  if (bytes.length !== json.length) return undefined;
  let boundaries = 0;
  for (let at = json.indexOf("},{"); at !== -1; at = json.indexOf("},{", at + 3)) {
    bytes[at + 1] = NEWLINE;
    boundaries++;
  }
  if (boundaries !== list.length - 1) return undefined;
  bytes[bytes.length - 1] = NEWLINE;
  return bytes.subarray(1);
}

/**
 * Items that `JSON.stringify` writes as `{…}`, the same alone as inside the list: objects, not arrays, not boxed
 * primitives (written as the primitive), without a `toJSON` of their own (which sees the item's index as its key
 * inside the list, and "" alone).
 */
function allPlainObjects(list: readonly unknown[]): list is object[] {
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (item === null || typeof item !== "object" || Array.isArray(item)) return false;
    if (typeof (item as { toJSON?: unknown }).toJSON === "function") return false;
    if (item instanceof String || item instanceof Number || item instanceof Boolean) return false;
  }
  return true;
}

/** A `JSON.stringify` per item, appended to one string (cheaper than a list of lines joined). */
function itemByItem(list: readonly unknown[]): string {
  let text = "";
  for (let i = 0; i < list.length; i++) text += `${JSON.stringify(list[i])}\n`;
  return text;
}
