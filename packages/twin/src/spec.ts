/**
 * What the twin reads from a curated spec at run time: its operations (method, path template, operationId, declared
 * statuses and media types), the origins and base path of its servers, and its named examples. Everything a provider
 * module needs to answer "does the spec declare a 400 here?" or "what is the documented body of this 401?" comes from
 * here, so a spec change (a new status, a new media type, a reworded example) reaches the twin without code changes.
 */

/** An OpenAPI 3.1 document, as parsed JSON. Only the parts the twin reads are typed. */
export interface OpenApiDocument {
  openapi: string;
  servers?: { url: string; variables?: Record<string, { default: string }> }[];
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"] as const;

interface MediaObject {
  schema?: unknown;
  example?: unknown;
  examples?: Record<string, { value?: unknown; $ref?: string }>;
}
interface ResponseObject {
  description?: string;
  headers?: Record<string, unknown>;
  content?: Record<string, MediaObject>;
}

export interface SpecOperation {
  readonly operationId: string;
  /** Upper case, as in `GET /path`. */
  readonly method: string;
  /** The path template of the spec, e.g. `/org/{organizationId}/imports`. */
  readonly path: string;
  /** Names of the path parameters, in order. */
  readonly parameters: readonly string[];
  /** Declared response statuses (`"200"`, `"4XX"`, `"default"` …). */
  readonly statuses: readonly string[];
  /** Media types of the request body, when there is one. */
  readonly requestMediaTypes: readonly string[];
  readonly pattern: RegExp;
  /** Literal path segments: more literal segments win when two templates match. */
  readonly specificity: number;
}

export interface OriginMatcher {
  /** Matches an origin such as `https://api.gitbook.com`. */
  readonly origin: RegExp;
  /** The server's path prefix, e.g. `/v1` (empty for none). */
  readonly basePath: string;
}

export interface RouteMatch {
  operation: SpecOperation;
  /** Percent-decoded path parameters. */
  params: Record<string, string>;
}

export class Spec {
  readonly document: OpenApiDocument;
  readonly operations: readonly SpecOperation[];
  readonly #byId = new Map<string, SpecOperation>();
  /** Where the real API lives, from `servers` (variables at their defaults; a variable that is one DNS label, as in
   *  `apihub.{private_hosting}.document360.io`, matches any label). */
  readonly servers: readonly OriginMatcher[];
  /** The first server's concrete URL, e.g. `https://api.gitbook.com/v1`. */
  readonly defaultServerUrl: string;

  constructor(document: OpenApiDocument) {
    this.document = document;
    const operations: SpecOperation[] = [];
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      for (const method of METHODS) {
        const op = item[method] as { operationId?: string; responses?: Record<string, unknown>; requestBody?: unknown } | undefined;
        if (!op?.operationId) continue;
        const parameters = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
        const source = path
          .split("/")
          .map((segment) => (/^\{[^}]+\}$/.test(segment) ? "([^/]+)" : escapeRegExp(segment)))
          .join("/");
        const body = this.resolve(op.requestBody) as { content?: Record<string, unknown> } | undefined;
        const operation: SpecOperation = {
          operationId: op.operationId,
          method: method.toUpperCase(),
          path,
          parameters,
          statuses: Object.keys(op.responses ?? {}),
          requestMediaTypes: Object.keys(body?.content ?? {}),
          pattern: new RegExp(`^${source}/?$`),
          specificity: path.split("/").filter((s) => s && !s.startsWith("{")).length,
        };
        operations.push(operation);
        this.#byId.set(operation.operationId, operation);
      }
    }
    this.operations = operations.sort((a, b) => b.specificity - a.specificity);

