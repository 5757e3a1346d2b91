/**
 * Every response a test receives from a twin is checked against the spec's response for its operation and status,
 * by Prism's own `validateOutput` (status declared, media type declared, body schema, declared headers). A test wraps
 * its fetch in `checked(twin)` and ends with `expect(violations(twin)).toEqual([])`: a twin that drifts from its
 * spec fails its own tests. Answers shaped by an injected fault, and the twin's own download routes (outside the
 * spec), are not checked.
 */
import type { Twin } from "../src/index.ts";
import { describeDiagnostics, prismOperations, prismValidator } from "../src/request-validator.ts";
import { engineOf } from "../src/registry.ts";

const found = new WeakMap<Twin, string[]>();
const checkedCount = new WeakMap<Twin, number>();

const TEXT = /^(text\/|application\/(json|x-ndjson|[\w.+-]+\+json))/;

/** `fetchImpl` (default: the twin's own fetch) with every answer checked against the twin's spec. */
export function checked(twin: Twin, fetchImpl: typeof fetch = twin.fetch): typeof fetch {
  found.set(twin, found.get(twin) ?? []);
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const response = await fetchImpl(request.clone());
    await check(twin, request, response.clone());
    return response;
  }) as typeof fetch;
}

async function check(twin: Twin, request: Request, response: Response): Promise<void> {
  const record = [...twin.requests].reverse().find((r) => r.method === request.method && r.url === request.url);
  const engine = engineOf(twin);
  if (!record?.operationId || record.fault || !engine.module.spec.operation(record.operationId)) return;
  const operations = await prismOperations(engine.module.spec.document);
  const operation = operations.get(record.operationId)!;
  const contentType = response.headers.get("content-type") ?? "";
  const bytes = new Uint8Array(await response.arrayBuffer());
  let body: unknown;
  if (bytes.length === 0) body = contentType ? "" : undefined;
  else if (/json/.test(contentType) && !/ndjson/.test(contentType)) body = JSON.parse(new TextDecoder().decode(bytes));
  else if (TEXT.test(contentType)) body = new TextDecoder().decode(bytes);
  else body = "<binary>";
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  const result = (await prismValidator()).validateOutput({ resource: operation, element: { statusCode: response.status, headers, body } });
  checkedCount.set(twin, (checkedCount.get(twin) ?? 0) + 1);
  if (result._tag === "Left") {
    const messages = describeDiagnostics(result.left);
    if (messages.length) found.get(twin)!.push(`${record.operationId} ${response.status}: ${messages.join("; ")}`);
  }
}

/** Violations found so far for this twin (an empty list when every checked answer matched the spec). */
export function violations(twin: Twin): string[] {
  return found.get(twin) ?? [];
}

/** How many answers were checked (so a test can tell the check ran). */
export function checkedResponses(twin: Twin): number {
  return checkedCount.get(twin) ?? 0;
}
