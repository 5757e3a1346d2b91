/**
 * The benchmarks measure what users run: each package's TypeScript compiled to plain JavaScript (ES2022
 * modules, as `pnpm build` emits), not the sources through tsx. tsx's on-the-fly transform wraps functions in
 * `__name(…)` calls that run each time a closure is created, which a request path creating a dozen closures
 * pays on every request.
 *
 * `buildClient` compiles `packages/<name>/src` of the given packages (bench/transpile.mjs, in a process of its
 * own: the compiler would add ~170 MB to the bench process) into a git-ignored folder inside the last package,
 * so that its dependencies (openapi-fetch, jose) resolve from its node_modules; `remove()` deletes the folder.
 * Compiling here instead of importing `dist/` means a bench never measures a stale build.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

export interface BuiltClient {
  /** The folder holding `<package>/…` as JavaScript. */
  dir: string;
  /** A file URL for `import()`, e.g. `entry("sharinpix")` → …/sharinpix/index.js. */
  entry(pkg: string, file?: string): string;
  remove(): void;
}

export function buildClient(packages: readonly string[]): BuiltClient {
  const host = packages[packages.length - 1]!;
  const dir = join(root, "packages", host, `.importkit-bench-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  const result = spawnSync(process.execPath, [join(root, "bench", "transpile.mjs"), dir, ...packages], { stdio: ["ignore", "inherit", "inherit"] });
  if (result.status !== 0) throw new Error(`compiling ${packages.join(", ")} for the bench failed (exit ${result.status})`);
  return {
    dir,
    entry: (pkg, file = "index.js") => pathToFileURL(join(dir, pkg, file)).href,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
