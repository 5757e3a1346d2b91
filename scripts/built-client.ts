/**
 * The packages as users run them, for the benchmarks and for the tests that run the clients outside Node 20
 * (test/runtimes.test.ts, test/browser-clients.test.ts): each package's TypeScript compiled to plain JavaScript
 * (ES2022 modules, as `pnpm build` emits). The benchmarks measure that, not the sources through tsx. tsx's on-the-fly transform wraps functions in
 * `__name(…)` calls that run each time a closure is created, which a request path creating a dozen closures
 * pays on every request.
 *
 * `buildClient` compiles `packages/<name>/src` of the given packages (scripts/transpile.mjs, in a process of its
 * own: the compiler would add ~170 MB to the calling process) into a git-ignored folder inside the last package,
 * so that its dependencies (openapi-fetch, jose) resolve from its node_modules; `remove()` deletes the folder.
 * Compiling here instead of importing `dist/` means a bench never measures a stale build.
 */
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
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
  // Unique per call: test files may compile at the same time (`.importkit-*` is git-ignored).
  const dir = join(root, "packages", host, `.importkit-built-${randomUUID().slice(0, 8)}`);
  const result = spawnSync(process.execPath, [join(root, "scripts", "transpile.mjs"), dir, ...packages], { stdio: ["ignore", "inherit", "inherit"] });
  if (result.status !== 0) throw new Error(`compiling ${packages.join(", ")} failed (exit ${result.status})`);
  return {
    dir,
    entry: (pkg, file = "index.js") => pathToFileURL(join(dir, pkg, file)).href,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
