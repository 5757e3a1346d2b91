/**
 * Every request checked against the curated spec by an independent validator: Stoplight Prism's own request
 * validator (`validateInput` of @stoplight/prism-http, the one `importkit mock` runs), in process. Loaded lazily, the
 * first time a twin needs it, and its operations built once per spec for the whole process (~0.4 s for Prism, ~50 ms
 * per spec), so creating a twin stays a matter of milliseconds.
 *
 * Node, Bun and Deno load this file; browser bundles get request-validator.browser.ts instead (package.json
 * "imports" `#request-validator`, browser condition), because Prism's validator needs Node built-ins.
 */
import type { OpenApiDocument } from "./spec.js";

export interface RequestToValidate {
  operationId: string;
  method: string;
  /** The spec path with its parameters filled in (no server base path). */
  path: string;
  query: URLSearchParams;
  headers: Headers;
  /** Parsed JSON for JSON media types, the text otherwise; undefined when there is no body. */
  body: unknown;
  bodyLength: number;
}

/** The violations of a request (empty when valid), each as `location: message`. */
export type RequestValidator = (request: RequestToValidate) => string[];
export type RequestValidatorLoader = (document: OpenApiDocument) => Promise<RequestValidator | undefined>;

/** Prism's operation objects (IHttpOperation), typed loosely: the twin only passes them back to Prism. */
export interface PrismOperation {
  iid?: string;
  method: string;
  path: string;
  [key: string]: unknown;
}

interface Diagnostic {
  path?: (string | number)[];
  message: string;
  severity: number;
}
type Either<L, R> = { _tag: "Left"; left: L } | { _tag: "Right"; right: R };

interface PrismValidatorModule {
  validateInput(input: { resource: PrismOperation; element: unknown }): Either<Diagnostic[], unknown>;
  validateOutput(input: { resource: PrismOperation; element: unknown }): Either<Diagnostic[], unknown>;
}

let prism: Promise<{ validator: PrismValidatorModule; load(document: unknown): Promise<PrismOperation[]> }> | undefined;
const operationsBySpec = new WeakMap<OpenApiDocument, Promise<Map<string, PrismOperation>>>();

function loadPrism() {
  return (prism ??= (async () => {
    // Deep imports: the package root would also load Prism's forwarder (node-fetch, proxy agents), which a
    // validator does not need. Both modules are CommonJS; Node exposes their exports as the default export.
    const [validatorModule, operationsModule] = await Promise.all([
      import("@stoplight/prism-http/dist/validator/index.js"),
      import("@stoplight/prism-http/dist/utils/operations.js"),
    ]);
    const validator = ((validatorModule as { default?: unknown }).default ?? validatorModule) as PrismValidatorModule;
    const operations = ((operationsModule as { default?: unknown }).default ?? operationsModule) as {
      getHttpOperationsFromSpec(document: unknown): Promise<PrismOperation[]>;
    };
    return { validator, load: (document: unknown) => operations.getHttpOperationsFromSpec(document) };
  })());
}

/** Prism's operations of a spec, by operationId; built once per document and shared by every twin. */
export function prismOperations(document: OpenApiDocument): Promise<Map<string, PrismOperation>> {
  let found = operationsBySpec.get(document);
  if (!found) {
    found = loadPrism().then(async ({ load }) => {
      // Prism dereferences in place: give it a copy, the twin keeps reading the original.
      const operations = await load(structuredClone(document));
      return new Map(operations.map((op) => [String(op.iid), op]));
    });
    operationsBySpec.set(document, found);
  }
  return found;
}

/** Prism's `validateOutput`, for checking responses (the twin's own tests use it on every response). */
export async function prismValidator(): Promise<PrismValidatorModule> {
  return (await loadPrism()).validator;
}

export function describeDiagnostics(diagnostics: readonly Diagnostic[]): string[] {
  // Severity 0 is DiagnosticSeverity.Error; warnings and hints do not refuse a request.
  return diagnostics.filter((d) => d.severity === 0).map((d) => (d.path?.length ? `${d.path.join(".")}: ${d.message}` : d.message));
}

export const loadRequestValidator: RequestValidatorLoader = async (document) => {
  let operations: Map<string, PrismOperation>;
  let validator: PrismValidatorModule;
  try {
    [operations, validator] = await Promise.all([prismOperations(document), prismValidator()]);
  } catch {
    // A runtime without Node built-ins and without a bundler's `browser` mapping: fall back like a browser.
    return undefined;
  }
  return (request) => {
    const resource = operations.get(request.operationId);
    if (!resource) return [];
    const query: Record<string, string | string[]> = {};
    for (const name of new Set(request.query.keys())) {
      const values = request.query.getAll(name);
      query[name] = values.length === 1 ? values[0]! : values;
    }
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    headers["content-length"] = String(request.bodyLength);
    const result = validator.validateInput({
      resource,
      element: { method: request.method.toLowerCase(), url: { path: request.path, query }, headers, body: request.body },
    });
    return result._tag === "Left" ? describeDiagnostics(result.left) : [];
  };
};
