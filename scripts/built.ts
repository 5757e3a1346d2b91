/**
 * The packages as they ship, for what must measure or run them so (the benchmarks; the runtime, browser and packed
 * tests): `buildPackages` runs the one build (scripts/build.mjs) for the given packages and what they depend on,
 * which is incremental (~0.5 s when nothing changed), so nothing ever loads a stale `dist/`; `distUrl` names a
 * built file for `import()`. Importing a package by name (`@importkit/gitbook`) from the repository, without the
 * `importkit-source` condition, resolves to the same files through its package.json `exports`.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

export function buildPackages(packages: readonly string[]): void {
  const result = spawnSync(process.execPath, [join(root, "scripts", "build.mjs"), "--packages", packages.join(","), "--quiet"], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (result.status !== 0) throw new Error(`building ${packages.join(", ")} failed (exit ${result.status ?? result.signal})`);
}

/** A file URL of packages/<pkg>/dist/<file>, e.g. `distUrl("core", "node.js")`. */
export function distUrl(pkg: string, file = "index.js"): string {
  return pathToFileURL(join(root, "packages", pkg, "dist", file)).href;
}
