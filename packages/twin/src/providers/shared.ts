/** Small helpers the provider modules share. */
import type { Spec } from "../spec.js";

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? `HTTP ${status}`;
}

/**
 * The documented body of an operation's `status` response (the named example, else the first), or undefined when
 * the operation declares none; `fallback` builds one otherwise (undeclared statuses, unknown routes).
 */
export function documentedBody(spec: Spec, operationId: string | undefined, status: number, exampleName?: string): unknown {
  if (operationId === undefined) return undefined;
  return spec.example(operationId, status, exampleName) ?? (exampleName !== undefined ? spec.example(operationId, status) : undefined);
}

/** The default of a header's documented example (e.g. the rate limit `X-RateLimit-Limit: 60`), as a number. */
export function headerExample(spec: Spec, name: string, fallback: number): number {
  const header = spec.resolve(spec.document.components?.headers?.[name]) as { example?: unknown; schema?: { example?: unknown } } | undefined;
  const value = Number(header?.example ?? header?.schema?.example);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** A string enum of a component schema, for status vocabularies read from the spec. */
export function schemaEnum(spec: Spec, schemaName: string, property?: string): string[] {
  let schema = spec.schema(schemaName) as Record<string, unknown> | undefined;
  if (property) schema = spec.resolve((schema?.properties as Record<string, unknown> | undefined)?.[property]) as Record<string, unknown> | undefined;
  return Array.isArray(schema?.enum) ? (schema!.enum as string[]) : [];
}

/** One page of a list, 1-based, as Import.io pages. */
export function pageOf<T>(items: readonly T[], page: number, perPage: number): T[] {
  return items.slice((page - 1) * perPage, page * perPage);
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A small stable hash of a string (FNV-1a), for deterministic values derived from a URL. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
