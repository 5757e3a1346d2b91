#!/usr/bin/env node
// Packs every workspace package as `pnpm publish` would (`pnpm -r pack`: each package's prepack runs the one build
// first, so an unbuilt package never packs only its package.json) and checks what each tarball holds:
//   - every file its package.json points at (exports, bin, types), a README.md, a LICENSE, no build bookkeeping;
//   - its @importkit dependencies as exact versions, all packages at one version (one core per install);
//   - source maps only with their sources (inline or shipped);
//   - @importkit/specs: a YAML and a JSON bundle per spec; @importkit/docs: a page per spec and the index;
//   - neither @importkit/mock nor @importkit/cli pulls @importkit/docs (10 MB of HTML).
// Prints each tarball's packed and unpacked size. The tarballs stay in <out> for scripts/lint-packages.mjs and
// scripts/smoke.mjs.
//   node scripts/pack.mjs [--out tmp/packs]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { readTarball } from "./tarball.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const out = resolve(args.includes("--out") ? args[args.indexOf("--out") + 1] : join(root, "tmp", "packs"));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const packed = spawnSync("pnpm", ["-r", "pack", "--pack-destination", out], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
if (packed.status !== 0) {
  process.stderr.write(packed.stdout + packed.stderr);
  console.error("pack: pnpm -r pack failed");
  process.exit(1);
}

const workspace = readdirSync(join(root, "packages"))
  .filter((dir) => existsSync(join(root, "packages", dir, "package.json")))
  .map((dir) => JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8")))
  .filter((pkg) => !pkg.private);
const apis = Object.keys(parse(readFileSync(join(root, "redocly.yaml"), "utf8")).apis);
const license = readFileSync(join(root, "LICENSE"), "utf8");

const problems = [];
const tarballs = new Map();
for (const file of readdirSync(out).filter((f) => f.endsWith(".tgz"))) {
  const path = join(out, file);
  const files = readTarball(readFileSync(path));
  const manifest = JSON.parse(files.get("package.json").toString("utf8"));
  tarballs.set(manifest.name, { file, path, files, manifest, size: statSync(path).size });
}
for (const pkg of workspace) if (!tarballs.has(pkg.name)) problems.push(`${pkg.name}: no tarball`);

const versions = new Set([...tarballs.values()].map((t) => t.manifest.version));
if (versions.size > 1) problems.push(`the packages are at different versions (${[...versions].join(", ")}): the changesets "fixed" group keeps them at one`);

for (const { manifest, files } of tarballs.values()) {
  const name = manifest.name;
  const say = (problem) => problems.push(`${name}: ${problem}`);
  const has = (target) => files.has(target.replace(/^\.\//, ""));

  for (const [dep, range] of Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies })) {
    if (/^(workspace|catalog|link|file):/.test(range)) say(`dependency ${dep} is "${range}" in the tarball`);
    if (dep.startsWith("@importkit/") && range !== manifest.version) say(`depends on ${dep} "${range}", not exactly ${manifest.version}: two providers could load two cores`);
  }

  // Every file the manifest names. `importkit-source` points at the TypeScript sources for the workspace's own
  // typecheck and is never resolved by a consumer (no consumer sets that condition), so it is not shipped.
  for (const [subpath, target] of exportTargets(manifest.exports)) {
    if (target.includes("*")) {
      const pattern = new RegExp(`^${target.replace(/^\.\//, "").split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".+")}$`);
      if (![...files.keys()].some((f) => pattern.test(f))) say(`exports["${subpath}"] → ${target} matches no file`);
    } else if (!has(target)) say(`exports["${subpath}"] → ${target} is not in the tarball`);
  }
  for (const target of Object.values(typeof manifest.bin === "string" ? { [name]: manifest.bin } : (manifest.bin ?? {}))) {
    if (!has(target)) say(`bin ${target} is not in the tarball`);
  }
  for (const field of ["main", "module", "types", "typings"]) if (manifest[field] && !has(manifest[field])) say(`${field} ${manifest[field]} is not in the tarball`);

  if (files.get("LICENSE")?.toString("utf8") !== license) say("LICENSE missing or different from the repository's");
  for (const file of files.keys()) if (/(^|\/)\.(tsbuildinfo|build-stamp)$/.test(file) || file.endsWith(".tsbuildinfo")) say(`ships build bookkeeping ${file}`);

  for (const [file, data] of files) {
    if (!file.endsWith(".map")) continue;
    const map = JSON.parse(data.toString("utf8"));
    const dir = file.split("/").slice(0, -1);
    map.sources?.forEach((source, i) => {
      if (map.sourcesContent?.[i] != null) return;
      const resolved = normalize([...dir, ...(map.sourceRoot ? [map.sourceRoot] : []), ...source.split("/")]);
      if (!files.has(resolved)) say(`${file} points at ${source}, which is neither shipped nor inlined`);
    });
  }
}

const specs = tarballs.get("@importkit/specs");
if (specs) for (const api of apis) for (const ext of ["yaml", "json"]) if (!specs.files.has(`dist/${api}.${ext}`)) problems.push(`@importkit/specs: dist/${api}.${ext} missing`);
const docs = tarballs.get("@importkit/docs");
if (docs) for (const page of [...apis, "index"]) if (!docs.files.has(`dist/${page}.html`)) problems.push(`@importkit/docs: dist/${page}.html missing`);
for (const name of ["@importkit/mock", "@importkit/cli"]) {
  const closure = dependencyClosure(name);
  if (closure.includes("@importkit/docs")) problems.push(`${name} depends on @importkit/docs (through ${closure.join(", ")}): its users would download the HTML pages`);
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
console.log("package                  packed     unpacked   files");
for (const t of [...tarballs.values()].sort((a, b) => a.manifest.name.localeCompare(b.manifest.name))) {
  const unpacked = [...t.files.values()].reduce((sum, data) => sum + data.length, 0);
  console.log(`${t.manifest.name.padEnd(24)} ${kb(t.size).padStart(9)}  ${kb(unpacked).padStart(9)}  ${String(t.files.size).padStart(5)}`);
}
// Every package is documented where npm shows it (its README is also in its package.json `files`).
for (const t of tarballs.values()) if (!t.files.has("README.md")) problems.push(`${t.manifest.name}: no README.md in the tarball`);

if (problems.length) {
  for (const problem of problems) console.error(`✖ ${problem}`);
  process.exit(1);
}
console.log(`${tarballs.size} tarballs in ${out}`);

function* exportTargets(exports, subpath = ".") {
  if (typeof exports === "string") yield [subpath, exports];
  else if (Array.isArray(exports)) for (const entry of exports) yield* exportTargets(entry, subpath);
  else if (exports && typeof exports === "object") {
    for (const [key, value] of Object.entries(exports)) {
      if (key === "importkit-source") continue;
      yield* exportTargets(value, key.startsWith(".") ? key : subpath);
    }
  }
}

function normalize(parts) {
  const stack = [];
  for (const part of parts) {
    if (part === "..") stack.pop();
    else if (part && part !== ".") stack.push(part);
  }
  return stack.join("/");
}

function dependencyClosure(name, seen = []) {
  const manifest = tarballs.get(name)?.manifest;
  for (const dep of Object.keys({ ...manifest?.dependencies, ...manifest?.peerDependencies })) {
    if (!dep.startsWith("@importkit/") || seen.includes(dep)) continue;
    seen.push(dep);
    dependencyClosure(dep, seen);
  }
  return seen;
}
