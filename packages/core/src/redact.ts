/**
 * Redaction of secrets. Every string that can leave the client (an error's message, the URL it exposes,
 * a log line, a parsed error body) goes through a Redactor first.
 *
 * Two layers, because neither alone is enough:
 * - exact values the client knows are secret (the token, the API key, each minted JWT), in every encoding
 *   a server may echo them in: raw, URL-encoded (upper- or lower-case hex, partly or wholly), form-encoded,
 *   JSON-escaped (`\/`, `\u0041`), and base64 / base64url, alone or inside a longer encoded value such as
 *   `Basic base64(user:secret)`;
 * - shapes that are secret whatever their value: JWTs, `Authorization`-like headers, secret query parameters.
 *
 * Text is redacted first and cut after (`cut`): a cut made before redaction could leave a prefix of a secret
 * that no longer matches it whole. What is quoted from elsewhere already cut (a capped body, an engine's error
 * message) has its end checked for the start of a secret.
 */

export const REDACTED = "[REDACTED]";
/** What `value()` puts in place of an object or array nested deeper than MAX_REDACT_DEPTH. */
export const TOO_DEEP = "[REDACTED: nested too deep]";
/** What `value()` puts in place of an object that contains itself. */
export const CIRCULAR = "[Circular]";
/** Objects and arrays nested deeper than this are replaced whole (never passed through unredacted). */
export const MAX_REDACT_DEPTH = 32;

/** Header names whose values are never shown. Compared case-insensitively. */
const DEFAULT_SECRET_HEADERS = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "api_token",
  "api-key",
  "x-api-key",
  "x-token",
];

/** Query (and form) parameter names whose values are never shown. */
const DEFAULT_SECRET_PARAMS = ["_apikey", "apikey", "api_key", "api_token", "token", "access_token", "secret", "jwt"];

