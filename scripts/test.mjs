#!/usr/bin/env node
// `pnpm test`: everything CI checks, in order, stopping at the first failure.
//   1. redocly lint: 0 errors AND 0 warnings on every spec (redocly itself exits 0 on warnings);
//   2. generated types are fresh against the specs;
//   3. vitest: unit, contract (real Prism servers), fault (loopback) and type tests.
// Extra arguments go to vitest, e.g. `pnpm test --project gitbook`.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", SCARF_ANALYTICS: "false" };
const bin = (name) => join(root, "node_modules", ".bin", name);

function step(title, cmd, args, options = {}) {
  process.stdout.write(`\n▶ ${title}\n`);
  const result = spawnSync(cmd, args, { cwd: root, env, encoding: "utf8", stdio: options.capture ? "pipe" : "inherit" });
  if (options.capture) return result;
  if (result.status !== 0) {
    process.stderr.write(`✖ ${title} failed\n`);
    process.exit(result.status ?? 1);
  }
  return result;
}

const lint = step("lint specs (redocly)", bin("redocly"), ["lint", "--format=json"], { capture: true });
// One JSON document per API, concatenated: add up every `totals` block.
const blocks = [...lint.stdout.matchAll(/"totals":\s*\{\s*"errors":\s*(\d+),\s*"warnings":\s*(\d+)/g)];
if (blocks.length === 0) {
  process.stderr.write(lint.stdout + lint.stderr);
  process.exit(1);
}
const totals = blocks.reduce((sum, m) => ({ errors: sum.errors + Number(m[1]), warnings: sum.warnings + Number(m[2]) }), { errors: 0, warnings: 0 });
if (lint.status !== 0 || totals.errors > 0 || totals.warnings > 0) {
  spawnSync(bin("redocly"), ["lint", "--format=stylish"], { cwd: root, env, stdio: "inherit" });
  process.stderr.write(`✖ specs must lint clean: ${totals.errors} errors, ${totals.warnings} warnings\n`);
  process.exit(1);
}
process.stdout.write(`specs lint clean (${blocks.length} specs): ${totals.errors} errors, ${totals.warnings} warnings\n`);

step("generated types are fresh", process.execPath, [join(root, "scripts", "generate.mjs"), "--check"]);
step("vitest", bin("vitest"), ["run", ...process.argv.slice(2)]);
