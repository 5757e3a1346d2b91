#!/usr/bin/env node
// publint and @arethetypeswrong/cli on every tarball scripts/pack.mjs left in <dir>.
//   - publint, strict (warnings fail) and at the suggestion level (suggestions are printed, and fail too);
//   - attw with the esm-only profile: the packages are ES modules only (README "Packages"), so the node10 and
//     node16-from-CJS resolutions are not checked here; `require()` of them on Node >= 20.19 (require(esm)) is run
//     for real by scripts/smoke.mjs.
//   node scripts/lint-packages.mjs [tmp/packs]
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { publint } from "publint";
import { formatMessage } from "publint/utils";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = resolve(process.argv[2] ?? join(root, "tmp", "packs"));
const tarballs = readdirSync(dir).filter((f) => f.endsWith(".tgz")).sort();
if (tarballs.length === 0) {
  console.error(`lint-packages: no tarballs in ${dir} (run node scripts/pack.mjs)`);
  process.exit(2);
}
const IGNORED_RESOLUTIONS = ["node10", "node16-cjs"];

let failed = false;
const run = promisify(execFile);
const attw = join(root, "node_modules", ".bin", "attw");
// Two at a time: each attw loads its own TypeScript (~1 s of CPU).
const queue = [...tarballs];
const results = new Map();
await Promise.all(
  [0, 1].map(async () => {
    for (let file; (file = queue.shift()); ) {
      const path = join(dir, file);
      const buffer = readFileSync(path);
      const lint = await publint({ pack: { tarball: buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) }, level: "suggestion", strict: true });
      const types = await run(attw, [path, "--profile", "esm-only", "--no-definitely-typed", "--format", "json"], { maxBuffer: 64 * 1024 * 1024 }).then(
        ({ stdout }) => ({ ok: true, stdout }),
        (error) => ({ ok: false, stdout: error.stdout ?? "", stderr: error.stderr ?? String(error) }),
      );
      results.set(file, { lint, types });
    }
  }),
);

for (const file of tarballs) {
  const { lint, types } = results.get(file);
  const name = lint.pkg.name;
  const lines = lint.messages.map((m) => `  publint ${m.type}: ${formatMessage(m, lint.pkg, { color: false })}`);
  let summary = "attw: no report";
  try {
    const report = JSON.parse(types.stdout);
    const entrypoints = Object.keys(report.analysis.entrypoints ?? {});
    const problems = Object.values(report.problems ?? {})
      .flat()
      .filter((p) => !IGNORED_RESOLUTIONS.includes(p.resolutionKind));
    for (const p of problems) lines.push(`  attw ${p.kind}: entrypoint ${p.entrypoint ?? "?"} (${p.resolutionKind ?? "any resolution"})`);
    summary = `attw esm-only: ${entrypoints.length} entrypoint${entrypoints.length === 1 ? "" : "s"} (${entrypoints.join(" ")}), ${problems.length} problems`;
  } catch {
    lines.push(`  attw failed to report:\n${types.stderr ?? types.stdout}`);
  }
  if (!types.ok && lines.length === 0) lines.push(`  attw exited non-zero:\n${types.stderr ?? types.stdout}`);
  console.log(`${lines.length ? "✖" : "✓"} ${name.padEnd(24)} publint: ${lint.messages.length} messages; ${summary}`);
  for (const line of lines) console.log(line);
  if (lines.length) failed = true;
}
process.exit(failed ? 1 : 0);
