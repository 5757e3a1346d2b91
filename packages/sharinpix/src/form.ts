/**
 * The form body SharinPix documents: Rails nested parameters (`metadatas[key]=value`,
 * `headers[Authorization]=…`), brackets left as they are and values form-encoded. openapi-fetch's own form
 * serializer is `new URLSearchParams(body)`, which turns every nested object into `[object Object]`.
 *
 * Names and values are escaped as WHATWG's urlencoded serializer and Ruby's `URI.encode_www_form_component` (which
 * recorded SharinPix's examples) agree: only alphanumerics and `*-._` stay as they are, a space is `+`, every other
 * character is the `%XX` of each of its UTF-8 bytes.
 *
 * Why the body is written byte by byte into one buffer (measured with bench/body-encoding.ts on a 1 MB item of
 * 28 000 metadata fields, against `JSON.stringify` of the same item): building a `name=value` string per field with
 * `encodeURIComponent` and two regex replaces, then joining them, cost 74–90 ms (13×), 60 % of it the garbage
 * collector moving the strings every field made; `URLSearchParams` over the same pairs costs 22 ms (3×: Node's
 * serializer is JavaScript too) and flattens nested objects anyway. One growing byte buffer costs about 1.5× and
 * leaves almost no garbage; it is what the client sends (railsFormBytes), so the text is never encoded again.
 */
import { ValidationError } from "@importkit/core";

const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";
/** Deeper than any real metadata; past it the value is most likely a cycle. */
const MAX_DEPTH = 16;

/** 1 for each ASCII character the urlencoded serializer leaves as it is. */
const UNRESERVED = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-._") UNRESERVED[c.charCodeAt(0)] = 1;
/** The two hex digits of each byte value, upper case: `HEX[2 * b]`, `HEX[2 * b + 1]`. */
const HEX = new Uint8Array(512);
for (let b = 0; b < 256; b++) {
  HEX[2 * b] = "0123456789ABCDEF".charCodeAt(b >> 4);
  HEX[2 * b + 1] = "0123456789ABCDEF".charCodeAt(b & 15);
}
/** A UTF-16 code unit becomes at most 3 UTF-8 bytes (a surrogate pair: 4 bytes for 2 units), each `%XX`. */
const MAX_BYTES_PER_UNIT = 9;
const AMPERSAND = 0x26;
const EQUALS = 0x3d;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const decoder = new TextDecoder();
const WRITTEN = 0;
const UNPAIRED = 1;
const BRACKET = 2;

/** Where a body is written. One per body: an encoder may be re-entered (a value's `toString` may build another). */
class FormWriter {
  bytes = new Uint8Array(256);
  length = 0;

