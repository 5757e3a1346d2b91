/**
 * The form body SharinPix documents: Rails nested parameters (`metadatas[key]=value`,
 * `headers[Authorization]=…`), brackets left as they are and values form-encoded. openapi-fetch's own form
 * serializer is `new URLSearchParams(body)`, which turns every nested object into `[object Object]`.
 */
import { ValidationError } from "@importkit/core";

const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";
/** What the urlencoded serializer leaves as it is. */
const UNRESERVED = /^[A-Za-z0-9*._-]*$/;
/** Deeper than any real metadata; past it the value is most likely a cycle. */
const MAX_DEPTH = 16;

/**
 * One name or value in a form body. WHATWG's urlencoded serializer and Ruby's `URI.encode_www_form_component`
 * (which recorded SharinPix's examples) agree: only alphanumerics and `*-._` stay as they are, a space is `+`.
 * encodeURIComponent also spares `!'()~`, so those are encoded by hand.
 */
export function encodeFormComponent(text: string): string {
  // Most names and values (ids, file names, plain words) need no escaping at all.
  if (UNRESERVED.test(text)) return text;
  return encodeURIComponent(text)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/** Serialises a body as Rails nested parameters, in the order of its keys. */
export function railsFormBody(body: Record<string, unknown>): string {
  const pairs: string[] = [];
  const add = (name: string, path: string, value: unknown, depth: number): void => {
    if (value === undefined) return;
    if (depth > MAX_DEPTH) throw new ValidationError(`is nested more than ${MAX_DEPTH} levels deep (a cycle?)`, path);
    // Rack reads a bare name without `=` as nil, which is what null means in the JSON encoding.
    if (value === null) return void pairs.push(name);
    if (value instanceof Date) return void pairs.push(`${name}=${encodeFormComponent(value.toISOString())}`);
    if (Array.isArray(value)) {
      value.forEach((item, i) => add(`${name}[]`, `${path}[${i}]`, item, depth + 1));
      return;
    }
    if (typeof value === "object") {
      for (const [key, item] of Object.entries(value)) add(`${name}[${segment(key, `${path}.${key}`)}]`, `${path}.${key}`, item, depth + 1);
      return;
    }
    pairs.push(`${name}=${encodeFormComponent(String(value))}`);
  };
  for (const [key, value] of Object.entries(body)) add(segment(key, key), key, value, 0);
  return pairs.join("&");
}

/** A key inside brackets: Rails splits names on brackets before decoding, so a key cannot contain them. */
function segment(key: string, path: string): string {
  if (key === "" || /[[\]]/.test(key)) {
    throw new ValidationError("a key in a form body cannot be empty or contain [ or ] (send it as JSON instead)", path);
  }
  return encodeFormComponent(key);
}

export { FORM_CONTENT_TYPE };
