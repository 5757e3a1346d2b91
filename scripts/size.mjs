#!/usr/bin/env node
// Size budgets of the clients in a browser: each entry of test/size/budgets.json is bundled with esbuild as a web
// app would (--bundle --platform=browser --format=esm --minify, from the packages' built dist/, resolved by package
// name), then gzipped (level 9). Fails when
//   - the bundle imports a Node built-in (`node:*`, or a bare `fs`, `http`…): a browser bundle must not need one,
//     except those an entry lists in `knownNodeImports` (a list that may only shrink: a listed import that is gone
//     fails too, so the list is kept honest);
//   - its min+gzip size is over the entry's `budget` (bytes; `null` = not set yet, only printed).
// Prints each size beside the reference figure of the file (the official SDK's, for comparison).
//   node scripts/size.mjs [--budgets test/size/budgets.json] [--no-build]
// It runs the one build first (incremental: ~0.5 s when nothing changed) unless told not to (`pnpm test` builds
// just before).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const budgetsFile = resolve(args.includes("--budgets") ? args[args.indexOf("--budgets") + 1] : join(root, "test", "size", "budgets.json"));
const { reference, entries } = JSON.parse(readFileSync(budgetsFile, "utf8"));

const builtins = new Set(builtinModules.filter((name) => !name.startsWith("_")));
const isBuiltin = (path) => path.startsWith("node:") || builtins.has(path) || builtins.has(path.split("/")[0]);

/**
 * Bundles one entry; the Node built-ins it reaches are recorded (with who imports them) and left external.
 * Dynamic `import()`s become chunks of their own, as every web bundler makes them (Vite/Rollup, webpack, esbuild with
 * splitting): `initial` is what the page loads for the flow (the entry and the chunks it imports statically), `lazy`
 * what is fetched only when used (e.g. openapi-fetch, loaded on the first `raw` call). Sizes are min+gzip per file,
 * summed, as a browser fetches them.
 */
export async function measure(entry) {
  const nodeImports = new Map();
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    splitting: true,
    outdir: "/size-out",
    metafile: true,
    platform: "browser",
    format: "esm",
    minify: true,
    write: false,
    logLevel: "silent",
    plugins: [
      {
        name: "record-node-builtins",
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === "entry-point" || !isBuiltin(args.path)) return undefined;
            const name = args.path.startsWith("node:") ? args.path : `node:${args.path}`;
            if (!nodeImports.has(name)) nodeImports.set(name, new Set());
            nodeImports.get(name).add(relative(root, args.importer).replaceAll("\\", "/"));
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  // Output names are unique within the one output directory: the metafile's (relative) and the files' (absolute) meet
  // on them.
  const files = new Map(result.outputFiles.map((file) => [basename(file.path), file.contents]));
  const outputs = result.metafile.outputs;
  const entryFile = Object.keys(outputs).find((name) => outputs[name].entryPoint);
  const initial = new Set();
  const visit = (name) => {
    if (initial.has(name)) return;
    initial.add(name);
    for (const imported of outputs[name].imports) if (imported.kind === "import-statement" && !imported.external) visit(imported.path);
  };
  visit(entryFile);
  const size = (names) => {
    let minified = 0;
    let gzipped = 0;
    for (const name of names) {
      const code = files.get(basename(name));
      minified += code.byteLength;
      gzipped += gzipSync(code, { level: 9 }).byteLength;
    }
    return { minified, gzipped };
  };
  const lazy = size(Object.keys(outputs).filter((name) => !initial.has(name) && !name.endsWith(".map")));
  return { ...size(initial), lazy, nodeImports };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!args.includes("--no-build")) {
    const built = spawnSync(process.execPath, [join(root, "scripts", "build.mjs"), "--quiet"], { stdio: "inherit" });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
  const problems = [];
  const rows = [];
  for (const [name, { entry, budget, knownNodeImports = [] }] of Object.entries(entries)) {
    const file = resolve(dirname(budgetsFile), entry);
    let size;
    try {
      size = await measure(file);
    } catch (error) {
      problems.push(`${name}: esbuild failed on ${relative(root, file)}:\n${error.message}`);
      continue;
    }
    const found = [...size.nodeImports.keys()].sort();
    for (const module of found.filter((m) => !knownNodeImports.includes(m))) {
      problems.push(`${name}: the browser bundle imports ${module} (from ${[...size.nodeImports.get(module)].join(", ")})`);
    }
    for (const module of knownNodeImports.filter((m) => !found.includes(m))) {
      problems.push(`${name}: ${module} is no longer imported: remove it from knownNodeImports in ${relative(root, budgetsFile)}`);
    }
    if (typeof budget === "number" && size.gzipped > budget) problems.push(`${name}: ${size.gzipped} B min+gzip, over its budget of ${budget} B`);
    rows.push(
      `${name.padEnd(12)} ${String(size.gzipped).padStart(7)} B min+gzip  ${String(size.minified).padStart(8)} B min   budget ${typeof budget === "number" ? `${budget} B` : "not set"}` +
        `   (+ ${size.lazy.gzipped} B loaded only when used)` +
        (found.length ? `   Node built-ins: ${found.join(", ")}${found.every((m) => knownNodeImports.includes(m)) ? " (known)" : ""}` : ""),
    );
  }
  for (const row of rows) console.log(row);
  if (reference) console.log(`${"reference".padEnd(12)} ${String(reference.bytes).padStart(7)} B min+gzip  ${reference.name}`);
  if (problems.length) {
    for (const problem of problems) console.error(`✖ ${problem}`);
    process.exit(1);
  }
}
