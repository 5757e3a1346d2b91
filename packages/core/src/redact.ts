/**
 * Redaction of secrets. Every string that can leave the client (an error's message, the URL it exposes,
 * a log line, a parsed error body) goes through a Redactor first.
 *
 * Two layers, because neither alone is enough:
 * - exact values the client knows are secret (the token, the API key, each minted JWT), in every encoding
 *   they can appear in (raw, URL-encoded, form-encoded);
 * - shapes that are secret whatever their value: JWTs, `Authorization`-like headers, secret query parameters.
 */

export const REDACTED = "[REDACTED]";

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
// `Authorization: Bearer abc`, `Token token="abc"`, `Basic abc` written out in prose.
const AUTH_SCHEME_PATTERN = /\b(Bearer|Basic|Token)(\s+)(token=)?("?)[^\s",;]+\4/gi;
// `sharinpix://id:secret@host` and any other userinfo in a URL.
const URL_USERINFO_PATTERN = /\b([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+):([^/\s@]+)@/gi;

export interface RedactorOptions {
  secrets?: Iterable<string | undefined>;
  secretHeaders?: Iterable<string>;
  secretParams?: Iterable<string>;
}

export class Redactor {
  readonly #secrets = new Set<string>();
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
    if (!secret || secret.length < 4) return;
    for (const form of [secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)]) {
      this.#secrets.add(form);
    }
  }

  addSecretParam(name: string): void {
    this.#params.add(name.toLowerCase());
    this.#paramPattern = this.#buildParamPattern();
  }

  /** Whether `text` holds one of the known secret values (in any of its encodings); shapes such as JWTs do not count. */
  hasSecret(text: string): boolean {
    for (const secret of this.#secrets) if (text.includes(secret)) return true;
    return false;
  }

  isSecretHeader(name: string): boolean {
    return this.#headers.has(name.toLowerCase());
  }

  /** Redacts any text: known secrets, JWTs, auth schemes, secret `name=value` pairs, URL credentials. */
  text(input: string): string {
    let out = input;
    // Longest first, so a secret that contains another is removed whole.
    for (const secret of [...this.#secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out
      .replace(URL_USERINFO_PATTERN, `$1$2:${REDACTED}@`)
      .replace(JWT_PATTERN, REDACTED)
      .replace(AUTH_SCHEME_PATTERN, (_m, scheme: string, space: string, tokenEq = "", quote = "") =>
        `${scheme}${space}${tokenEq}${quote}${REDACTED}${quote}`,
      )
      .replace(this.#paramPattern, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`);
  }

  /**
   * Redacts `input`, then cuts it to `max` characters: never the other way round, which would leave a secret's
   * prefix behind the cut unrecognised.
   */
  cut(input: string, max: number): string {
    const redacted = this.text(input);
    return redacted.length > max ? `${redacted.slice(0, max)}… (${redacted.length - max} more characters)` : redacted;
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
      out[name] = this.isSecretHeader(name) ? REDACTED : this.text(String(value));
    }
    return out;
  }

  /**
   * A deep copy of any JSON-like value with secrets hidden: strings are redacted, and the values of keys
   * that name a secret (`Authorization`, `api_token`, …) are replaced whole. APIs echo requests back in
   * their bodies (SharinPix returns the import's `headers[Authorization]`), so parsed bodies need this.
   */
  value<T>(input: T, depth = 0): T {
    if (typeof input === "string") return this.text(input) as T;
    if (input === null || typeof input !== "object" || depth > 32) return input;
    if (Array.isArray(input)) return input.map((item) => this.value(item, depth + 1)) as T;
    const out: Record<string, unknown> = {};
    for (const [key, val] of Object.entries(input as Record<string, unknown>)) {
      const lower = key.toLowerCase();
      out[key] =
        (this.#headers.has(lower) || this.#params.has(lower)) && val !== null && typeof val !== "object"
          ? REDACTED
          : this.value(val, depth + 1);
    }
    return out as T;
  }

  #buildParamPattern(): RegExp {
    const names = [...this.#params].map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
    // `name=value` in a query string or form body, and `"name": "value"` / `name: value` in prose or JSON.
    // A value already redacted is kept as it is, with the `)` that may close it: errors quote a redacted URL as
    // `getX (GET https://…?sig=[REDACTED]) failed …` and redact the whole message again, which must not eat the `)`.
    return new RegExp(`\\b(${names})(=|"?\\s*:\\s*"?)(?:\\[REDACTED\\](?=\\)?(?:[&\\s",;}]|$))|[^&\\s",;}]+)`, "gi");
  }
}
