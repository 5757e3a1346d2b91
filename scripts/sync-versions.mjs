#!/usr/bin/env node
// Keeps each package's `src/version.ts` (`export const VERSION = "…"`, used in the User-Agent) equal to the version in
// its package.json. Runs after `changeset version` in `pnpm version-packages`; test/versions.test.ts fails when they
// differ, so a version bumped any other way is caught too.
//   node scripts/sync-versions.mjs            write every packages/*/src/version.ts that differs
//   node scripts/sync-versions.mjs --check    write nothing; exit 1 naming each one that differs
//   … --root <dir>                            another checkout (the test runs it on a temporary copy)
// A package gets a version module by having `src/version.ts`; `VERSION_PACKAGES` lists those that must.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The packages that state their version: the clients in their User-Agent, the CLI in `importkit --version`. */
export const VERSION_PACKAGES = ["cli", "document360", "gitbook", "importio", "sharinpix"];

export function versionModule(version) {
  return `// Written by scripts/sync-versions.mjs from this package's package.json (\`pnpm version-packages\`): do not edit.\nexport const VERSION = ${JSON.stringify(version)};\n`;
}

/** Every package with a version module, with the version its package.json states and the one its module states. */
export function versionModules(root) {
  const found = [];
  for (const dir of readdirSync(join(root, "packages")).sort()) {
    const file = join(root, "packages", dir, "src", "version.ts");
    const manifest = join(root, "packages", dir, "package.json");
    if (!existsSync(manifest) || (!existsSync(file) && !VERSION_PACKAGES.includes(dir))) continue;
    const expected = JSON.parse(readFileSync(manifest, "utf8")).version;
    const text = existsSync(file) ? readFileSync(file, "utf8") : undefined;
    found.push({ name: dir, file, expected, actual: text?.match(/export const VERSION = "([^"]*)";/)?.[1], upToDate: text === versionModule(expected) });
  }
  return found;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const rootIndex = args.indexOf("--root");
  const root = rootIndex === -1 ? fileURLToPath(new URL("..", import.meta.url)) : resolve(args[rootIndex + 1]);
  const stale = versionModules(root).filter((m) => !m.upToDate);
  if (args.includes("--check")) {
    for (const m of stale) console.error(`packages/${m.name}/src/version.ts says ${m.actual ?? "nothing"}, package.json says ${m.expected}`);
    process.exit(stale.length ? 1 : 0);
  }
  for (const m of stale) {
    writeFileSync(m.file, versionModule(m.expected));
    console.log(`packages/${m.name}/src/version.ts → ${m.expected}`);
  }
}
