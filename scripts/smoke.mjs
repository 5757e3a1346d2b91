#!/usr/bin/env node
// The packages as a new user gets them: the tarballs scripts/pack.mjs left in <dir>, installed with npm into a fresh
// project in the system's temp folder (outside the workspace: nothing resolves from its node_modules), then
//   1. ESM: `import` of every export of every package (JSON bundles with `with { type: "json" }`; other files
//      resolved and found on disk);
//   2. CommonJS: `require()` of every JavaScript export (require(esm), Node >= 20.19), same exports as ESM;
//   3. TypeScript strict, three projects (test/packed/tsconfig.*.json): nodenext, bundler, and Node-only (no DOM
//      lib, skipLibCheck false), over test/packed/consumer.ts, a generated import of every export, and the README
//      examples marked ```ts smoke; the Node-only project's errors must be exactly those listed in
//      test/packed/node-only.known-errors.txt (a list that may only shrink);
//   4. one core: two providers share one @importkit/core on disk and `instanceof` holds across them
//      (test/packed/one-core.mjs);
//   5. the README examples (```ts smoke / ```js smoke, see scripts/readme-examples.mjs), each in its own Node
//      process and folder, written as for the real APIs: each provider's API origin is routed to a twin of that API
//      (the packed @importkit/twin's server on loopback, fresh for each example, so one example's exports or rate
//      limit never reach another) and the credential variables hold what the twins accept (test/packed/loopback.mjs
//      refuses every other host). `compile-only` blocks are typechecked in 3 and not run.
//   node scripts/smoke.mjs [tmp/packs] [--keep]
import { execFile, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { parse } from "yaml";
import { EXAMPLE_ENVIRONMENT, examplesOf, importedPackages } from "./readme-examples.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const fixtures = join(root, "test", "packed");
const args = process.argv.slice(2);
const packs = resolve(args.find((a) => !a.startsWith("--")) ?? join(root, "tmp", "packs"));
const keep = args.includes("--keep");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const execFileAsync = promisify(execFile);

const tarballs = readdirSync(packs).filter((f) => f.endsWith(".tgz")).map((f) => join(packs, f));
if (tarballs.length === 0) {
  console.error(`smoke: no tarballs in ${packs} (run node scripts/pack.mjs)`);
  process.exit(2);
}

const project = realpathSync(mkdtempSync(join(tmpdir(), "importkit-smoke-")));
const failures = [];
const timings = [];
async function phase(title, body) {
  const started = Date.now();
  try {
    const note = await body();
    console.log(`✓ ${title}${note ? `: ${note}` : ""}`);
  } catch (error) {
    failures.push(title);
    console.log(`✖ ${title}\n${String(error?.message ?? error).replace(/^/gm, "    ")}`);
  }
  timings.push(`${title.split(":")[0]} ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

try {
  // The project: a package.json of type module (the packages are ES modules only), the fixtures, the tarballs.
  writeFileSync(join(project, "package.json"), `${JSON.stringify({ name: "importkit-smoke", private: true, type: "module" }, null, 2)}\n`);
  for (const file of readdirSync(fixtures)) copyFileSync(join(fixtures, file), join(project, file));
  const catalog = parse(readFileSync(join(root, "pnpm-workspace.yaml"), "utf8")).catalog;
  const typesNode = catalog["@types/node"];
  // The optional peers a package declares (msw for @importkit/twin/msw), at the version the workspace tests: a user of
  // that entry installs them, and "every export" includes it.
  const peers = readdirSync(join(root, "packages"))
    .map((dir) => join(root, "packages", dir, "package.json"))
    .filter((file) => existsSync(file))
    .flatMap((file) => Object.keys(JSON.parse(readFileSync(file, "utf8")).peerDependencies ?? {}))
    .map((name) => (catalog[name] ? `${name}@${catalog[name]}` : name));
  // README examples: the root README and each package's.
  const readmes = [join(root, "README.md"), ...readdirSync(join(root, "packages")).map((dir) => join(root, "packages", dir, "README.md"))].filter(existsSync);
  const examples = [];
  mkdirSync(join(project, "readme"));
  for (const readme of readmes) {
    const source = relative(root, readme).replaceAll("\\", "/");
    for (const example of examplesOf(readme)) {
      const name = `${source.replace(/\/?README\.md$/, "").replace(/^packages\//, "") || "root"}-L${example.line}`;
      writeFileSync(join(project, "readme", `${name}.${example.ext}`), example.code);
      examples.push({ ...example, name, source: `${source}:${example.line}` });
    }
  }
  // What the examples import beside our packages (vitest in a test example), at the version the workspace pins: a
  // user copying the example installs it too. A package the workspace does not pin cannot be checked.
  const tools = [...new Set(examples.flatMap((e) => importedPackages(e.code)))].filter((name) => !name.startsWith("@importkit/"));
  const unpinned = tools.filter((name) => !catalog[name]);
  if (unpinned.length) throw new Error(`README examples import ${unpinned.join(", ")}, which pnpm-workspace.yaml's catalog does not pin`);
  const installs = [...new Set([...peers, ...tools.map((name) => `${name}@${catalog[name]}`)])];

  await phase("npm install of the tarballs", async () => {
    await execFileAsync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", ...tarballs, `@types/node@${typesNode}`, ...installs], {
      cwd: project,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error) => {
      throw new Error(`${error.stdout}${error.stderr}`);
    });
    return `${tarballs.length} tarballs into ${project}`;
  });
  if (failures.length) throw new Error("install failed");

  // Every export of every installed @importkit package, as specifiers.
  const scope = join(project, "node_modules", "@importkit");
  const entries = [];
  for (const dir of readdirSync(scope).sort()) {
    const manifest = JSON.parse(readFileSync(join(scope, dir, "package.json"), "utf8"));
    for (const key of Object.keys(manifest.exports ?? { ".": manifest.main })) {
      if (!key.includes("*")) {
        entries.push({ specifier: `${manifest.name}${key.slice(1)}`, kind: "code" });
        continue;
      }
      // A wildcard subpath: every shipped file it maps to.
      const target = JSON.stringify(manifest.exports[key]).match(/"\.\/([^"]*\*[^"]*)"/)?.[1];
      const [before, after] = target.split("*");
      const dirOf = join(scope, dir, before.slice(0, before.lastIndexOf("/") + 1));
      for (const file of readdirSync(dirOf, { recursive: true }).map(String).sort()) {
        const path = relative(join(scope, dir), join(dirOf, file)).replaceAll("\\", "/");
        if (!path.startsWith(before) || !path.endsWith(after)) continue;
        const match = path.slice(before.length, path.length - after.length);
        entries.push({ specifier: `${manifest.name}/${key.slice(2).replace("*", match)}`, kind: after.endsWith(".json") ? "json" : "file" });
      }
    }
  }
  const code = entries.filter((e) => e.kind === "code").map((e) => e.specifier);
  writeFileSync(
    join(project, "entries.mjs"),
    [
      `import { existsSync } from "node:fs";`,
      `import { fileURLToPath } from "node:url";`,
      `const names = {};`,
      ...entries.map((e) =>
        e.kind === "code"
          ? `names[${JSON.stringify(e.specifier)}] = Object.keys(await import(${JSON.stringify(e.specifier)})).sort();`
          : e.kind === "json"
            ? `await import(${JSON.stringify(e.specifier)}, { with: { type: "json" } });`
            : `if (!existsSync(fileURLToPath(import.meta.resolve(${JSON.stringify(e.specifier)})))) throw new Error("missing: " + ${JSON.stringify(e.specifier)});`,
      ),
      `console.log(JSON.stringify(names));`,
    ].join("\n"),
  );
  writeFileSync(
    join(project, "entries.cjs"),
    [`const names = {};`, ...code.map((s) => `names[${JSON.stringify(s)}] = Object.keys(require(${JSON.stringify(s)})).filter((k) => k !== "__esModule").sort();`), ...entries.filter((e) => e.kind === "json").map((e) => `require(${JSON.stringify(e.specifier)});`), `console.log(JSON.stringify(names));`].join("\n"),
  );
  writeFileSync(join(project, "entries.ts"), `${code.map((s, i) => `import * as entry${i} from ${JSON.stringify(s)};`).join("\n")}\nexport const entries = [${code.map((_, i) => `entry${i}`).join(", ")}];\n`);

  let esmNames;
  await phase("ESM import of every export", async () => {
    esmNames = JSON.parse(await node(["entries.mjs"]));
    return `${entries.length} entries (${code.length} modules, ${entries.length - code.length} files)`;
  });
  await phase(`require() of every export (require(esm), Node ${process.versions.node})`, async () => {
    const cjsNames = JSON.parse(await node(["entries.cjs"]));
    const differ = Object.keys(esmNames ?? {}).filter((s) => JSON.stringify(esmNames[s]) !== JSON.stringify(cjsNames[s]));
    if (differ.length) throw new Error(`require() and import give different exports for ${differ.join(", ")}`);
    return `${Object.keys(cjsNames).length} modules, same exports as import`;
  });

  await phase("TypeScript strict: nodenext, bundler, Node-only", async () => {
    const [nodenext, bundler, nodeOnly] = await Promise.all(["nodenext", "bundler", "node-only"].map((name) => typecheck(name)));
    const problems = [];
    if (nodenext.errors.length) problems.push(`nodenext:\n${nodenext.errors.join("\n")}`);
    if (bundler.errors.length) problems.push(`bundler:\n${bundler.errors.join("\n")}`);
    const known = readFileSync(join(fixtures, "node-only.known-errors.txt"), "utf8")
      .split("\n")
      .filter((line) => line.trim() && !line.startsWith("#"));
    // Ours only: a third party's declarations (msw's, reached through @importkit/twin/msw) are that party's to fix.
    nodeOnly.errors = nodeOnly.errors.filter((error) => !/node_modules\/(?!@importkit\/)/.test(error));
    const seen = nodeOnly.errors.map(withoutPosition);
    const unexpected = seen.filter((e) => !removeOne(known, e));
    if (unexpected.length) problems.push(`Node-only, new errors:\n${nodeOnly.errors.filter((e) => unexpected.includes(withoutPosition(e))).join("\n")}`);
    if (known.length) problems.push(`Node-only: fixed, remove from test/packed/node-only.known-errors.txt:\n${known.join("\n")}`);
    if (problems.length) throw new Error(problems.join("\n"));
    const files = examples.filter((e) => e.ext === "ts").length;
    return `consumer.ts, entries.ts, ${files} README example${files === 1 ? "" : "s"}; Node-only: ${seen.length} known errors (test/packed/node-only.known-errors.txt)`;
  });

  await phase("one core across providers", async () => {
    const cores = findFiles(join(project, "node_modules"), (path) => path.endsWith("/@importkit/core/package.json"));
    if (cores.length !== 1) throw new Error(`${cores.length} copies of @importkit/core installed: ${cores.join(", ")}`);
    const seen = JSON.parse(await node(["one-core.mjs"]));
    if (!seen.isImportioApiError || !seen.isImportioNotFoundError || !seen.isCoreImportkitError) throw new Error(`instanceof failed across packages: ${JSON.stringify(seen)}`);
    return `1 copy; a GitBook ${seen.thrown} is an instance of @importkit/importio's ApiError and NotFoundError`;
  });

  await phase("README examples against the twins on loopback", async () => {
    const runnable = examples.filter((e) => e.run);
    if (runnable.length === 0) return "none marked";
    const require = createRequire(join(project, "package.json"));
    const { startTwin } = await import(pathToFileURL(require.resolve("@importkit/twin/server")).href);
    const specs = await import(pathToFileURL(require.resolve("@importkit/specs")).href);
    // Each spec's server URLs (variables at their defaults), e.g. https://api.gitbook.com/v1.
    const apiUrls = Object.fromEntries(
      specs.providers.map((provider) => {
        const document = parse(readFileSync(specs.specPath(provider), "utf8"));
        const urls = (document.servers ?? [])
          .map((server) => server.url.replace(/\{(\w+)\}/g, (whole, name) => server.variables?.[name]?.default ?? whole))
          .filter((url) => !url.includes("{"))
          .map((url) => (url.includes("://") ? url : `https://${url}`).replace(/\/$/, ""));
        return [provider, urls];
      }),
    );
    const failed = [];
    const run = async (example) => {
      // A twin of each API for this example alone: ids are the same every time (the twins' default seed).
      const servers = await Promise.all(specs.providers.map((provider) => startTwin({ provider })));
      try {
        const twin = Object.fromEntries(servers.map((server) => [server.twin.provider, server.twin]));
        const routes = specs.providers.flatMap((provider) => apiUrls[provider].map((url) => [url, twin[provider].baseUrl]));
        const { gitbook, importio, document360, sharinpix } = twin;
        const environment = {
          GITBOOK_TOKEN: gitbook.credentials.token,
          GITBOOK_ORG_ID: gitbook.credentials.organizationId,
          GITBOOK_SPACE_ID: gitbook.credentials.spaceId,
          IMPORTIO_API_KEY: importio.credentials.apiKey,
          IMPORTIO_EXTRACTOR_ID: importio.seeded.extractorId,
          IMPORTIO_REPORT_ID: importio.seeded.reportId,
          DOCUMENT360_API_TOKEN: document360.credentials.apiToken,
          DOCUMENT360_USER_ID: document360.credentials.userId,
          // As SharinPix hands it out: its own host, which the routes send to the twin.
          SHARINPIX_SECRET_URL: `sharinpix://${sharinpix.credentials.secretId}:${sharinpix.credentials.secret}@api.sharinpix.com/api/v1`,
          SHARINPIX_ALBUM_ID: sharinpix.credentials.albumId,
        };
        const missing = EXAMPLE_ENVIRONMENT.filter((name) => !environment[name]);
        if (missing.length) throw new Error(`the twins gave no value for ${missing.join(", ")}`);
        const env = { ...process.env, ...environment, IMPORTKIT_SMOKE_ROUTES: JSON.stringify(routes) };
        // Its own folder: files an example saves never meet another's.
        const cwd = join(project, "run", example.name);
        mkdirSync(cwd, { recursive: true });
        const file = example.ext === "ts" ? join(project, "out", "readme", `${example.name}.js`) : join(project, "readme", `${example.name}.mjs`);
        await node(["--import", pathToFileURL(join(project, "loopback.mjs")).href, file], { env, cwd, timeout: 60_000 });
      } catch (error) {
        failed.push(`${example.source}: ${error.message}`);
      } finally {
        await Promise.all(servers.map((server) => server.close()));
      }
    };
    // A few at a time: an example spends most of its time waiting between polls.
    const queue = [...runnable];
    await Promise.all(Array.from({ length: Math.min(4, queue.length) }, async () => {
      while (queue.length) await run(queue.shift());
    }));
    if (failed.length) throw new Error(failed.join("\n"));
    const compileOnly = examples.length - runnable.length;
    return `${runnable.length} run to completion${compileOnly ? `, ${compileOnly} compile-only (typechecked above)` : ""} (${runnable.map((e) => e.source).join(", ")})`;
  });
} catch (error) {
  if (!failures.length) failures.push(String(error));
} finally {
  if (keep) console.log(`kept ${project}`);
  else rmSync(project, { recursive: true, force: true });
}
console.log(`(${timings.join(", ")})`);
if (failures.length) {
  console.error(`✖ smoke: ${failures.length} failed: ${failures.join("; ")}`);
  process.exit(1);
}

