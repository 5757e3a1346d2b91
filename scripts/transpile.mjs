// Compiles packages/<name>/src of the given packages to JavaScript (see scripts/built-client.ts):
//   node scripts/transpile.mjs <out dir> core sharinpix
// ES2022 modules as `pnpm build` emits them, with the workspace imports (@importkit/core, @importkit/core/node, …)
// made relative to <out dir>/core. A script of its own so that the bench process never loads the compiler.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("..", import.meta.url));
const [dir, ...packages] = process.argv.slice(2);
if (!dir || packages.length === 0) throw new Error("usage: node scripts/transpile.mjs <out dir> <package>…");

for (const pkg of packages) {
  const from = join(root, "packages", pkg, "src");
  for (const entry of readdirSync(from, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts") || entry.name.endsWith(".d.ts")) continue;
    const file = join(entry.parentPath, entry.name);
    const target = join(dir, pkg, relative(from, file)).replace(/\.ts$/, ".js");
    const coreFrom = (name) => {
      const path = relative(dirname(target), join(dir, "core", name)).replaceAll("\\", "/");
      return path.startsWith(".") ? path : `./${path}`;
    };
    const output = ts
      .transpileModule(readFileSync(file, "utf8"), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      })
      .outputText.replace(/"@importkit\/core(?:\/(\w+))?"/g, (_, sub) => `"${coreFrom(`${sub ?? "index"}.js`)}"`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, output);
  }
}
