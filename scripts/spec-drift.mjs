#!/usr/bin/env node
// `pnpm spec:drift [provider…] [--json]`: compares each curated spec with the vendor's own published
// document and prints every difference, classified, each marked as explained (listed with its reason in
// `specs/<provider>/known-differences.yaml`) or not. Exits 1 when a difference is unexplained or a listed
// one no longer occurs, so that bumping a pinned vendor version shows exactly what changed.
//
// What is compared: operations (method + path), operationIds, tags, parameters (in, name, required, style,
// explode, schema), request bodies (required, media types, schemas), responses (status codes, media types,
// schemas, headers), each operation's effective security, the security schemes it uses, and the servers.
// Schemas are compared after dereferencing and canonicalising (see `canonical`), so naming a component
// differently or writing `nullable: true` the 3.1 way is no difference. Prose (summaries, descriptions),
// examples and `x-` extensions are not compared: they are ours to write.
//
// A provider takes part when its known-differences file has a `vendor` section: either an npm package
// pinned to an exact version (`package`, `version`, `file`; the version must also be the one installed) or a
// snapshot committed beside the spec (`snapshot`), plus the vendor `paths` to cut out of it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse } from "yaml";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
/** Keywords that say nothing about what a message may contain: never compared. */
const ANNOTATIONS = new Set(["description", "title", "summary", "example", "examples", "externalDocs", "$comment", "xml"]);

/** The providers that have a vendor document to compare with (those whose known-differences file names one). */
export function driftProviders(root = ROOT) {
  return readdirSync(join(root, "specs")).filter((name) => existsSync(knownFile(root, name))).sort();
}

function knownFile(root, provider) {
  return join(root, "specs", provider, "known-differences.yaml");
}

/**
 * The known-differences file: `vendor` (where the vendor's document is) and `differences`, each with an `id` (one
 * difference) or a `match` (a glob, or a list of globs, with `*` for any run of characters) and its `reason`.
 */
export function loadKnown(root, provider) {
  const known = parse(readFileSync(knownFile(root, provider), "utf8"));
  if (!known?.vendor) throw new Error(`${knownFile(root, provider)}: no vendor section`);
  for (const [index, entry] of (known.differences ?? []).entries()) {
    if ((!entry.id && !entry.match) || typeof entry.reason !== "string" || entry.reason.trim() === "") {
      throw new Error(`${knownFile(root, provider)}: difference #${index + 1} needs an id (or a match) and a reason`);
    }
  }
  return known;
}

/** The vendor's document, cut down to the configured paths and everything they reference. */
export function loadVendor(root, provider, vendor) {
  let document;
  if (vendor.package) {
    const packageDir = join(root, "node_modules", ...vendor.package.split("/"));
    const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
    if (manifest.version !== vendor.version) {
      throw new Error(
        `${provider}: ${vendor.package} ${manifest.version} is installed, but known-differences.yaml pins ${vendor.version}. ` +
          `Pin the same exact version in package.json and in the file, then review the drift.`,
      );
    }
    document = JSON.parse(readFileSync(join(packageDir, vendor.file), "utf8"));
  } else if (vendor.snapshot) {
    document = JSON.parse(readFileSync(join(root, "specs", provider, vendor.snapshot), "utf8"));
  } else {
    throw new Error(`${provider}: the vendor section needs a package or a snapshot`);
  }
  return cutPaths(document, vendor.paths);
}

/** A copy of `document` with only `paths` and the components they reach, transitively. */
export function cutPaths(document, paths) {
  const cut = { ...document, paths: {}, components: {} };
  for (const path of paths) {
    if (!document.paths?.[path]) throw new Error(`the vendor document has no path ${path}`);
    cut.paths[path] = document.paths[path];
  }
  const pending = [cut.paths];
  const seen = new Set();
  while (pending.length) {
    const node = pending.pop();
    if (Array.isArray(node)) pending.push(...node);
    else if (node && typeof node === "object") {
      if (typeof node.$ref === "string" && node.$ref.startsWith("#/components/") && !seen.has(node.$ref)) {
        seen.add(node.$ref);
        const [, , kind, ...rest] = node.$ref.split("/");
        const name = rest.join("/").replaceAll("~1", "/").replaceAll("~0", "~");
        const target = document.components?.[kind]?.[name];
        if (target === undefined) throw new Error(`unresolved ${node.$ref}`);
        (cut.components[kind] ??= {})[name] = target;
        pending.push(target);
      }
      for (const value of Object.values(node)) pending.push(value);
    }
  }
  // The security schemes the cut's operations use.
  const schemes = new Set();
  for (const item of Object.values(cut.paths)) {
    for (const method of METHODS) {
      for (const requirement of item[method]?.security ?? document.security ?? []) for (const name of Object.keys(requirement)) schemes.add(name);
    }
  }
  for (const name of schemes) {
    const scheme = document.components?.securitySchemes?.[name];
    if (scheme) (cut.components.securitySchemes ??= {})[name] = scheme;
  }
  return cut;
}

