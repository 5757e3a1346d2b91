/**
 * The one error hierarchy every importkit package throws (docs/architecture.md "Errors"):
 *
 *   ImportkitError
 *   ├─ ApiError (the server answered with an error status)
 *   │   ├─ AuthenticationError (401/403)   ├─ NotFoundError (404)
 *   │   ├─ RateLimitError (429)            └─ InvalidRequestError (400/422)
 *   │                                          └─ ValidationError: refused before sending, nothing reached the server
 *   ├─ ConnectionError   ├─ TimeoutError   ├─ AbortError   ├─ RedirectError
 *   ├─ WorkFailedError (waitFor: the work failed)  ├─ ImportFailedError  └─ ExportFailedError
 *   ├─ WaitTimeoutError  ├─ PaginationLimitError
 *   └─ InvalidResponseError  └─ ResponseTooLargeError
 *
 * Errors are built only from already-redacted parts and hold no Request/Response objects (those carry
 * the Authorization header), so printing, logging or serialising an error cannot leak a secret.
 */

export interface RequestSummary {
  method: string;
  /** The URL with secret query parameters redacted. */
  url: string;
}

export interface ImportkitErrorOptions {
  cause?: unknown;
}

export class ImportkitError extends Error {
  override readonly name: string = "ImportkitError";

  constructor(message: string, options: ImportkitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // Keep `name` right in stacks even when subclass fields are initialised after super().
    Object.defineProperty(this, "name", { value: new.target.name, enumerable: false, configurable: true });
  }

  toJSON(): Record<string, unknown> {
    const { stack: _stack, ...fields } = Object.fromEntries(Object.entries(this)) as Record<string, unknown>;
    return { name: this.name, message: this.message, ...fields };
  }
}

export interface ApiErrorInit {
  status: number;
  message: string;
  /** The provider's own error code, when its envelope has one. */
  code?: string | number | undefined;
  requestId?: string | undefined;
  /** Parsed (and redacted) error body. */
  body?: unknown;
  /** Response headers, secrets redacted. */
  headers?: Record<string, string>;
  /** The operation, e.g. `startImportRun` or `POST /org/{organizationId}/imports`. */
  operation?: string | undefined;
  request?: RequestSummary | undefined;
  cause?: unknown;
}

export class ApiError extends ImportkitError {
  readonly status: number;
  readonly code: string | number | undefined;
  readonly requestId: string | undefined;
  readonly body: unknown;
  readonly headers: Record<string, string>;
  readonly operation: string | undefined;
  readonly request: RequestSummary | undefined;

