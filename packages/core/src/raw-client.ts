/**
 * The openapi-fetch client behind `raw` (raw.ts loads this module on the first raw call): openapi-fetch over the
 * same pipeline, for every operation of the spec with openapi-fetch's own `{ data, error, response }` and its
 * middleware, which works as documented: a middleware may return a new Request or a Response, or read the body.
 * Calls are checked against the spec first (under the client's `validate` mode, or a call's own `validate`), and
 * retried, timed, paced and redacted as every call is.
 */
import createClient, { type Client } from "openapi-fetch";
import { ValidationError } from "./errors.js";
import { operationMatcher, type BodyEncoder } from "./operation.js";
import { NULL_BODY_STATUSES } from "./response-body.js";
import type { ValidationMode } from "./validate.js";
import { validateCall } from "./validate.js";
import { METHOD_NAMES, type RawClientOptions } from "./raw.js";

export function openapiFetchClient<Paths extends {}>(options: RawClientOptions): Client<Paths, `${string}/${string}`> {
  const basePath = new URL(options.baseUrl).pathname.replace(/\/+$/, "");
  const match = operationMatcher(options.table, basePath);
  const byKey = new Map(Object.values(options.table).map((spec) => [`${spec.method} ${spec.path}`, spec]));

  const rawFetch = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    const spec = match(request.method, new URL(request.url).pathname);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
    const sent = await options.send({
      method: request.method,
      url: request.url,
      headers,
      body,
      operation: spec?.operationId,
      startsWork: spec?.startsWork === true,
      kind: "api",
      credentials: true,
      read: "buffer",
      throwOnError: false,
      signal: request.signal,
    });
    const responseHeaders = new Headers(sent.response.headers);
    // The body is handed over decoded and whole: its transfer framing no longer applies.
    responseHeaders.delete("content-encoding");
    responseHeaders.delete("content-length");
    const status = sent.response.status;
    return new Response(NULL_BODY_STATUSES.has(status) ? null : (sent.bytes as BodyInit | undefined), { status, statusText: sent.response.statusText, headers: responseHeaders });
  };

  const client = createClient<Paths>({
    baseUrl: options.baseUrl,
    fetch: rawFetch as typeof fetch,
    headers: options.headers,
    ...(options.encoders ? { bodySerializer: rawBodySerializer(options.encoders) } : {}),
  });

  const check = (method: string, path: string, init: unknown) => {
    const { validate, ...rest } = (init ?? {}) as { validate?: ValidationMode; params?: { path?: unknown; query?: unknown }; body?: unknown };
    const spec = byKey.get(`${method} ${path}`);
    if (!spec) {
      throw new ValidationError(`${method} ${path} is not an operation of this API's spec`, "path");
    }
    options.onCheck(validateCall(spec.validation, { path: rest.params?.path, query: rest.params?.query, body: rest.body }, validate ?? options.mode), spec.operationId);
    return rest;
  };
  const wrapped: Record<string, unknown> = { ...(client as unknown as Record<string, unknown>) };
  for (const method of METHOD_NAMES) {
    const original = (client as unknown as Record<string, (path: string, init?: unknown) => Promise<unknown>>)[method]!;
    wrapped[method] = async (path: string, init?: unknown) => original(path, check(method, path, init));
  }
  const request = (client as unknown as { request: (method: string, path: string, init?: unknown) => Promise<unknown> }).request;
  wrapped["request"] = async (method: string, path: string, init?: unknown) => request(method, path, check(method.toUpperCase(), path, init));
  return wrapped as unknown as Client<Paths, `${string}/${string}`>;
}

/** openapi-fetch's body serializer from the provider's encoders, chosen by the request's Content-Type. */
function rawBodySerializer(encoders: Readonly<Record<string, BodyEncoder>>) {
  return (body: unknown, headers?: Headers | Record<string, unknown>) => {
    if (body instanceof FormData) return body;
    const contentType =
      headers instanceof Headers
        ? headers.get("content-type")
        : (Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === "content-type")?.[1] as string | undefined);
    const encoder = contentType ? encoders[contentType.split(";")[0]!.trim().toLowerCase()] : undefined;
    return (encoder ? encoder(body) : JSON.stringify(body)) as string;
  };
}
