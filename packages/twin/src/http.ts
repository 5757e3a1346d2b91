/** The answers a provider module gives, before the engine adds rate-limit headers and applies faults. */
import { utf8 } from "./files.js";

export interface TwinResponse {
  status: number;
  headers: Record<string, string>;
  body?: Uint8Array | string;
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): TwinResponse {
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: JSON.stringify(value) };
}

export function empty(status: number, headers: Record<string, string> = {}): TwinResponse {
  return { status, headers, body: undefined };
}

export function file(status: number, contentType: string, body: Uint8Array | string, headers: Record<string, string> = {}): TwinResponse {
  return { status, headers: { "content-type": contentType, ...headers }, body };
}

export function bodyBytes(response: TwinResponse): Uint8Array {
  const { body } = response;
  if (body === undefined) return new Uint8Array(0);
  return typeof body === "string" ? utf8(body) : body;
}