  constructor(init: ApiErrorInit) {
    super(init.message, { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.body = init.body;
    this.headers = init.headers ?? {};
    this.operation = init.operation;
    this.request = init.request;
  }
}

export class AuthenticationError extends ApiError {}
export class NotFoundError extends ApiError {}
export class InvalidRequestError extends ApiError {}

export class RateLimitError extends ApiError {
  /** How long the server asked us to wait, in milliseconds, when it said so. */
  readonly retryAfterMs: number | undefined;

  constructor(init: ApiErrorInit & { retryAfterMs?: number | undefined }) {
    super(init);
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** Picks the ApiError subclass for a status code. */
export function apiErrorClassFor(status: number): typeof ApiError {
  if (status === 401 || status === 403) return AuthenticationError;
  if (status === 404) return NotFoundError;
  if (status === 400 || status === 422) return InvalidRequestError;
  if (status === 429) return RateLimitError;
  return ApiError;
}

/** No HTTP answer at all: refused, reset, DNS failure, or a body cut off mid-way. */
export class ConnectionError extends ImportkitError {
  readonly request: RequestSummary | undefined;
  /** The system error code when there is one (`ECONNREFUSED`, `ECONNRESET`, …). */
  readonly code: string | undefined;

  constructor(message: string, init: { request?: RequestSummary; code?: string; cause?: unknown } = {}) {
    super(message, { cause: init.cause });
    this.request = init.request;
    this.code = init.code;
  }
}

/** One attempt took longer than the client's `timeout`. */
export class TimeoutError extends ImportkitError {
  readonly request: RequestSummary | undefined;
  readonly timeoutMs: number;

  constructor(message: string, init: { request?: RequestSummary; timeoutMs: number; cause?: unknown }) {
    super(message, { cause: init.cause });
    this.request = init.request;
    this.timeoutMs = init.timeoutMs;
  }
}

/** The caller's `signal` aborted the work. */
export class AbortError extends ImportkitError {
  readonly request: RequestSummary | undefined;

  constructor(message = "The operation was aborted by the caller's signal.", init: { request?: RequestSummary; cause?: unknown } = {}) {
    super(message, { cause: init.cause });
    this.request = init.request;
  }
}

/**
 * `waitFor` saw the work reach a failed (or cancelled) state. `T` is the resource polled; each provider package
 * re-exports these classes typed with its own resources, so `error instanceof ImportFailedError` gives a typed
 * `resource` there.
 */
export class WorkFailedError<T = unknown> extends ImportkitError {
  /** The provider's final state, e.g. `failed`, `FAILED`, `Error`. */
  readonly status: string;
  /** The provider's explanation, when it gave one (redacted). */
  readonly reason: string | undefined;
  /** The last resource seen (redacted). */
  readonly resource: T | undefined;

  constructor(message: string, init: { status: string; reason?: string | undefined; resource?: T | undefined }) {
    super(message);
    this.status = init.status;
    this.reason = init.reason;
    this.resource = init.resource;
  }
}

/** An import (a GitBook import run, an Import.io crawl run, a Document360 import, ...) ended failed or cancelled. */
export class ImportFailedError<T = unknown> extends WorkFailedError<T> {}

/** A Document360 export ended in `Error`. */
export class ExportFailedError<T = unknown> extends WorkFailedError<T> {}

/** `waitFor` ran out of its overall `deadline` while the work was still running. */
export class WaitTimeoutError<T = unknown> extends ImportkitError {
  readonly deadlineMs: number;
  /** The last resource seen (redacted), so the caller can resume waiting. */
  readonly lastSeen: T | undefined;

  constructor(message: string, init: { deadlineMs: number; lastSeen?: T | undefined }) {
    super(message);
    this.deadlineMs = init.deadlineMs;
    this.lastSeen = init.lastSeen;
  }
}

/** A list kept returning a next-page cursor past the page cap. */
export class PaginationLimitError extends ImportkitError {
  readonly maxPages: number;

  constructor(message: string, init: { maxPages: number }) {
    super(message);
    this.maxPages = init.maxPages;
  }
}

/** The server answered 2xx with a body the client cannot read (e.g. invalid JSON). */
export class InvalidResponseError extends ImportkitError {
  readonly status: number | undefined;
  readonly operation: string | undefined;
  readonly request: RequestSummary | undefined;

  constructor(message: string, init: { status?: number; operation?: string; request?: RequestSummary; cause?: unknown } = {}) {
    super(message, { cause: init.cause });
    this.status = init.status;
    this.operation = init.operation;
    this.request = init.request;
  }
}

/** A success body larger than the client's `maxResponseBytes` (counted after decompression); never held whole. */
export class ResponseTooLargeError extends InvalidResponseError {
  readonly limitBytes: number;

  constructor(message: string, init: { limitBytes: number; status?: number; operation?: string; request?: RequestSummary }) {
    super(message, init);
    this.limitBytes = init.limitBytes;
  }
}

/**
 * The server redirected a call where importkit does not follow (docs/reliability.md "Redirects"): an API call to
 * another origin, or any call from https to plain http. Nothing was sent to the `location`.
 */
export class RedirectError extends ImportkitError {
  readonly status: number;
  /** Where the server pointed, with secrets redacted; undefined when a browser hides it. */
  readonly location: string | undefined;
  readonly operation: string | undefined;
  readonly request: RequestSummary | undefined;

  constructor(message: string, init: { status: number; location?: string | undefined; operation?: string | undefined; request?: RequestSummary | undefined }) {
    super(message);
    this.status = init.status;
    this.location = init.location;
    this.operation = init.operation;
    this.request = init.request;
  }
}

export interface ValidationIssue {
  /** Where the problem is, e.g. `source.url` or `options.concurrency`. */
  path: string;
  message: string;
}

/**
 * The input was refused before any request was sent: the API would answer it with 400 (a missing id, a
 * too-long URL, an unknown file type, a malformed secret URL). It is an InvalidRequestError, so one `catch`
 * handles both; `request` is undefined because nothing reached the server, and `issues` names every problem.
 */
export class ValidationError extends InvalidRequestError {
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[] | string, where?: string | { path?: string; operation?: string }) {
    const options = typeof where === "string" ? { path: where } : (where ?? {});
    const list = typeof issues === "string" ? [{ path: options.path ?? "", message: issues }] : issues;
    const details = list.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
    super({
      status: 400,
      code: "validation_error",
      message: `${options.operation ? `${options.operation}: ` : ""}invalid input, not sent: ${details}`,
      operation: options.operation,
    });
    this.issues = list;
  }
}
