#!/usr/bin/env node
// Builds what users install:
//   1. every package (tsc, in dependency order), with the generated schema.d.ts copied beside its output
//      (tsc does not emit .d.ts inputs);
//   2. specs → packages/specs/dist/<provider>.{yaml,json} (redocly bundle);
//   3. specs → packages/specs/dist/docs/<provider>.html + index.html (redocly build-docs, scripts inlined so the
//      pages work offline).
// `--packages a,b` builds only those packages and what they depend on (used by `pnpm start`); `--no-docs` skips 3;
// `--specs-only` does only 2 and 3, and `--out <dir>` puts their output there instead of packages/specs/dist (the
// docs browser test builds fresh pages into a temporary folder this way).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
function optionValue(name) {
  const index = args.indexOf(name);
  if (index === -1) return undefined;
  const value = args[index + 1];
  if (!value || value.startsWith("--")) {
    console.error(`build: ${name} needs a value`);
    process.exit(2);
  }
  return value;
}
const specsOnly = args.includes("--specs-only");
const only = specsOnly ? ["specs"] : optionValue("--packages")?.split(",");
const out = optionValue("--out");
const withDocs = !args.includes("--no-docs") && (!only || specsOnly);
const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", SCARF_ANALYTICS: "false", CI: process.env.CI ?? "true" };
const bin = (name) => join(root, "node_modules", ".bin", name);

function run(cmd, argv, cwd = root) {
  const result = spawnSync(cmd, argv, { cwd, env, stdio: ["ignore", "inherit", "inherit"] });
  if (result.status !== 0) {
    console.error(`build failed: ${cmd} ${argv.join(" ")} (in ${cwd})`);
    process.exit(result.status ?? 1);
  }
}

// Workspace packages and their workspace dependencies, for a topological order.
const packages = new Map();
for (const dir of readdirSync(join(root, "packages"))) {
  const file = join(root, "packages", dir, "package.json");
  if (!existsSync(file) || !existsSync(join(root, "packages", dir, "src", "index.ts"))) continue;
  const pkg = JSON.parse(readFileSync(file, "utf8"));
  const deps = Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith("@importkit/")).map((d) => d.slice("@importkit/".length));
  packages.set(dir, deps);
}
const order = [];
const visit = (name, trail = []) => {
  if (order.includes(name) || !packages.has(name)) return;
  if (trail.includes(name)) throw new Error(`dependency cycle: ${[...trail, name].join(" → ")}`);
  for (const dep of packages.get(name)) visit(dep, [...trail, name]);
  order.push(name);
};
if (!specsOnly) for (const name of only ?? packages.keys()) visit(name);

for (const name of order) {
  const dir = join(root, "packages", name);
  run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], dir);
  const generated = join(dir, "src", "generated");
  if (existsSync(generated)) {
    mkdirSync(join(dir, "dist", "generated"), { recursive: true });
    for (const file of readdirSync(generated).filter((f) => f.endsWith(".d.ts"))) cpSync(join(generated, file), join(dir, "dist", "generated", file));
  }
}
if (!specsOnly) console.log(`built ${order.length} packages: ${order.join(", ")}`);

if (!only || only.includes("specs")) {
  const config = parse(readFileSync(join(root, "redocly.yaml"), "utf8"));
  const dist = out ? resolve(out) : join(root, "packages", "specs", "dist");
  const apis = Object.entries(config.apis).filter(([, api]) => existsSync(join(root, api.root)));
  for (const [name] of apis) {
    for (const ext of ["yaml", "json"]) run(bin("redocly"), ["bundle", name, "-o", join(dist, `${name}.${ext}`), "--ext", ext]);
  }
  if (withDocs) {
    for (const [name] of apis) {
      const page = join(dist, "docs", `${name}.html`);
      run(bin("redocly"), ["build-docs", join(dist, `${name}.yaml`), "--inlineBundle", "-o", page]);
      writeFileSync(page, withoutCdnLogo(readFileSync(page, "utf8"), page));
    }
    const links = apis
      .map(([name]) => {
        const info = parse(readFileSync(join(dist, `${name}.yaml`), "utf8")).info;
        return `<li><a href="./${name}.html">${escape(info.title)}</a> <small>${escape(info.version)}</small></li>`;
      })
      .join("\n      ");
    writeFileSync(
      join(dist, "docs", "index.html"),
      `<!doctype html>\n<html lang="en">\n  <head><meta charset="utf-8"><title>importkit API reference</title></head>\n  <body>\n    <h1>importkit API reference</h1>\n    <p>Reference pages of the hand-curated specs, readable offline.</p>\n    <ul>\n      ${links}\n    </ul>\n  </body>\n</html>\n`,
    );
    console.log(`docs: ${apis.length} pages + index in ${join(dist, "docs")}`);
  }
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
