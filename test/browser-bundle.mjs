#!/usr/bin/env node
// Bundles modules for browsers as a web app's production build would, by esbuild and by Vite, from the packages as
// they ship (resolved by package name through their package.json `exports`, i.e. their built dist/): what
// test/browser-clients.test.ts loads into Chromium.
//   node test/browser-bundle.mjs <out dir> <name>=<entry file>...
// writes <out dir>/<bundler>/<name>/ (the entry as <name>.js and the chunks it imports by relative URLs) and prints
// one JSON object: for each "<bundler>/<name>", { entry, files, bytes, gzipped, problems }.
//
// A bundler that cannot make a browser bundle of the clients without help is a problem a user would meet, so every
// complaint is a problem:
//   - esbuild (`platform: "browser"`, ESM, code splitting, minified): an error such as `Could not resolve "node:fs"`,
//     or any warning;
//   - Vite (library build of the entry, ES format, its default browser target and resolve conditions): any warning
//     or error it logs, e.g. `Module "node:fs" has been externalized for browser compatibility`;
//   - either: an output file that still imports a `node:` module.
// Both split the lazily imported file helpers (core's `import("#files")`) off into a chunk of their own, as apps get.
//
// A process of its own, run without NODE_ENV as `vite build` is: under the test runner (NODE_ENV=test) Vite builds in
// development mode, where a `node:` import becomes a stub that throws only when used, without a warning.
// Kept apart from scripts/size.mjs, which measures the min+gzip budgets with its own esbuild settings (one file,
// Node built-ins recorded and left external so a size can still be read).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { build as viteBuild, createLogger } from "vite";

const root = fileURLToPath(new URL("..", import.meta.url));

async function withEsbuild(entry, name, outdir) {
  const problems = [];
  try {
    const result = await esbuild.build({
      entryPoints: { [name]: entry },
      absWorkingDir: root,
      bundle: true,
      platform: "browser",
      format: "esm",
      splitting: true,
      minify: true,
      outdir,
      logLevel: "silent",
    });
    problems.push(...(await esbuild.formatMessages(result.warnings, { kind: "warning" })));
  } catch (error) {
    if (!error.errors) throw error;
    problems.push(...(await esbuild.formatMessages(error.errors, { kind: "error" })));
  }
  return problems.map((message) => `esbuild: ${message.trim()}`);
}

async function withVite(entry, name, outdir) {
  const problems = [];
  const complain = (message) => void problems.push(`vite: ${String(message).trim()}`);
  // Vite reports rolldown's warnings (the externalized `node:` modules among them) through its logger.
  const logger = createLogger("warn", { allowClearScreen: false });
  logger.warn = complain;
  logger.warnOnce = complain;
  logger.error = complain;
  try {
    await viteBuild({
      configFile: false,
      root,
      envDir: false,
      publicDir: false,
      logLevel: "warn",
      customLogger: logger,
      build: {
        outDir: outdir,
        emptyOutDir: false,
        lib: { entry, formats: ["es"], fileName: name },
        minify: true,
        reportCompressedSize: false,
        copyPublicDir: false,
      },
    });
  } catch (error) {
    complain(error instanceof Error ? error.message : error);
  }
  return problems;
}

/** `node:` specifiers a file still imports (static, dynamic, or re-exported). */
function nodeImports(code) {
  const found = code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'`](node:[\w/]+)["'`]/g);
  return [...new Set([...found].map((m) => m[1]))];
}

const [outArg, ...entries] = process.argv.slice(2);
if (!outArg || entries.length === 0 || entries.some((e) => !e.includes("="))) {
  console.error("usage: node test/browser-bundle.mjs <out dir> <name>=<entry file>...");
  process.exit(2);
}
const out = resolve(outArg);
const report = {};
for (const [bundler, bundle] of [["esbuild", withEsbuild], ["vite", withVite]]) {
  for (const spec of entries) {
    const [name, entry] = [spec.slice(0, spec.indexOf("=")), resolve(spec.slice(spec.indexOf("=") + 1))];
    const outdir = join(out, bundler, name);
    rmSync(outdir, { recursive: true, force: true });
    mkdirSync(outdir, { recursive: true });
    const problems = await bundle(entry, name, outdir);
    const files = readdirSync(outdir).filter((file) => file.endsWith(".js"));
    let bytes = 0;
    let gzipped = 0;
    for (const file of files) {
      const code = readFileSync(join(outdir, file));
      bytes += code.byteLength;
      gzipped += gzipSync(code, { level: 9 }).byteLength;
      for (const specifier of nodeImports(code.toString("utf8"))) problems.push(`${bundler}: ${file} imports ${specifier}`);
    }
    report[`${bundler}/${name}`] = { entry: files.includes(`${name}.js`) ? `${name}.js` : undefined, files, bytes, gzipped, problems };
  }
}
writeFileSync(process.stdout.fd, `${JSON.stringify(report)}\n`);
