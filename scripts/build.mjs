#!/usr/bin/env node
// The one build: what `pnpm build`, each package's `prepack`, the tests of the shipped code (runtimes, browser, packed
// tarballs), the benchmarks and the size budgets all load. Every package is built whole, whoever asks:
//   1. TypeScript: one `tsc -b` over the packages' tsconfig.build.json (project references = the workspace
//      dependencies, checked below), incremental (dist/.tsbuildinfo), so an up-to-date tree costs ~1.5 s;
//      `.d.ts` inputs (the generated schema types) are copied beside the output first, as tsc never emits them;
//   2. @importkit/specs: specs → dist/<provider>.{yaml,json} (redocly bundle);
//   3. @importkit/docs: the bundles → dist/<provider>.html + index.html (redocly build-docs, scripts inlined so the
//      pages work offline).
// Steps 2 and 3 are skipped when their inputs (hashed into dist/.build-stamp) have not changed.
//   node scripts/build.mjs                      every package
//   node scripts/build.mjs --packages cli,docs  those packages and what they depend on (`pnpm start`, prepack)
// Concurrent builds (pnpm -r pack runs prepack two at a time; vitest files build before they load dist/) wait for
// each other on a lock instead of writing the same files at once.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
function optionValue(name) {
  const index = args.indexOf(name);
  if (index === -1) return undefined;
  const value = args[index + 1];
  if (!value || value.startsWith("--")) fail(`${name} needs a value`, 2);
  return value;
}
const quiet = args.includes("--quiet");
const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", SCARF_ANALYTICS: "false", CI: process.env.CI ?? "true" };
const bin = (name) => join(root, "node_modules", ".bin", name);
const log = (line) => quiet || console.log(line);

function fail(message, code = 1) {
  console.error(`build: ${message}`);
  process.exit(code);
}

function run(cmd, argv, cwd = root) {
  // Redocly prints a boxed Node 20 deprecation banner on every call; its output is kept for failures only.
  const result = spawnSync(cmd, argv, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    fail(`${relative(root, cmd) || cmd} ${argv.join(" ")} failed (in ${relative(root, cwd) || "."})`, result.status ?? 1);
  }
  return result;
}

// Workspace packages and their workspace dependencies.
const packages = new Map();
for (const dir of readdirSync(join(root, "packages"))) {
  const file = join(root, "packages", dir, "package.json");
  if (!existsSync(file)) continue;
  const pkg = JSON.parse(readFileSync(file, "utf8"));
  const deps = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })
    .filter((d) => d.startsWith("@importkit/"))
    .map((d) => d.slice("@importkit/".length));
  packages.set(dir, deps);
}

const only = optionValue("--packages")?.split(",");
for (const name of only ?? []) if (!packages.has(name)) fail(`unknown package "${name}" (there are: ${[...packages.keys()].join(", ")})`, 2);
const order = [];
const visit = (name, trail = []) => {
  if (order.includes(name)) return;
  if (trail.includes(name)) fail(`dependency cycle: ${[...trail, name].join(" → ")}`);
  for (const dep of packages.get(name)) visit(dep, [...trail, name]);
  order.push(name);
};
for (const name of only ?? packages.keys()) visit(name);

// tsc -b orders and invalidates by project references: they must be exactly the workspace dependencies, or a
// package would compile against a stale (or missing) build of one it imports.
for (const name of order) {
  const config = JSON.parse(readFileSync(join(root, "packages", name, "tsconfig.build.json"), "utf8"));
  const references = (config.references ?? []).map((r) => r.path.replace(/^\.\.\/([^/]+)\/tsconfig\.build\.json$/, "$1")).sort();
  const deps = [...packages.get(name)].sort();
  if (references.join() !== deps.join()) {
    fail(`packages/${name}/tsconfig.build.json references [${references}] but package.json depends on [${deps}]: make them the same`);
  }
}