    const servers = document.servers?.length ? document.servers : [{ url: "/" }];
    this.servers = servers.map((server) => originMatcher(server.url, server.variables ?? {}));
    const first = servers[0]!;
    this.defaultServerUrl = first.url.replace(/\{([^}]+)\}/g, (_, name: string) => first.variables?.[name]?.default ?? "").replace(/\/$/, "");
  }

  operation(operationId: string): SpecOperation | undefined {
    return this.#byId.get(operationId);
  }

  /** The operation a method and a path (already without the server's base path) reach, or the methods that the path
   *  has when none matches the method. */
  match(method: string, path: string): RouteMatch | { allowed: string[] } | undefined {
    const allowed: string[] = [];
    for (const operation of this.operations) {
      const found = operation.pattern.exec(path);
      if (!found) continue;
      if (operation.method !== method.toUpperCase()) {
        allowed.push(operation.method);
        continue;
      }
      const params: Record<string, string> = {};
      operation.parameters.forEach((name, i) => (params[name] = safeDecode(found[i + 1]!)));
      return { operation, params };
    }
    return allowed.length ? { allowed } : undefined;
  }

  /** Whether the operation declares this status (exactly, or through a `4XX`-style range). */
  declares(operationId: string, status: number): boolean {
    const statuses = this.#byId.get(operationId)?.statuses ?? [];
    return statuses.includes(String(status)) || statuses.includes(`${String(status)[0]}XX`);
  }

  /** The declared response of an operation for a status, `$ref` resolved. */
  response(operationId: string, status: number): ResponseObject | undefined {
    const operation = this.#byId.get(operationId);
    if (!operation) return undefined;
    const op = this.document.paths[operation.path]![operation.method.toLowerCase()] as { responses?: Record<string, unknown> };
    const raw = op.responses?.[String(status)] ?? op.responses?.[`${String(status)[0]}XX`];
    return this.resolve(raw) as ResponseObject | undefined;
  }

  /** Media types the operation's response for `status` declares, in spec order. */
  responseMediaTypes(operationId: string, status: number): string[] {
    return Object.keys(this.response(operationId, status)?.content ?? {});
  }

  /**
   * A documented example body of an operation's response: the example named `name` if given (and present), else
   * the first one. `$ref`s to `components/examples` are followed. Undefined when the spec has none.
   */
  example(operationId: string, status: number, name?: string, mediaType?: string): unknown {
    const content = this.response(operationId, status)?.content ?? {};
    const media = mediaType ? content[mediaType] : Object.values(content)[0];
    if (!media) return undefined;
    const examples = media.examples ?? {};
    const chosen = (name !== undefined ? examples[name] : undefined) ?? (name === undefined ? Object.values(examples)[0] : undefined);
    if (chosen) return structuredClone((this.resolve(chosen) as { value?: unknown }).value);
    return name === undefined && media.example !== undefined ? structuredClone(media.example) : undefined;
  }

  /** Follows a local `$ref` (`#/components/...`), repeatedly. Anything else is returned as it is. */
  resolve(node: unknown): unknown {
    let current = node;
    for (let depth = 0; depth < 16 && current && typeof current === "object" && "$ref" in current; depth++) {
      const ref = String((current as { $ref: unknown }).$ref);
      if (!ref.startsWith("#/")) return current;
      current = ref
        .slice(2)
        .split("/")
        .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key.replaceAll("~1", "/").replaceAll("~0", "~")], this.document);
    }
    return current;
  }

  /** A component schema (`#/components/schemas/<name>`), resolved; for reading enums and defaults. */
  schema(name: string): Record<string, unknown> | undefined {
    return this.resolve(this.document.components?.schemas?.[name]) as Record<string, unknown> | undefined;
  }
}

function originMatcher(template: string, variables: Record<string, { default: string }>): OriginMatcher {
  // Variables at their defaults, except one that is a whole DNS label between two dots (a private-hosting subdomain):
  // that one matches any label. The placeholder is made of host-name characters so that URL parsing keeps it.
  const ANY_LABEL = "anylabel0placeholder";
  const concrete = template.replace(/\{([^}]+)\}/g, (part: string, name: string, index: number) => {
    const isLabel = template[index - 1] === "." && template[index + part.length] === ".";
    return isLabel ? ANY_LABEL : (variables[name]?.default ?? "");
  });
  const url = new URL(concrete);
  return {
    origin: new RegExp(`^${escapeRegExp(url.origin).replace(ANY_LABEL, "[a-z0-9-]+")}$`, "i"),
    basePath: url.pathname.replace(/\/$/, ""),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