function resolve(document, ref) {
  if (!ref.startsWith("#/")) throw new Error(`only local $refs are supported, got ${ref}`);
  const target = ref
    .slice(2)
    .split("/")
    .reduce((node, key) => node?.[key.replaceAll("~1", "/").replaceAll("~0", "~")], document);
  if (target === undefined) throw new Error(`unresolved ${ref}`);
  return target;
}

/** A Parameter, Request Body, Response or Header object with its $ref followed. */
function deref(document, node) {
  let current = node;
  for (let hops = 0; current?.$ref && hops < 20; hops++) current = resolve(document, current.$ref);
  return current;
}

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
const stable = (value) =>
  Array.isArray(value)
    ? `[${value.map(stable).join(",")}]`
    : isObject(value)
      ? `{${Object.keys(value)
          .sort()
          .map((key) => `${JSON.stringify(key)}:${stable(value[key])}`)
          .join(",")}}`
      : JSON.stringify(value);

/**
 * A schema in a form where equal meaning is equal structure: $refs inlined, annotations and `x-` dropped,
 * OpenAPI 3.0's `nullable` written as a `null` type, `type` always a sorted list, `allOf` members without
 * property limits merged into their parent, a lone `unevaluatedProperties: false` written as
 * `additionalProperties: false`, `anyOf [X, null]` folded into X, and enum/required/type/alternatives sorted.
 */
export function canonical(document, schema, stack = []) {
  if (typeof schema === "boolean" || !isObject(schema)) return schema;
  if (typeof schema.$ref === "string") {
    if (stack.includes(schema.$ref)) return { $recursive: schema.$ref };
    const { $ref, ...siblings } = schema;
    return canonical(document, { ...resolve(document, $ref), ...siblings }, [...stack, $ref]);
  }
  let out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(key) || key.startsWith("x-") || key === "nullable") continue;
    if (key === "properties" || key === "patternProperties" || key === "$defs") {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, item]) => [name, canonical(document, item, stack)]));
    } else if (["items", "additionalProperties", "unevaluatedProperties", "not", "contains", "propertyNames", "if", "then", "else"].includes(key)) {
      out[key] = canonical(document, value, stack);
    } else if (key === "allOf" || key === "anyOf" || key === "oneOf" || key === "prefixItems") {
      out[key] = value.map((item) => canonical(document, item, stack));
    } else out[key] = value;
  }
  if (out.type !== undefined) out.type = [...new Set([out.type].flat())].sort();
  out = mergeAllOf(out);
  if (schema.nullable === true) out = withNull(out);
  if (out.anyOf) out = foldNullAlternative(out);
  if (out.unevaluatedProperties === false && !out.allOf && !out.anyOf && !out.oneOf && out.additionalProperties === undefined) {
    delete out.unevaluatedProperties;
    out.additionalProperties = false;
  }
  if (Array.isArray(out.enum)) out.enum = [...out.enum].sort((a, b) => stable(a).localeCompare(stable(b)));
  if (Array.isArray(out.required)) out.required = [...new Set(out.required)].sort();
  for (const key of ["anyOf", "oneOf", "allOf"]) if (out[key]) out[key] = [...out[key]].sort((a, b) => stable(a).localeCompare(stable(b)));
  // The empty schema accepts anything, like `true`.
  return Object.keys(out).length === 0 ? true : out;
}

function withNull(schema) {
  if (schema.type) return { ...schema, type: [...new Set([...schema.type, "null"])].sort(), ...(schema.enum ? { enum: [...schema.enum, null] } : {}) };
  return { anyOf: [schema, { type: ["null"] }] };
}

/** `anyOf: [X, {type: null}]` is X that may also be null. */
function foldNullAlternative(schema) {
  const isNull = (s) => isObject(s) && Object.keys(s).length === 1 && stable(s.type) === '["null"]';
  const others = schema.anyOf.filter((s) => !isNull(s));
  if (others.length !== 1 || others.length === schema.anyOf.length) return schema;
  const { anyOf, ...rest } = schema;
  const [only] = others;
  if (only.type && !only.anyOf && !only.oneOf && Object.keys(rest).every((key) => !(key in only))) return { ...withNull(only), ...rest };
  return schema;
}

