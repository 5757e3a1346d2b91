/**
 * Input checks run before any request: an input that can never succeed gets a ValidationError naming the
 * field, instead of a round trip (and, for a malformed id, instead of a request to some other path).
 * Messages quote the refused value through the client's redactor: a key pasted into the wrong argument
 * must not end up in an error.
 */
import { ValidationError, type ValidationIssue } from "@importkit/core";

// Import.io ids are GUIDs (`format: uuid` in the spec). Checking the shape also keeps `/`, `?` and `..`
// out of the path.
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXAMPLE_GUID = "3c9d2f1e-8b7a-4c6d-9e5f-1a2b3c4d5e6f";
const MAX_SHOWN_CHARS = 60;

export class Validator {
  readonly #redact: (text: string) => string;

  constructor(redact: (text: string) => string) {
    this.#redact = redact;
  }

  /** How a refused value is shown in a message: quoted, cut short, redacted. */
  shown(value: unknown): string {
    if (typeof value === "number") return String(value);
    if (typeof value !== "string") return value === undefined ? "nothing" : `a ${value === null ? "null" : typeof value}`;
    const redacted = this.#redact(value);
    return JSON.stringify(redacted.length > MAX_SHOWN_CHARS ? `${redacted.slice(0, MAX_SHOWN_CHARS)}…` : redacted);
  }

  id(value: unknown, field: string): asserts value is string {
    if (typeof value !== "string" || !GUID.test(value)) {
      throw new ValidationError(`expected an Import.io id (a GUID such as ${EXAMPLE_GUID}), got ${this.shown(value)}`, field);
    }
  }

  fileType<T extends string>(value: unknown, allowed: readonly T[], field = "fileType"): asserts value is T {
    if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
      throw new ValidationError(`unknown file type ${this.shown(value)}; expected one of ${allowed.join(", ")}`, field);
    }
  }

  nonEmptyString(value: unknown, field: string, what: string): asserts value is string {
    if (typeof value !== "string" || value.trim() === "") {
      throw new ValidationError(`${what} is required (a non-empty string), got ${this.shown(value)}`, field);
    }
  }

  /** `_page`, `_perpage` and the like: whole numbers from 1, when given. */
  positiveInteger(value: unknown, field: string): void {
    if (value !== undefined && (typeof value !== "number" || !Number.isInteger(value) || value < 1)) {
      throw new ValidationError(`expected a whole number of at least 1, got ${this.shown(value)}`, field);
    }
  }

  oneOf(value: unknown, allowed: readonly string[], field: string): void {
    if (value !== undefined && !allowed.includes(value as string)) {
      throw new ValidationError(`expected one of ${allowed.join(", ")}, got ${this.shown(value)}`, field);
    }
  }

  /**
   * The newline-separated `_url` Import.io expects, from a list of http(s) URLs. Each URL must be absolute
   * and free of whitespace: a line break inside one would silently split it into two inputs.
   */
  inputUrls(urls: unknown, field = "urls"): string {
    if (!Array.isArray(urls)) throw new ValidationError(`expected a list of URLs, got ${this.shown(urls)}`, field);
    if (urls.length === 0) throw new ValidationError("the list of URLs is empty; an extractor needs at least one input URL", field);
    const issues: ValidationIssue[] = [];
    const lines = urls.map((item: unknown, index) => {
      const text = item instanceof URL ? item.href : item;
      const path = `${field}[${index}]`;
      if (typeof text !== "string" || text.trim() === "") {
        issues.push({ path, message: `expected a URL, got ${this.shown(text)}` });
      } else if (/\s/.test(text)) {
        issues.push({ path, message: `a URL may not contain whitespace or line breaks, got ${this.shown(text)}` });
      } else if (!isHttpUrl(text)) {
        issues.push({ path, message: `expected an absolute http(s) URL, got ${this.shown(text)}` });
      }
      return text as string;
    });
    if (issues.length) throw new ValidationError(issues);
    return lines.join("\n");
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}
