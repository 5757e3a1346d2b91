/**
 * Input checks run before any request: an input that can never succeed gets a ValidationError naming the
 * field, instead of a round trip (and, for a malformed id, instead of a request to some other path).
 */
import { ValidationError } from "@importkit/core";

// Import.io ids are GUIDs (`format: uuid` in the spec). Checking the shape also keeps `/`, `?` and `..`
// out of the path.
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXAMPLE_GUID = "3c9d2f1e-8b7a-4c6d-9e5f-1a2b3c4d5e6f";
const MAX_SHOWN_CHARS = 60;

/** How a refused value is shown in a message: quoted, cut short, never a wall of text. */
export function shown(value: unknown): string {
  if (typeof value !== "string") return value === undefined ? "nothing" : `a ${value === null ? "null" : typeof value}`;
  const cut = value.length > MAX_SHOWN_CHARS ? `${value.slice(0, MAX_SHOWN_CHARS)}…` : value;
  return JSON.stringify(cut);
}

export function assertId(value: unknown, field: string): asserts value is string {
  if (typeof value !== "string" || !GUID.test(value)) {
    throw new ValidationError(`expected an Import.io id (a GUID such as ${EXAMPLE_GUID}), got ${shown(value)}`, field);
  }
}

export function assertFileType<T extends string>(value: unknown, allowed: readonly T[], field = "fileType"): asserts value is T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(`unknown file type ${shown(value)}; expected one of ${allowed.join(", ")}`, field);
  }
}

export function assertNonEmptyString(value: unknown, field: string, what: string): asserts value is string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ValidationError(`${what} is required (a non-empty string), got ${shown(value)}`, field);
  }
}

/** `_page` and `_perpage` are whole numbers from 1. */
export function assertPageNumber(value: unknown, field: string): void {
  if (value !== undefined && (typeof value !== "number" || !Number.isInteger(value) || value < 1)) {
    throw new ValidationError(`expected a whole number of at least 1, got ${typeof value === "number" ? value : shown(value)}`, field);
  }
}

/**
 * The newline-separated `_url` Import.io expects, from a list of http(s) URLs. Each URL must be absolute
 * and free of whitespace: a newline inside one would silently split it into two inputs.
 */
export function inputUrlsToWire(urls: unknown, field = "urls"): string {
  if (!Array.isArray(urls)) throw new ValidationError(`expected a list of URLs, got ${shown(urls)}`, field);
  if (urls.length === 0) throw new ValidationError("the list of URLs is empty; an extractor needs at least one input URL", field);
  const issues: Array<{ path: string; message: string }> = [];
  const lines = urls.map((item: unknown, index) => {
    const text = item instanceof URL ? item.href : item;
    const path = `${field}[${index}]`;
    if (typeof text !== "string" || text.trim() === "") {
      issues.push({ path, message: `expected a URL, got ${shown(text)}` });
      return "";
    }
    if (/\s/.test(text)) {
      issues.push({ path, message: `a URL may not contain whitespace or line breaks, got ${shown(text)}` });
      return "";
    }
    let parsed: URL | undefined;
    try {
      parsed = new URL(text);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      issues.push({ path, message: `expected an absolute http(s) URL, got ${shown(text)}` });
      return "";
    }
    return text;
  });
  if (issues.length) throw new ValidationError(issues);
  return lines.join("\n");
}