  /** Makes room for `count` more bytes. */
  reserve(count: number): void {
    if (this.length + count <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + count) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  /** Text already encoded (a name built from encoded parts): its characters are ASCII. Room reserved by the caller. */
  ascii(text: string): void {
    const bytes = this.bytes;
    let at = this.length;
    for (let i = 0; i < text.length; i++) bytes[at++] = text.charCodeAt(i);
    this.length = at;
  }

  /**
   * Writes `text` form-encoded (room for MAX_BYTES_PER_UNIT bytes per character reserved by the caller). UNPAIRED for
   * text with an unpaired surrogate (no UTF-8 for it; encodeURIComponent throws a bare URIError there); BRACKET for a
   * `[` or `]` when `key` (a key of a nested field cannot hold one). Nothing useful is written then.
   */
  encoded(text: string, key = false): typeof WRITTEN | typeof UNPAIRED | typeof BRACKET {
    const bytes = this.bytes;
    let at = this.length;
    for (let i = 0; i < text.length; i++) {
      let unit = text.charCodeAt(i);
      if (unit < 0x80) {
        if (UNRESERVED[unit] === 1) bytes[at++] = unit;
        else if (unit === 0x20) bytes[at++] = 0x2b;
        else if (key && (unit === OPEN || unit === CLOSE)) return BRACKET;
        else at = percent(bytes, at, unit);
      } else if (unit < 0x800) {
        at = percent(bytes, at, 0xc0 | (unit >> 6));
        at = percent(bytes, at, 0x80 | (unit & 0x3f));
      } else if (unit < 0xd800 || unit > 0xdfff) {
        at = percent(bytes, at, 0xe0 | (unit >> 12));
        at = percent(bytes, at, 0x80 | ((unit >> 6) & 0x3f));
        at = percent(bytes, at, 0x80 | (unit & 0x3f));
      } else {
        const low = text.charCodeAt(i + 1);
        if (unit > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return UNPAIRED;
        unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
        i++;
        at = percent(bytes, at, 0xf0 | (unit >> 18));
        at = percent(bytes, at, 0x80 | ((unit >> 12) & 0x3f));
        at = percent(bytes, at, 0x80 | ((unit >> 6) & 0x3f));
        at = percent(bytes, at, 0x80 | (unit & 0x3f));
      }
    }
    this.length = at;
    return WRITTEN;
  }

  /** The bytes from `start` as text (they are ASCII), and forgets them. */
  take(start: number): string {
    const text = decoder.decode(this.bytes.subarray(start, this.length));
    this.length = start;
    return text;
  }
}

function percent(bytes: Uint8Array, at: number, byte: number): number {
  bytes[at] = 0x25;
  bytes[at + 1] = HEX[2 * byte]!;
  bytes[at + 2] = HEX[2 * byte + 1]!;
  return at + 3;
}

/**
 * One name or value in a form body, encoded as WHATWG's urlencoded serializer does. Text with an unpaired surrogate
 * is a ValidationError (no byte sequence stands for it).
 */
export function encodeFormComponent(text: string, path = "value"): string {
  const writer = new FormWriter();
  writer.reserve(text.length * MAX_BYTES_PER_UNIT);
  if (writer.encoded(text) !== WRITTEN) throw unpaired(path);
  return writer.take(0);
}

/** Serialises a body as Rails nested parameters, in the order of its keys. */
export function railsFormBody(body: Record<string, unknown>): string {
  return decoder.decode(railsFormBytes(body));
}

/** The body as the bytes sent (what the client hands to fetch: no text to decode here and encode again there). */
export function railsFormBytes(body: Record<string, unknown>): Uint8Array {
  const writer = new FormWriter();
  for (const key of Object.keys(body)) {
    const value = body[key];
    if (value !== undefined) addField(writer, name(writer, "", key, key), value, key, 0);
  }
  return writer.bytes.subarray(0, writer.length);
}

/** A field's name: `prefix[key]`, or `key` at the top, the key checked and encoded. */
function name(writer: FormWriter, prefix: string, key: string, path: string): string {
  const start = writer.length;
  writer.reserve(key.length * MAX_BYTES_PER_UNIT);
  const written = key === "" ? BRACKET : writer.encoded(key, true);
  if (written !== WRITTEN) throw badKey(written, path);
  const encoded = writer.take(start);
  return prefix === "" ? encoded : `${prefix}[${encoded}]`;
}

/** Writes `value` under the (encoded) name `field`; `path` names it in errors (`metadatas.title`, `tags[0]`). */
function addField(writer: FormWriter, field: string, value: unknown, path: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new ValidationError(`is nested more than ${MAX_DEPTH} levels deep (a cycle?)`, path);
  if (typeof value === "string") return addPair(writer, field, value, path);
  // Rack reads a bare name without `=` as nil, which is what null means in the JSON encoding.
  if (value === null) {
    writer.reserve(field.length + 1);
    if (writer.length > 0) writer.bytes[writer.length++] = AMPERSAND;
    return writer.ascii(field);
  }
  if (value instanceof Date) return addPair(writer, field, value.toISOString(), path);
  if (Array.isArray(value)) {
    const itemField = `${field}[]`;
    for (let i = 0; i < value.length; i++) if (value[i] !== undefined) addField(writer, itemField, value[i], `${path}[${i}]`, depth + 1);
    return;
  }
  if (typeof value === "object") {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (item === undefined) continue;
      // The common field, a string under a key, written without building its name or its path as strings.
      if (typeof item === "string" && depth < MAX_DEPTH) {
        addPairUnder(writer, field, key, item, path);
        continue;
      }
      const itemPath = `${path}.${key}`;
      addField(writer, name(writer, field, key, itemPath), item, itemPath, depth + 1);
    }
    return;
  }
  addPair(writer, field, String(value), path);
}

/** `&field=value`. */
function addPair(writer: FormWriter, field: string, value: string, path: string): void {
  writer.reserve(field.length + 2 + value.length * MAX_BYTES_PER_UNIT);
  const bytes = writer.bytes;
  if (writer.length > 0) bytes[writer.length++] = AMPERSAND;
  writer.ascii(field);
  bytes[writer.length++] = EQUALS;
  if (writer.encoded(value) !== WRITTEN) throw unpaired(path);
}

/** `&field[key]=value`; `parentPath` is the field's path (the pair's is built only for an error). */
function addPairUnder(writer: FormWriter, field: string, key: string, value: string, parentPath: string): void {
  writer.reserve(field.length + 4 + (key.length + value.length) * MAX_BYTES_PER_UNIT);
  const bytes = writer.bytes;
  if (writer.length > 0) bytes[writer.length++] = AMPERSAND;
  writer.ascii(field);
  bytes[writer.length++] = OPEN;
  const written = key === "" ? BRACKET : writer.encoded(key, true);
  if (written !== WRITTEN) throw badKey(written, `${parentPath}.${key}`);
  bytes[writer.length++] = CLOSE;
  bytes[writer.length++] = EQUALS;
  if (writer.encoded(value) !== WRITTEN) throw unpaired(`${parentPath}.${key}`);
}

/** Rails splits names on brackets before decoding, so a key cannot hold one (nor be empty). */
function badKey(written: typeof UNPAIRED | typeof BRACKET, path: string): ValidationError {
  if (written === UNPAIRED) return unpaired(path);
  return new ValidationError("a key in a form body cannot be empty or contain [ or ] (send it as JSON instead)", path);
}

function unpaired(path: string): ValidationError {
  return new ValidationError("contains an unpaired surrogate (broken text that no form body can carry)", path);
}

export { FORM_CONTENT_TYPE };