// Three base64url segments, the first starting like a JSON object header: `{"` → `eyJ`.
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g;
// The start of a JWT left at the end of a cut text (header, maybe part of the payload).
const TRAILING_JWT_PATTERN = /eyJ[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*)?$/;
// `Authorization: Bearer abc`, `Token token="abc"`, `Basic abc` written out in prose.
const AUTH_SCHEME_PATTERN = /\b(Bearer|Basic|Token)(\s+)(token=)?("?)[^\s",;]+\4/gi;
// A whole Authorization-style value, its credential captured: `Bearer x`, `Basic x`, `Token token="x"`.
const AUTH_VALUE_PATTERN = /^\s*(?:Bearer|Basic|Token)\s+(?:token=)?"?([^\s",;]+)"?\s*$/i;
// `sharinpix://id:secret@host` and any other userinfo in a URL.
const URL_USERINFO_PATTERN = /\b([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+):([^/\s@]+)@/gi;

/**
 * A base64 form shorter than this is not looked for: a few characters of base64 could match ordinary text, and
 * a secret that short (under ~6 bytes) would not survive being looked for anyway.
 */
const MIN_ENCODED_LENGTH = 6;
/** The shortest prefix of a secret masked at the end of a cut text (shorter pieces say nothing usable). */
const MIN_PARTIAL_LENGTH = 3;
/** Characters a base64 or base64url value (possibly URL- or JSON-escaped) is made of. */
const BASE64_CHAR = /[A-Za-z0-9+/=_%\\-]/;

export interface RedactorOptions {
  secrets?: Iterable<string | undefined>;
  secretHeaders?: Iterable<string>;
  secretParams?: Iterable<string>;
}

/** How one secret can appear in text. */
interface SecretForms {
  /** Searched as they are: raw, URL-encoded (both hex cases), form-encoded. */
  literal: string[];
  /**
   * Base64 and base64url of the secret at each of the three byte alignments, only the characters that depend on
   * the secret alone: found inside any longer base64 value that contains the secret (`user:secret`, `secret:`).
   */
  encoded: string[];
}

/** One match to hide: [start, end) in the text; `run` widens it to the whole base64 value around it. */
interface Span {
  start: number;
  end: number;
  run: boolean;
}

export class Redactor {
  readonly #secrets = new Map<string, SecretForms>();
  readonly #headers: Set<string>;
  readonly #params: Set<string>;
  #paramPattern: RegExp;

  constructor(options: RedactorOptions = {}) {
    this.#headers = new Set([...DEFAULT_SECRET_HEADERS, ...(options.secretHeaders ?? [])].map((h) => h.toLowerCase()));
    this.#params = new Set([...DEFAULT_SECRET_PARAMS, ...(options.secretParams ?? [])].map((p) => p.toLowerCase()));
    this.#paramPattern = this.#buildParamPattern();
    for (const secret of options.secrets ?? []) this.addSecret(secret);
  }

  /** Registers a value to be hidden wherever it appears (e.g. a JWT minted after the client was created). */
  addSecret(secret: string | undefined): void {
    // Very short values would redact ordinary words; they cannot be meaningful secrets anyway.
    if (typeof secret !== "string" || secret.length < 4 || this.#secrets.has(secret)) return;
    this.#secrets.set(secret, formsOf(secret));
    // An Authorization-style value (`Bearer x`, `Token token="x"`): its credential alone is as secret as the whole, and
    // travels apart from its scheme (encoded differently, quoted back without it).
    const credential = AUTH_VALUE_PATTERN.exec(secret)?.[1];
    if (credential && credential !== secret) this.addSecret(credential);
  }

  addSecretParam(name: string): void {
    this.#params.add(name.toLowerCase());
    this.#paramPattern = this.#buildParamPattern();
  }

  /** Whether `text` holds one of the known secret values (in any of its encodings); shapes such as JWTs do not count. */
  hasSecret(text: string): boolean {
    for (const forms of this.#secrets.values()) for (const form of forms.literal) if (text.includes(form)) return true;
    return false;
  }

  isSecretHeader(name: string): boolean {
    return this.#headers.has(name.toLowerCase());
  }

  /** Redacts any text: known secrets (in any encoding), JWTs, auth schemes, secret `name=value` pairs, URL credentials. */
  text(input: string): string {
    const out = this.#maskKnown(typeof input === "string" ? input : String(input));
    return out
      .replace(URL_USERINFO_PATTERN, `$1$2:${REDACTED}@`)
      .replace(JWT_PATTERN, REDACTED)
      .replace(AUTH_SCHEME_PATTERN, (_m, scheme: string, space: string, tokenEq = "", quote = "") =>
        `${scheme}${space}${tokenEq}${quote}${REDACTED}${quote}`,
      )
      .replace(this.#paramPattern, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`);
  }

  /**
   * Redacts the whole text first, then keeps at most `maxChars` characters of it (and `…` when it cut). The end
   * of what is kept is checked for the start of a known secret (or of a JWT), which is masked: the text may come
   * already cut elsewhere (a capped body, an engine's message), leaving a prefix that no longer matches whole.
   * Never cuts inside a `[REDACTED]` marker or between the two halves of a surrogate pair.
   */
  cut(input: string, maxChars: number): string {
    const whole = this.text(input);
    const max = Math.max(0, Math.floor(maxChars));
    if (whole.length <= max) return this.#maskPartialEnd(whole);
    let end = max;
    const marker = whole.lastIndexOf(REDACTED, end - 1);
    if (marker !== -1 && marker < end && end < marker + REDACTED.length) end = marker;
    const code = whole.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end--;
    return `${this.#maskPartialEnd(whole.slice(0, end))}…`;
  }

  /**
   * The message of an error thrown by code that quoted our input (JSON.parse, URL, Headers), safe to show: the
   * quoted snippet dropped (the engine cut it before any redaction could see it whole), the rest redacted.
   */
  engineMessage(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    return this.text(withoutQuotedInput(message));
  }

  /** A URL safe to show: secret query values hidden, everything else kept so the URL stays useful. */
  url(input: string | URL): string {
    const raw = String(input);
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      return this.text(raw);
    }
    if (parsed.username || parsed.password) {
      parsed.password = parsed.password ? REDACTED : "";
    }
    for (const key of [...parsed.searchParams.keys()]) {
      if (this.#params.has(key.toLowerCase())) parsed.searchParams.set(key, REDACTED);
    }
    // URLSearchParams encodes the brackets of REDACTED; keep it readable.
    return this.text(parsed.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED));
  }

  /** Headers as a plain object, secret values hidden. */
  headers(input: Headers | Record<string, string> | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    if (!input) return out;
    const entries = input instanceof Headers ? input.entries() : Object.entries(input);
    for (const [name, value] of entries) {
      setOwn(out, this.text(name), this.isSecretHeader(name) ? REDACTED : this.text(String(value)));
    }
    return out;
  }

  /**
   * A deep copy of any JSON-like value with secrets hidden: strings (keys included) are redacted, and the values
   * of keys that name a secret (`Authorization`, `api_token`, …) are replaced whole. APIs echo requests back in
   * their bodies (SharinPix returns the import's `headers[Authorization]`), so parsed bodies need this.
   *
   * No shape gets through: an object or array nested deeper than MAX_REDACT_DEPTH is replaced by TOO_DEEP (so a
   * 5 000-level body costs 32 stack frames, not 5 000), one that contains itself by CIRCULAR, and a `__proto__`
   * key becomes an own property of the copy: its prototype is always the plain object's (or array's).
   */
  value<T>(input: T): T {
    return this.#copy(input, 0, new Set(), new Map()) as T;
  }

  #copy(input: unknown, depth: number, ancestors: Set<object>, copies: Map<object, unknown>): unknown {
    if (typeof input === "string") return this.text(input);
    if (input === null || typeof input !== "object") return input;
    // The same object reached twice (not a cycle): one copy, so shared subtrees cannot blow up exponentially.
    const made = copies.get(input);
    if (made !== undefined) return made;
    if (ancestors.has(input)) return CIRCULAR;
    if (depth >= MAX_REDACT_DEPTH) return TOO_DEEP;
    ancestors.add(input);
    let out: unknown;
    if (Array.isArray(input)) {
      const list: unknown[] = new Array(input.length);
      for (let i = 0; i < input.length; i++) list[i] = this.#copy(input[i], depth + 1, ancestors, copies);
      out = list;
    } else {
      const record: Record<string, unknown> = {};
      for (const [key, val] of Object.entries(input as Record<string, unknown>)) {
        const lower = key.toLowerCase();
        const secretKey = this.#headers.has(lower) || this.#params.has(lower);
        setOwn(
          record,
          this.text(key),
          secretKey && val !== null && typeof val !== "object" ? REDACTED : this.#copy(val, depth + 1, ancestors, copies),
        );
      }
      out = record;
    }
    ancestors.delete(input);
    copies.set(input, out);
    return out;
  }

  /** Replaces every known secret, in every form, by REDACTED. */
  #maskKnown(text: string): string {
    if (this.#secrets.size === 0 || text.length === 0) return text;
    const spans: Span[] = [];
    for (const forms of this.#secrets.values()) {
      for (const form of forms.literal) findAll(text, form, false, spans);
      for (const form of forms.encoded) findAll(text, form, true, spans);
    }
    // Escaped characters (`%2f`, `%41`, `\/`, `\u0041`) in any mix: search a decoded copy, mapped back.
    if (text.includes("%") || text.includes("\\")) {
      const decoded = decodeEscapes(text);
      if (decoded.text !== text) {
        const found: Span[] = [];
        for (const [secret, forms] of this.#secrets) {
          findAll(decoded.text, secret, false, found);
          for (const form of forms.encoded) findAll(decoded.text, form, true, found);
        }
        for (const span of found) spans.push({ start: decoded.original(span.start), end: decoded.original(span.end), run: span.run });
      }
    }
    if (spans.length === 0) return text;
    for (const span of spans) {
      if (!span.run) continue;
      while (span.start > 0 && BASE64_CHAR.test(text[span.start - 1]!)) span.start--;
      while (span.end < text.length && BASE64_CHAR.test(text[span.end]!)) span.end++;
    }
    spans.sort((a, b) => a.start - b.start);
    let out = "";
    let at = 0;
    for (const span of spans) {
      if (span.end <= at) continue;
      if (span.start >= at) out += text.slice(at, span.start) + REDACTED;
      at = span.end;
    }
    return out + text.slice(at);
  }

  /** Masks the start of a known secret (or of a JWT) at the very end of `text`, where a cut may have left it. */
  #maskPartialEnd(text: string): string {
    let longest = 0;
    let run = false;
    for (const forms of this.#secrets.values()) {
      for (const [list, isRun] of [[forms.literal, false], [forms.encoded, true]] as const) {
        for (const form of list) {
          for (let k = Math.min(form.length - 1, text.length); k >= MIN_PARTIAL_LENGTH && k > longest; k--) {
            if (text.startsWith(form.slice(0, k), text.length - k)) {
              longest = k;
              run = isRun;
              break;
            }
          }
        }
      }
    }
    let start = text.length - longest;
    if (run) while (start > 0 && BASE64_CHAR.test(text[start - 1]!)) start--;
    const jwt = TRAILING_JWT_PATTERN.exec(text);
    if (jwt) start = Math.min(start, jwt.index);
    return start < text.length ? text.slice(0, start) + REDACTED : text;
  }

  #buildParamPattern(): RegExp {
    const names = [...this.#params].map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
    // `name=value` in a query string or form body, and `"name": "value"` / `name: value` in prose or JSON.
    // A value already redacted is kept as it is, with the `)` that may close it: errors quote a redacted URL as
    // `getX (GET https://…?sig=[REDACTED]) failed …` and redact the whole message again, which must not eat the `)`.
    return new RegExp(`\\b(${names})(=|"?\\s*:\\s*"?)(?:\\[REDACTED\\](?=\\)?(?:[&\\s",;}]|$))|[^&\\s",;}]+)`, "gi");
  }
}

/**
 * Removes what an engine's error message quotes of its input. `JSON.parse` quotes a snippet of the text it
 * refused, cut by the engine itself (`Unexpected token 'x', "…{"key":"tok_ab"... is not valid JSON`): a cut
 * made before any redaction, which may end inside a secret. Keep the engine's words, drop the quote.
 */
export function withoutQuotedInput(message: string): string {
  const first = message.indexOf('"');
  const last = message.lastIndexOf('"');
  // V8 marks its own cut with `...` after the closing quote.
  return first === -1 ? message : `${message.slice(0, first)}…${last > first ? message.slice(last + 1).replace(/^\.\.\./, "") : ""}`;
}

/** Sets an own enumerable property, even `__proto__` (plain assignment would replace the prototype instead). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function findAll(text: string, form: string, run: boolean, spans: Span[]): void {
  for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) spans.push({ start: at, end: at + form.length, run });
}

function formsOf(secret: string): SecretForms {
  const uri = encodeURIComponent(secret);
  // Also in one case: a secret that ends up in a host name (a token pasted where a subdomain goes) comes back lowercased
  // by every URL parser, and some servers echo identifiers upper-cased.
  const literal = new Set([secret, uri, uri.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()), new URLSearchParams({ s: secret }).toString().slice(2), secret.toLowerCase(), secret.toUpperCase()]);
  const bytes = new TextEncoder().encode(secret);
  const encoded = new Set<string>();
  for (let offset = 0; offset < 3; offset++) {
    const padded = new Uint8Array(offset + bytes.length);
    padded.set(bytes, offset);
    let binary = "";
    for (const byte of padded) binary += String.fromCharCode(byte);
    const base64 = btoa(binary).replace(/=+$/, "");
    // Only the characters whose six bits all come from the secret's bytes: the same in any value containing it.
    const core = base64.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
    if (core.length < MIN_ENCODED_LENGTH) continue;
    encoded.add(core);
    encoded.add(core.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return { literal: [...literal], encoded: [...encoded] };
}

const ESCAPE_PATTERN = /%[0-7][0-9a-fA-F]|\\\/|\\u00[0-7][0-9a-fA-F]/g;

/**
 * The text with `%XX` (either case), `\/` and `\uXXXX` escapes of ASCII characters decoded, and a map from
 * positions in the copy back to the original (a match in the copy is hidden in the original).
 */
function decodeEscapes(text: string): { text: string; original(position: number): number } {
  let out = "";
  let last = 0;
  // After each escape: [position in the copy, position in the original]; between anchors the two advance together.
  const anchors: Array<[number, number]> = [[0, 0]];
  for (const match of text.matchAll(ESCAPE_PATTERN)) {
    const escape = match[0];
    out += text.slice(last, match.index);
    out += escape === "\\/" ? "/" : String.fromCharCode(Number.parseInt(escape.slice(-2), 16));
    last = match.index + escape.length;
    anchors.push([out.length, last]);
  }
  out += text.slice(last);
  return {
    text: out,
    original(position) {
      let low = 0;
      let high = anchors.length - 1;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if (anchors[middle]![0] <= position) low = middle;
        else high = middle - 1;
      }
      const [copyAt, originalAt] = anchors[low]!;
      return originalAt + (position - copyAt);
    },
  };
}
