/**
 * `importkit api <provider> <METHOD> <path>`: any operation of a provider's spec, for what the other commands do not
 * cover (like `gh api`). The path must match an operation of the provider's generated table (its path template), the
 * input is checked against that operation's schemas by the client's `raw` (openapi-fetch over the client's pipeline:
 * the same credentials, retries, redaction), and the answer is printed as JSON (a file's body as it is).
 *
 * Parameters: the path's own segments fill the template; `--field k=v` goes to the query of a GET/DELETE and to the
 * body otherwise (`a[b]=v` nests, `a[]=v` appends; true, false, null and numbers are typed — `--raw-field` keeps a
 * string); `--input FILE` (`-`: stdin) is the JSON body.
 */
import { readFile } from "node:fs/promises";
import { operationMatcher, type OperationSpec } from "@importkit/core/internal";
import { connectDocument360, connectGitBook, connectImportIo, connectSharinPix, type ConnectionOptions, type MockHints } from "../connect.js";
import type { Provider } from "../providers.js";
import { EXIT, UsageError } from "../exit.js";
import { operationTable } from "../operation-tables.js";
import type { RunContext } from "../runner.js";
import type { Session } from "../session.js";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof METHODS)[number];

type RawInit = { params?: { path?: Record<string, unknown>; query?: Record<string, unknown> }; body?: unknown; parseAs?: string; signal?: AbortSignal };
type RawResult = { data?: unknown; error?: unknown; response: Response };
type RawClient = Record<Method, (path: string, init: RawInit) => Promise<RawResult>>;

async function rawClient(provider: Provider, session: Session, options: ConnectionOptions, hints: MockHints): Promise<RawClient> {
  const connect = { gitbook: connectGitBook, importio: connectImportIo, document360: connectDocument360, sharinpix: connectSharinPix }[provider];
  const { client } = await connect(session, options, hints);
  return client.raw as unknown as RawClient;
}

/** Sets `value` at a `--field` key: `a`, `a[b]`, `a[b][c]`, `a[]` (appends). */
export function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match) throw new UsageError(`--field ${key}: expected a name, optionally followed by [key] or [] parts`);
  const parts = [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)];
  let node: Record<string, unknown> | unknown[] = target;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    const nextIsList = !last && parts[i + 1] === "";
    if (Array.isArray(node)) {
      if (part !== "") throw new UsageError(`--field ${key}: [${part}] inside a list`);
      if (last) node.push(value);
      else {
        const child = nextIsList ? [] : {};
        node.push(child);
        node = child as Record<string, unknown>;
      }
      continue;
    }
    if (part === "") throw new UsageError(`--field ${key}: [] must follow a name`);
    if (last) {
      node[part] = value;
      break;
    }
    const existing = node[part];
    if (existing === undefined) node[part] = nextIsList ? [] : {};
    else if (typeof existing !== "object" || existing === null || Array.isArray(existing) !== nextIsList) throw new UsageError(`--field ${key}: ${part} is set twice, differently`);
    node = node[part] as Record<string, unknown> | unknown[];
  }
}

/** `true`, `false`, `null` and numbers become JSON values; anything else stays a string. */
function typed(value: string): unknown {
  if (value === "true") return true;
  if (value === "false") return false;
  if (value === "null") return null;
  if (/^-?\d+(\.\d+)?$/.test(value) && Number.isFinite(Number(value))) return Number(value);
  return value;
}

function split(field: string, option: string): [string, string] {
  const equals = field.indexOf("=");
  if (equals <= 0) throw new UsageError(`${option} takes key=value (got ${JSON.stringify(field.slice(0, 40))})`);
  return [field.slice(0, equals), field.slice(equals + 1)];
}

/** Path and query values arrive as text: numbers and booleans are given the type the operation's schema declares. */
function coerce(values: Record<string, unknown>, schema: { properties?: Record<string, { type?: unknown }> } | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    const type = schema?.properties?.[name]?.type;
    const types = Array.isArray(type) ? type : [type];
    if (typeof value === "string" && (types.includes("integer") || types.includes("number")) && value.trim() !== "" && Number.isFinite(Number(value))) out[name] = Number(value);
    else if (typeof value === "string" && types.includes("boolean") && (value === "true" || value === "false")) out[name] = value === "true";
    else out[name] = value;
  }
  return out;
}