/**
 * Merges `allOf` members into their parent when nothing in them depends on which object declared what: a
 * lone member (`allOf: [$ref]`, OpenAPI 3.0's way to put siblings beside a $ref), or members that set no
 * `additionalProperties`/`unevaluatedProperties` of their own.
 */
function mergeAllOf(schema) {
  if (!schema.allOf) return schema;
  const parts = schema.allOf;
  const limits = (s) => s.additionalProperties !== undefined || s.unevaluatedProperties !== undefined;
  if (parts.length === 1 && isObject(parts[0]) && !parts[0].$recursive) {
    const { allOf, ...rest } = schema;
    const [only] = parts;
    if (Object.keys(rest).every((key) => !(key in only) || stable(rest[key]) === stable(only[key]))) return { ...only, ...rest };
  }
  if (parts.some((part) => !isObject(part) || limits(part) || part.$recursive)) return schema;
  const { allOf, ...merged } = schema;
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      if (key === "properties") {
        merged.properties ??= {};
        for (const [name, item] of Object.entries(value)) {
          merged.properties[name] = name in merged.properties ? { allOf: [merged.properties[name], item] } : item;
        }
      } else if (key === "required") merged.required = [...new Set([...(merged.required ?? []), ...value])].sort();
      else if (key === "type") {
        merged.type = merged.type ? merged.type.filter((t) => value.includes(t)) : value;
      } else if (key in merged && stable(merged[key]) !== stable(value)) return schema;
      else merged[key] = value;
    }
  }
  return merged;
}

