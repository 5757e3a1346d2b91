/**
 * The options every client and every call take, and their checks. Every option is checked when the client is
 * created (or when the call is made), so a wrong one is a ValidationError naming it, at once, instead of a failure
 * at the first request. Messages never repeat a value: an option may hold a credential.
 */
import { ValidationError } from "./errors.js";
import type { Logger } from "./logger.js";
import { lowSpeedSettings } from "./low-speed.js";
import { MAX_RETRIES_LIMIT } from "./retry-policy.js";
import type { ValidationMode } from "./validate.js";

export type { ValidationMode };
/** How much of the spec is enforced before a request is sent (README "Validation"). */
export const VALIDATION_MODES: readonly ValidationMode[] = ["documented", "strict", "off"];

/** Options every provider's factory accepts. */
export interface CommonClientOptions {
  /** Overrides the provider's API origin (e.g. a twin or a mock server). An absolute http(s) URL. */
  baseUrl?: string | undefined;
  /** A fetch implementation (default: the global one). When given, it sends every request. */
  fetch?: typeof fetch | undefined;
  /** Retries after the first attempt (default 2, at most 10). */
  maxRetries?: number | undefined;
  /** Per-attempt time limit in ms (default 60 000); for a download, the longest silence between chunks. */
  timeout?: number | undefined;
  /** Extra headers sent with every API request (never to another origin). */
  headers?: Record<string, string> | undefined;
  /** Prepended to importkit's own User-Agent. */
  userAgent?: string | undefined;
  /** Receives debug/info/warn/error lines, secrets already redacted. */
  logger?: Logger | undefined;
  /** Aborts every request and wait of this client. */
  signal?: AbortSignal | undefined;
  /**
   * `documented` (default): refuse before sending what the vendor documents as invalid; constraints importkit only
   * inferred are checked and warned about (once per operation and rule) but sent. `strict`: refuse those too.
   * `off`: send whatever is given (only what cannot be sent at all is refused).
   */
  validate?: ValidationMode | undefined;
  /** The largest success body read into memory, after decompression (default 32 MiB); downloads are never capped. */
  maxResponseBytes?: number | undefined;
  /**
   * A download slower than this many bytes per second for `lowSpeedTime` ms fails with a TimeoutError (curl's
   * `--speed-limit`; default 1 024; 0 turns the rule off). The idle `timeout` alone cannot end a trickle.
   */
  lowSpeedLimit?: number | undefined;
  /** How long a download may stay below `lowSpeedLimit`, in ms (curl's `--speed-time`; default 60 000). */
  lowSpeedTime?: number | undefined;
}

/** Per-call options of every high-level method. */
export interface RequestOptions {
  signal?: AbortSignal | undefined;
  /** Per-attempt time limit in ms for this call. */
  timeout?: number | undefined;
  maxRetries?: number | undefined;
  /** Extra headers for this call (never sent to another origin). */
  headers?: Record<string, string> | undefined;
  validate?: ValidationMode | undefined;
}

/** The longest delay a timer can be armed for (setTimeout's signed 32-bit limit). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

// RFC 9110 token characters.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Why a header value cannot be sent (CR, LF, NUL or a character outside Latin-1), or undefined. */
export function headerValueProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return `must be a string (got ${describeType(value)})`;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x0a || code === 0x0d || code === 0x00) return "contains a line break or NUL, which a header cannot carry";
    if (code > 0xff) return "contains a character outside Latin-1, which a header cannot carry (encode it first)";
  }
  return undefined;
}

export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** A credential (token, key): a non-empty string a header or a query can carry. Never quoted in the message. */
export function checkCredential(value: unknown, name: string, what: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new ValidationError(`${what} is required (a non-empty string)`, name);
  const problem = headerValueProblem(value);
  if (problem) throw new ValidationError(`${problem} (a stray newline or a pasted character?)`, name);
  return value;
}

function checkMs(value: unknown, name: string): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
    throw new ValidationError(`must be a number of milliseconds between 1 and ${MAX_TIMER_MS} (got ${describeType(value)}${typeof value === "number" && Number.isFinite(value) ? ` ${value}` : ""})`, name);
  }
}

