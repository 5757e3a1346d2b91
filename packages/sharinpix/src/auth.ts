/**
 * SharinPix credentials. There is no login endpoint: a client holding a secret
 * (`sharinpix://<secret id>:<secret>@<host>/api/v1`) signs its own short-lived HS256 JWTs with it.
 */
import { ValidationError } from "@importkit/core";
// The subpath, not the root entry: the root loads 46 modules (every JWE/JWK/JWKS helper), this one 10
// (pnpm bench import-time).
import { SignJWT } from "jose/jwt/sign";

export const DEFAULT_HOST = "api.sharinpix.com";
export const DEFAULT_BASE_PATH = "/api/v1";
/** One hour, as SharinPix's PHP client; the recorded examples used four. */
export const DEFAULT_TOKEN_LIFETIME_S = 3600;
/** A token is renewed this long before `exp`, so none expires while a request is on its way. */
const RENEW_MARGIN_MS = 60_000;

export interface ParsedSecretUrl {
  secretId: string;
  secret: string;
  /** `https://<host>/api/v1`. */
  baseUrl: string;
}

const SECRET_URL_SHAPE = "expected sharinpix://<secret id>:<secret>@<host>/api/v1, as the SharinPix admin issues it";

/**
 * Reads a secret URL. Errors never repeat the URL: it holds the secret (and so does the message of
 * `new URL()`'s own TypeError, which is why it is not kept as a cause).
 */
export function parseSecretUrl(secretUrl: unknown): ParsedSecretUrl {
  if (typeof secretUrl !== "string" || secretUrl.trim() === "") {
    throw new ValidationError(`a SharinPix secret URL is required (${SECRET_URL_SHAPE})`, "secretUrl");
  }
  let url: URL;
  try {
    url = new URL(secretUrl.trim());
  } catch {
    throw new ValidationError(`is not a URL (${SECRET_URL_SHAPE})`, "secretUrl");
  }
  if (url.protocol !== "sharinpix:") throw new ValidationError(`must start with sharinpix:// (${SECRET_URL_SHAPE})`, "secretUrl");
  if (!url.username) throw new ValidationError(`has no secret id before the ':' (${SECRET_URL_SHAPE})`, "secretUrl");
  if (!url.password) throw new ValidationError(`has no secret after the ':' (${SECRET_URL_SHAPE})`, "secretUrl");
  if (!url.host) throw new ValidationError(`has no host after the '@' (${SECRET_URL_SHAPE})`, "secretUrl");
  if (url.search || url.hash) throw new ValidationError(`must not have a query or a fragment (${SECRET_URL_SHAPE})`, "secretUrl");
  let secretId: string;
  let secret: string;
  try {
    secretId = decodeURIComponent(url.username);
    secret = decodeURIComponent(url.password);
  } catch {
    throw new ValidationError(`has a badly percent-encoded secret id or secret (${SECRET_URL_SHAPE})`, "secretUrl");
  }
  const path = url.pathname.replace(/\/+$/, "") || DEFAULT_BASE_PATH;
  return { secretId, secret, baseUrl: `https://${url.host}${path}` };
}

/** `api.sharinpix.com`, `localhost:5001`: a host and an optional port, nothing else. */
export function baseUrlForHost(host: unknown): string {
  if (host === undefined) return `https://${DEFAULT_HOST}${DEFAULT_BASE_PATH}`;
  if (typeof host !== "string" || !/^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i.test(host)) {
    throw new ValidationError("must be a host name with an optional port, e.g. api.sharinpix.com (no scheme, no path)", "host");
  }
  return `https://${host}${DEFAULT_BASE_PATH}`;
}

/** A ready JWT: three base64url segments. The `Token token="…"` framing is the client's job. */
export function checkReadyToken(token: unknown): string {
  if (typeof token !== "string" || token.trim() === "") {
    throw new ValidationError("a SharinPix JWT is required (a non-empty string); or pass secretUrl instead", "token");
  }
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token.trim())) {
    throw new ValidationError('must be the JWT alone (header.payload.signature), not an Authorization value like Token token="…"', "token");
  }
  return token.trim();
}

export interface TokenMinterOptions {
  secretId: string;
  secret: string;
  /** Claims besides iss/iat/exp: `{ admin: true }` or `{ abilities }`. */
  claims: Record<string, unknown>;
  lifetimeS: number;
  /** Told about each new JWT before it is used (to register it with the redactor). */
  onMint: (jwt: string) => void;
}

/** Mints JWTs on demand and reuses each until shortly before it expires. */
export class TokenMinter {
  readonly #options: TokenMinterOptions;
  readonly #key: Uint8Array;
  #current: { jwt: string; renewAt: number } | undefined;
  #minting: Promise<string> | undefined;

  constructor(options: TokenMinterOptions) {
    this.#options = options;
    this.#key = new TextEncoder().encode(options.secret);
  }

  /** The current JWT if it is still good; else undefined (call `mint`). Synchronous for the common case. */
  cached(now = Date.now()): string | undefined {
    const current = this.#current;
    return current && now < current.renewAt ? current.jwt : undefined;
  }

  /** A good JWT: the cached one, or a new one (concurrent callers share one signing). */
  token(): string | Promise<string> {
    return this.cached() ?? (this.#minting ??= this.#mint().finally(() => (this.#minting = undefined)));
  }

  async #mint(): Promise<string> {
    const { secretId, claims, lifetimeS, onMint } = this.#options;
    const issuedAt = Math.floor(Date.now() / 1000);
    const expires = issuedAt + lifetimeS;
    const jwt = await new SignJWT(claims)
      .setProtectedHeader({ typ: "JWT", alg: "HS256" })
      .setIssuer(secretId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expires)
      .sign(this.#key);
    onMint(jwt);
    const margin = Math.min(RENEW_MARGIN_MS, (lifetimeS * 1000) / 4);
    this.#current = { jwt, renewAt: expires * 1000 - margin };
    return jwt;
  }
}

export function checkLifetime(lifetime: unknown): number {
  if (lifetime === undefined) return DEFAULT_TOKEN_LIFETIME_S;
  if (typeof lifetime !== "number" || !Number.isInteger(lifetime) || lifetime < 10 || lifetime > 7 * 24 * 3600) {
    throw new ValidationError("must be a whole number of seconds between 10 and 604800 (7 days)", "tokenLifetime");
  }
  return lifetime;
}

export function claimsFor(abilities: unknown): Record<string, unknown> {
  if (abilities === undefined) return { admin: true };
  if (abilities === null || typeof abilities !== "object" || Array.isArray(abilities)) {
    throw new ValidationError('must be an object, e.g. { "<album id>": { Access: { image_upload: true } } }', "abilities");
  }
  return { abilities };
}