/** Every difference between two canonical schemas, as `pointer: detail` lines. */
export function schemaDifferences(ours, vendor, pointer = "") {
  if (stable(ours) === stable(vendor)) return [];
  if (!isObject(ours) || !isObject(vendor)) return [`${pointer || "/"}: ${show(vendor)} → ${show(ours)}`];
  const out = [];
  for (const key of [...new Set([...Object.keys(vendor), ...Object.keys(ours)])].sort()) {
    const at = `${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
    if (!(key in ours)) out.push(`${at}: missing (vendor: ${show(vendor[key])})`);
    else if (!(key in vendor)) out.push(`${at}: added (${show(ours[key])})`);
    else if (["enum", "required", "type"].includes(key) && Array.isArray(ours[key]) && Array.isArray(vendor[key])) {
      const theirs = new Set(vendor[key].map(stable));
      const mine = new Set(ours[key].map(stable));
      for (const item of ours[key]) if (!theirs.has(stable(item))) out.push(`${at}: adds ${show(item)}`);
      for (const item of vendor[key]) if (!mine.has(stable(item))) out.push(`${at}: drops ${show(item)}`);
    } else if (isObject(ours[key]) && isObject(vendor[key])) out.push(...schemaDifferences(ours[key], vendor[key], at));
    else if (stable(ours[key]) !== stable(vendor[key])) out.push(`${at}: ${show(vendor[key])} → ${show(ours[key])}`);
  }
  return out;
}

function show(value) {
  const text = stable(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/**
 * Every difference between our document and the vendor's (both whole documents; pass the vendor's cut).
 * Each is `{ kind, id, detail? }`; `id` is what a known-differences entry names.
 */
export function compare(ours, vendor) {
  const out = [];
  const add = (kind, where, detail) => out.push({ kind, id: detail ? `${kind} ${where}: ${detail}` : `${kind} ${where}` });

  const servers = (doc) => (doc.servers ?? []).map((s) => stable({ url: s.url, variables: Object.fromEntries(Object.entries(s.variables ?? {}).map(([k, v]) => [k, { default: v.default, enum: v.enum }])) }));
  const ourServers = servers(ours);
  const vendorServers = servers(vendor);
  for (const server of ourServers) if (!vendorServers.includes(server)) add("server-added", JSON.parse(server).url);
  for (const server of vendorServers) if (!ourServers.includes(server)) add("server-missing", JSON.parse(server).url);

  const operations = (doc) => {
    const map = new Map();
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const method of METHODS) if (item?.[method]) map.set(`${method.toUpperCase()} ${path}`, { path, item, operation: item[method] });
    }
    return map;
  };
  const ourOperations = operations(ours);
  const vendorOperations = operations(vendor);
  for (const key of ourOperations.keys()) if (!vendorOperations.has(key)) add("operation-added", key);
  for (const key of vendorOperations.keys()) if (!ourOperations.has(key)) add("operation-missing", key);

  const usedSchemes = new Set();
  for (const [key, mine] of ourOperations) {
    const theirs = vendorOperations.get(key);
    if (!theirs) continue;
    const a = mine.operation;
    const b = theirs.operation;
    if ((a.operationId ?? null) !== (b.operationId ?? null)) add("operationId-changed", key, `${b.operationId ?? "(none)"} → ${a.operationId ?? "(none)"}`);
    if (stable([...(a.tags ?? [])].sort()) !== stable([...(b.tags ?? [])].sort())) add("tags-changed", key, `${show(b.tags ?? [])} → ${show(a.tags ?? [])}`);

    const security = (doc, op) => (op.security ?? doc.security ?? []).map((req) => stable(Object.fromEntries(Object.entries(req).map(([k, v]) => [k, [...v].sort()])))).sort();
    for (const req of [...security(ours, a), ...security(vendor, b)]) for (const name of Object.keys(JSON.parse(req))) usedSchemes.add(name);
    if (stable(security(ours, a)) !== stable(security(vendor, b))) add("security-changed", key, `${security(vendor, b).join(" | ")} → ${security(ours, a).join(" | ")}`);

    const parameters = (doc, entry) => {
      const map = new Map();
      for (const p of [...(entry.item.parameters ?? []), ...(entry.operation.parameters ?? [])]) {
        const resolved = deref(doc, p);
        map.set(`${resolved.in} ${resolved.name}`, resolved);
      }
      return map;
    };
    const ourParameters = parameters(ours, mine);
    const vendorParameters = parameters(vendor, theirs);
    for (const name of ourParameters.keys()) if (!vendorParameters.has(name)) add("parameter-added", key, name);
    for (const name of vendorParameters.keys()) if (!ourParameters.has(name)) add("parameter-missing", key, name);
    for (const [name, p] of ourParameters) {
      const q = vendorParameters.get(name);
      if (!q) continue;
      for (const field of ["required", "style", "explode", "allowReserved"]) {
        if ((p[field] ?? null) !== (q[field] ?? null)) add("parameter-changed", key, `${name} ${field}: ${show(q[field] ?? null)} → ${show(p[field] ?? null)}`);
      }
      for (const line of schemaDifferences(canonical(ours, p.schema ?? {}), canonical(vendor, q.schema ?? {}))) add("parameter-schema-changed", key, `${name} ${line}`);
    }

    const bodyA = a.requestBody && deref(ours, a.requestBody);
    const bodyB = b.requestBody && deref(vendor, b.requestBody);
    if (bodyA && !bodyB) add("request-body-added", key);
    if (!bodyA && bodyB) add("request-body-missing", key);
    if (bodyA && bodyB) {
      if ((bodyA.required ?? false) !== (bodyB.required ?? false)) add("request-body-changed", key, `required: ${bodyB.required ?? false} → ${bodyA.required ?? false}`);
      compareContent(key, "request", bodyA.content, bodyB.content);
    }

    const responsesA = a.responses ?? {};
    const responsesB = b.responses ?? {};
    for (const code of Object.keys(responsesA)) if (!(code in responsesB)) add("response-added", key, code);
    for (const code of Object.keys(responsesB)) if (!(code in responsesA)) add("response-missing", key, code);
    for (const code of Object.keys(responsesA)) {
      if (!(code in responsesB)) continue;
      const ra = deref(ours, responsesA[code]);
      const rb = deref(vendor, responsesB[code]);
      compareContent(key, code, ra.content, rb.content);
      const headersA = Object.fromEntries(Object.entries(ra.headers ?? {}).map(([n, h]) => [n.toLowerCase(), deref(ours, h)]));
      const headersB = Object.fromEntries(Object.entries(rb.headers ?? {}).map(([n, h]) => [n.toLowerCase(), deref(vendor, h)]));
      compareSchemasByName(key, code, headersA, headersB, ["header-added", "header-missing", "header-schema-changed"]);
    }
  }

  function compareContent(key, where, contentA = {}, contentB = {}) {
    compareSchemasByName(key, where, contentA, contentB, ["media-type-added", "media-type-missing", "schema-changed"]);
  }

  /** Entries (headers, media types) by name, each holding a `schema`: names on one side only, then schema changes. */
  function compareSchemasByName(key, where, entriesA, entriesB, [added, missing, changed]) {
    for (const name of Object.keys(entriesA)) if (!(name in entriesB)) add(added, key, `${where} ${name}`);
    for (const name of Object.keys(entriesB)) if (!(name in entriesA)) add(missing, key, `${where} ${name}`);
    for (const name of Object.keys(entriesA)) {
      if (!(name in entriesB)) continue;
      for (const line of schemaDifferences(canonical(ours, entriesA[name].schema ?? {}), canonical(vendor, entriesB[name].schema ?? {}))) {
        add(changed, key, `${where} ${name} ${line}`);
      }
    }
  }

  for (const name of [...usedSchemes].sort()) {
    const a = ours.components?.securitySchemes?.[name];
    const b = vendor.components?.securitySchemes?.[name];
    if (a && !b) add("security-scheme-added", name);
    else if (!a && b) add("security-scheme-missing", name);
    else if (a && b) for (const line of schemaDifferences(canonical(ours, a), canonical(vendor, b))) add("security-scheme-changed", name, line);
  }
  return out;
}

/** Glob with `*` (any run of characters) against a whole id. */
function globMatches(pattern, id) {
  const regex = new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "s");
  return regex.test(id);
}

/** Splits differences into explained and unexplained; `stale` are known entries that match nothing any more. */
export function explain(differences, known) {
  const entries = (known ?? []).map((entry) => ({ ...entry, used: 0 }));
  const explained = [];
  const unexplained = [];
  for (const difference of differences) {
    const entry = entries.find((e) => (e.id ? e.id === difference.id : [e.match].flat().some((pattern) => globMatches(pattern, difference.id))));
    if (entry) {
      entry.used++;
      explained.push({ ...difference, reason: entry.reason });
    } else unexplained.push(difference);
  }
  const stale = entries.filter((e) => e.used === 0).map(({ used, ...entry }) => entry);
  return { explained, unexplained, stale };
}

/** The whole check for one provider. `overrides.spec` / `overrides.vendorDocument` let a test try a variation. */
export function drift(provider, { root = ROOT, spec, vendorDocument } = {}) {
  const known = loadKnown(root, provider);
  const ours = parse(readFileSync(spec ?? join(root, "specs", provider, "openapi.yaml"), "utf8"));
  const vendor = vendorDocument ? cutPaths(vendorDocument, known.vendor.paths) : loadVendor(root, provider, known.vendor);
  const differences = compare(ours, vendor);
  return { provider, vendor: describeVendor(known.vendor), differences, ...explain(differences, known.differences) };
}

function describeVendor(vendor) {
  return vendor.package ? `${vendor.package}@${vendor.version} ${vendor.file}` : `${vendor.snapshot} (${vendor.captured ?? "undated"})`;
}

function main(argv) {
  const json = argv.includes("--json");
  const chosen = argv.filter((a) => !a.startsWith("--"));
  const results = (chosen.length ? chosen : driftProviders()).map((provider) => drift(provider));
  if (json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    for (const result of results) {
      process.stdout.write(`\n${result.provider} vs ${result.vendor}: ${result.differences.length} differences, ${result.unexplained.length} unexplained\n`);
      const byKind = new Map();
      for (const d of [...result.explained, ...result.unexplained]) byKind.set(d.kind, [...(byKind.get(d.kind) ?? []), d]);
      for (const [kind, items] of [...byKind].sort(([a], [b]) => a.localeCompare(b))) {
        process.stdout.write(`  ${kind} (${items.length})\n`);
        for (const d of items) process.stdout.write(`    ${d.reason ? "  " : "✖ "}${d.id.slice(kind.length + 1)}${d.reason ? "" : "   ← not in known-differences.yaml"}\n`);
      }
      for (const entry of result.stale) process.stdout.write(`  ✖ stale known difference (matches nothing): ${entry.id ?? entry.match}\n`);
    }
  }
  const failing = results.filter((r) => r.unexplained.length || r.stale.length);
  if (failing.length) {
    process.stderr.write(
      `\n✖ spec drift: ${failing.map((r) => `${r.provider} (${r.unexplained.length} unexplained, ${r.stale.length} stale)`).join(", ")}. ` +
        `Fix the spec, or list the difference with its reason in specs/<provider>/known-differences.yaml.\n`,
    );
    return 1;
  }
  process.stdout.write(`\nspec drift: every difference is explained (${results.map((r) => `${r.provider} ${r.differences.length}`).join(", ")})\n`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) process.exitCode = main(process.argv.slice(2));