/** Runs `node …args` in the project (or `cwd`); resolves with its stdout, rejects with its output on a non-zero exit. */
function node(argv, { env = process.env, timeout = 120_000, cwd = project } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, argv, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeout);
    child.on("close", (exit, signal) => {
      clearTimeout(timer);
      if (exit === 0) resolvePromise(stdout);
      else reject(new Error(`node ${argv.join(" ")} ${signal ? `killed (${signal}) after ${timeout / 1000} s` : `exited ${exit}`}\n${lastLines(`${stdout}${stderr}`, 40)}`.trim()));
    });
  });
}

/** tsc -p tsconfig.<name>.json in the project: its error lines (paths relative to the project). */
async function typecheck(name) {
  const result = await execFileAsync(process.execPath, [tsc, "-p", `tsconfig.${name}.json`, "--pretty", "false"], { cwd: project, maxBuffer: 16 * 1024 * 1024 }).catch((error) => error);
  const errors = String(result.stdout ?? "")
    .split("\n")
    .filter((line) => /error TS\d+/.test(line));
  if (result.code && errors.length === 0) throw new Error(`tsc -p tsconfig.${name}.json failed:\n${result.stdout}${result.stderr}`);
  return { errors };
}

/** `file(line,col): error TSxxxx: message` without the position, so that an edit above it does not count as new. */
function withoutPosition(line) {
  return line.replace(/^(.*?)\(\d+,\d+\): /, "$1: ");
}

function lastLines(text, count) {
  const lines = text.trimEnd().split("\n");
  return lines.length > count ? [`… ${lines.length - count} lines before`, ...lines.slice(-count)].join("\n") : lines.join("\n");
}

function removeOne(list, item) {
  const index = list.indexOf(item);
  if (index === -1) return false;
  list.splice(index, 1);
  return true;
}

function findFiles(dir, test, found = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) findFiles(path, test, found);
    else if (test(path.replaceAll("\\", "/"))) found.push(relative(project, path));
  }
  return found;
}