/** The values of the template's `{params}` from a concrete path. */
function pathParams(template: string, pathname: string): Record<string, string> {
  const names = template.split("/");
  const values = pathname.replace(/\/$/, "").split("/");
  const params: Record<string, string> = {};
  names.forEach((segment, i) => {
    const name = /^\{(.+)\}$/.exec(segment)?.[1];
    if (name) params[name] = decodeURIComponent(values[i] ?? "");
  });
  return params;
}

async function readInput(file: string, session: Session): Promise<unknown> {
  let text: string;
  try {
    if (file === "-") {
      text = "";
      session.io.stdin.setEncoding("utf8");
      for await (const chunk of session.io.stdin) text += chunk as string;
    } else text = await readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read --input ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`--input ${file} is not valid JSON`);
  }
}

const isJson = (mediaType: string | null | undefined) => !!mediaType && /[/+]json\b/i.test(mediaType) && !/ndjson/i.test(mediaType);

export async function callApi({ args, options, session }: RunContext): Promise<number> {
  const [provider, methodArg, pathArg] = args as [Provider, string, string];
  const method = methodArg.toUpperCase() as Method;
  if (!METHODS.includes(method)) throw new UsageError(`unknown method ${methodArg}: use ${METHODS.join(", ")}`);
  const url = new URL(pathArg.startsWith("/") ? pathArg : `/${pathArg}`, "http://path.invalid");
  const table = await operationTable(provider);
  const operation: OperationSpec | undefined = operationMatcher(table, "")(method, url.pathname);
  if (!operation) {
    const known = Object.values(table).map((op) => `  ${op.method.padEnd(6)} ${op.path}`);
    throw new UsageError(`no operation of the ${provider} spec is ${method} ${url.pathname}; the operations are:\n${known.join("\n")}`);
  }

  const fields: Record<string, unknown> = {};
  for (const field of (options.field as string[] | undefined) ?? []) {
    const [key, value] = split(field, "--field");
    setField(fields, key, typed(value));
  }
  for (const field of (options.rawField as string[] | undefined) ?? []) {
    const [key, value] = split(field, "--raw-field");
    setField(fields, key, value);
  }
  const inQuery = method === "GET" || method === "DELETE";
  if (inQuery && options.input !== undefined) throw new UsageError(`--input is a request body; a ${method} sends none (use --field for its query)`);
  const query: Record<string, unknown> = Object.fromEntries(url.searchParams);
  let body: unknown = options.input !== undefined ? await readInput(options.input, session) : undefined;
  if (inQuery) {
    Object.assign(query, fields);
  } else if (Object.keys(fields).length) {
    if (body !== undefined && (body === null || typeof body !== "object" || Array.isArray(body))) throw new UsageError("--field adds to an --input object; this --input is not one");
    body = { ...((body as Record<string, unknown>) ?? {}), ...fields };
  }

  const validation = operation.validation as { path?: never; query?: { properties?: Record<string, { type?: unknown }> } };
  const path = pathParams(operation.path, url.pathname);
  // --mock: the GitBook organization in the path is the twin's own.
  const raw = await rawClient(provider, session, options, { organizationId: path.organizationId });
  const jsonAnswer = operation.responseMediaTypes.every(isJson);
  const { data, error, response } = await raw[method](operation.path, {
    params: { ...(Object.keys(path).length ? { path } : {}), ...(Object.keys(query).length ? { query: coerce(query, validation.query) } : {}) },
    ...(body !== undefined ? { body } : {}),
    // openapi-fetch would JSON-parse a CSV or a zip: anything but JSON is read as bytes and written as it is.
    ...(jsonAnswer ? {} : { parseAs: "arrayBuffer" }),
    signal: session.signal,
  });
  session.debug(`${operation.operationId}: ${method} ${operation.path} → ${response.status}`);
  if (!response.ok) {
    const shown = error === undefined || error === "" ? "" : `${JSON.stringify(session.redactor.value(error), null, 2)}\n`;
    session.io.stdout.write(shown);
    session.error(`${operation.operationId} (${method} ${url.pathname}) answered ${response.status} ${response.statusText}`.trimEnd());
    return EXIT.failure;
  }
  if (data instanceof ArrayBuffer) {
    const type = response.headers.get("content-type");
    if (isJson(type)) session.io.stdout.write(`${JSON.stringify(session.redactor.value(JSON.parse(new TextDecoder().decode(data))), null, 2)}\n`);
    else session.io.stdout.write(new Uint8Array(data));
    return EXIT.ok;
  }
  session.io.stdout.write(data === undefined ? "" : `${JSON.stringify(session.redactor.value(data), null, 2)}\n`);
  return EXIT.ok;
}