const started = Date.now();
const releaseLock = acquireLock();
try {
  // 1. TypeScript.
  for (const name of order) copyDeclarationInputs(join(root, "packages", name));
  run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-b", ...order.map((name) => join("packages", name, "tsconfig.build.json"))]);

  // 2 and 3. What tsc does not make.
  const apis = apiNames();
  if (order.includes("specs")) {
    const dist = join(root, "packages", "specs", "dist");
    const inputs = [join(root, "redocly.yaml"), ...apis.flatMap((name) => filesUnder(dirname(apiRoot(name))))];
    whenChanged(dist, "bundles", inputs, apis.flatMap((name) => [`${name}.yaml`, `${name}.json`]), () => {
      for (const name of apis) {
        for (const ext of ["yaml", "json"]) run(bin("redocly"), ["bundle", name, "-o", join(dist, `${name}.${ext}`), "--ext", ext]);
      }
      log(`specs: ${apis.length} bundles (yaml, json) in packages/specs/dist`);
    });
  }
  if (order.includes("docs")) {
    const bundles = join(root, "packages", "specs", "dist");
    const dist = join(root, "packages", "docs", "dist");
    const inputs = [join(root, "redocly.yaml"), ...apis.map((name) => join(bundles, `${name}.yaml`))];
    whenChanged(dist, "pages", inputs, [...apis.map((name) => `${name}.html`), "index.html"], () => {
      for (const name of apis) {
        const page = join(dist, `${name}.html`);
        run(bin("redocly"), ["build-docs", join(bundles, `${name}.yaml`), "--inlineBundle", "-o", page]);
        writeFileSync(page, withoutCdnLogo(readFileSync(page, "utf8"), page));
      }
      writeFileSync(join(dist, "index.html"), indexPage(apis, bundles));
      log(`docs: ${apis.length} pages + index in packages/docs/dist`);
    });
  }
} finally {
  releaseLock();
}
log(`built ${order.join(", ")} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

/** tsc compiles `.d.ts` inputs but never emits them; the output's own `.d.ts` files import them by relative path. */
function copyDeclarationInputs(dir) {
  const src = join(dir, "src");
  for (const file of filesUnder(src).filter((f) => f.endsWith(".d.ts"))) {
    const target = join(dir, "dist", relative(src, file));
    if (existsSync(target) && readFileSync(target).equals(readFileSync(file))) continue;
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
  }
}

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function apiNames() {
  const config = parse(readFileSync(join(root, "redocly.yaml"), "utf8"));
  return Object.keys(config.apis).filter((name) => existsSync(apiRoot(name)));
}
function apiRoot(name) {
  return join(root, parse(readFileSync(join(root, "redocly.yaml"), "utf8")).apis[name].root);
}

/**
 * Runs `make` unless `outputs` exist and were made from the same `inputs` (their contents, this script, the redocly
 * version): a stamp per step in dist/.build-stamp.
 */
function whenChanged(dist, step, inputs, outputs, make) {
  const hash = createHash("sha256");
  const redocly = JSON.parse(readFileSync(join(root, "node_modules", "@redocly", "cli", "package.json"), "utf8")).version;
  hash.update(`redocly ${redocly}\n`).update(readFileSync(fileURLToPath(import.meta.url)));
  for (const file of inputs) hash.update(`\n${relative(root, file)}\n`).update(readFileSync(file));
  const digest = hash.digest("hex");
  const stampFile = join(dist, ".build-stamp");
  const stamps = existsSync(stampFile) ? JSON.parse(readFileSync(stampFile, "utf8")) : {};
  if (stamps[step] === digest && outputs.every((file) => existsSync(join(dist, file)))) return;
  mkdirSync(dist, { recursive: true });
  make();
  writeFileSync(stampFile, `${JSON.stringify({ ...stamps, [step]: digest }, null, 2)}\n`);
}

/** A lock directory holding the owner's pid; a lock whose owner died is taken over. */
function acquireLock() {
  const lock = join(root, "node_modules", ".cache", "importkit-build.lock");
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (let waited = false; ; waited = true) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      if (waited) log("build: lock acquired");
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
    let owner;
    try {
      owner = Number(readFileSync(join(lock, "pid"), "utf8"));
    } catch {
      // Just created, pid not written yet: wait below.
    }
    if (owner && !alive(owner)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    // A lock younger than its pid file, or an owner still building: wait.
    if (!waited) log(`build: waiting for another build (pid ${owner ?? "?"})`);
    if (Date.now() > deadline) fail(`gave up waiting for the build lock ${lock} (held by pid ${owner}); delete it if that process is gone`);
    if (!owner && Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 10_000) rmSync(lock, { recursive: true, force: true });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

function indexPage(apis, bundles) {
  const links = apis
    .map((name) => {
      const info = parse(readFileSync(join(bundles, `${name}.yaml`), "utf8")).info;
      return `<li><a href="./${name}.html">${escape(info.title)}</a> <small>${escape(info.version)}</small></li>`;
    })
    .join("\n      ");
  return `<!doctype html>\n<html lang="en">\n  <head><meta charset="utf-8"><title>importkit API reference</title></head>\n  <body>\n    <h1>importkit API reference</h1>\n    <p>Reference pages of the hand-curated specs, readable offline.</p>\n    <ul>\n      ${links}\n    </ul>\n  </body>\n</html>\n`;
}

/**
 * Redoc's "API docs by" badge loads Redocly's logo from its CDN on every page view: a request that leaves the
 * reader's machine (and fails offline). The logo becomes an inline image of the name; the badge's link stays.
 * test/docs-browser.test.ts fails on any request a page makes beyond its own origin.
 */
function withoutCdnLogo(html, page) {
  const logos = /https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini(?:-full)?\.svg/g;
  if (!logos.test(html)) {
    console.warn(`docs: ${page} no longer names Redocly's CDN logo; check the page for other outside requests`);
    return html;
  }
  // The name in plain text, at the logo's size (an SVG without a size would be drawn at 300 × 150).
  const svg = `<svg xmlns='http://www.w3.org/2000/svg' width='58' height='16'><text x='0' y='12' font-family='sans-serif' font-size='12' font-weight='600' fill='%23555'>Redocly</text></svg>`;
  return html.replace(logos, `data:image/svg+xml,${svg.replaceAll("<", "%3C").replaceAll(">", "%3E").replaceAll("'", "%27").replaceAll(" ", "%20")}`);
}

function escape(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}