function checkRetries(value: unknown, name: string): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_RETRIES_LIMIT) {
    throw new ValidationError(`must be a whole number from 0 to ${MAX_RETRIES_LIMIT}`, name);
  }
}

function checkHeaders(value: unknown, name: string): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new ValidationError("must be an object of header names to string values", name);
  for (const [header, headerValue] of Object.entries(value)) {
    if (!HEADER_NAME.test(header)) throw new ValidationError("is not a valid header name", `${name}.${header.length > 40 ? `${header.slice(0, 40)}…` : header}`);
    const problem = headerValueProblem(headerValue);
    if (problem) throw new ValidationError(problem, `${name}.${header}`);
  }
}

function checkSignal(value: unknown, name: string): void {
  if (!(value instanceof AbortSignal)) throw new ValidationError("must be an AbortSignal", name);
}

function checkMode(value: unknown, name: string): void {
  if (!VALIDATION_MODES.includes(value as ValidationMode)) throw new ValidationError(`must be one of ${VALIDATION_MODES.map((m) => `"${m}"`).join(", ")}`, name);
}

/** Checks the common options of a client; returns the base URL to use (no trailing slash). */
export function checkClientOptions(options: CommonClientOptions, defaultBaseUrl: string): string {
  const { baseUrl, fetch, maxRetries, timeout, headers, userAgent, logger, signal, validate, maxResponseBytes } = options;
  if (fetch !== undefined && typeof fetch !== "function") throw new ValidationError("must be a fetch function", "fetch");
  if (maxRetries !== undefined) checkRetries(maxRetries, "maxRetries");
  if (timeout !== undefined) checkMs(timeout, "timeout");
  if (headers !== undefined) checkHeaders(headers, "headers");
  if (userAgent !== undefined) {
    const problem = headerValueProblem(userAgent);
    if (problem) throw new ValidationError(problem, "userAgent");
  }
  if (logger !== undefined) {
    if (logger === null || typeof logger !== "object") throw new ValidationError("must be an object with debug/info/warn/error methods", "logger");
    for (const level of ["debug", "info", "warn", "error"] as const) {
      if (logger[level] !== undefined && typeof logger[level] !== "function") throw new ValidationError("must be a function", `logger.${level}`);
    }
  }
  if (signal !== undefined) checkSignal(signal, "signal");
  if (validate !== undefined) checkMode(validate, "validate");
  if (maxResponseBytes !== undefined && (typeof maxResponseBytes !== "number" || !Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 1024)) {
    throw new ValidationError("must be a whole number of bytes, at least 1024", "maxResponseBytes");
  }
  lowSpeedSettings(options);
  return checkBaseUrl(baseUrl ?? defaultBaseUrl);
}

export function checkBaseUrl(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") throw new ValidationError("must be an absolute http(s) URL, e.g. https://api.example.com/v1", "baseUrl");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError("must be an absolute http(s) URL with its scheme, e.g. https://api.example.com/v1 (not a bare host name)", "baseUrl");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new ValidationError(`must be an http(s) URL (got a ${url.protocol} URL)`, "baseUrl");
  if (url.username || url.password) throw new ValidationError("must not carry credentials; give them as the client's own options", "baseUrl");
  if (url.search || url.hash) throw new ValidationError("must not have a query or a fragment", "baseUrl");
  return url.href.replace(/\/+$/, "");
}

/** Checks one call's options (only what was given: the usual call gives none). */
export function checkRequestOptions(options: RequestOptions | undefined, name = "options"): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object") throw new ValidationError("must be an object", name);
  if (options.signal !== undefined) checkSignal(options.signal, `${name}.signal`);
  if (options.timeout !== undefined) checkMs(options.timeout, `${name}.timeout`);
  if (options.maxRetries !== undefined) checkRetries(options.maxRetries, `${name}.maxRetries`);
  if (options.headers !== undefined) checkHeaders(options.headers, `${name}.headers`);
  if (options.validate !== undefined) checkMode(options.validate, `${name}.validate`);
}

/** A positive number of milliseconds for a wait option (deadline, interval). */
export function checkDuration(value: unknown, name: string): void {
  if (value !== undefined) checkMs(value, name);
}

/** A whole number from `min`, for options such as maxPages. */
export function checkWhole(value: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value !== undefined && (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)) {
    throw new ValidationError(`must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ""}`, name);
  }
}
