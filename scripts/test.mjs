#!/usr/bin/env node
// `pnpm test`: everything CI checks, in order (cheap and static first), stopping at the first failure.
//   lint           redocly lint: 0 errors AND 0 warnings on every spec (redocly itself exits 0 on warnings);
//   generated      generated types are fresh against the specs;
//   spec-gate      each spec against its last release: a breaking change needs its changeset (scripts/spec-gate.mjs);
//   build          the one build of every package (scripts/build.mjs), which everything below loads;
//   size           the clients bundled for browsers: no Node built-ins, within budget (scripts/size.mjs);
//   pack           every package packed as published, its contents checked (scripts/pack.mjs → tmp/packs);
//   lint-packages  publint and arethetypeswrong on every tarball (scripts/lint-packages.mjs);
//   smoke          the tarballs installed in a fresh project: import, require, tsc, README examples (scripts/smoke.mjs);
//   vitest         unit, contract (real Prism servers), fault (loopback), type, runtime and browser tests.
// Extra arguments go to vitest, e.g. `pnpm test --project gitbook`. IMPORTKIT_TEST_SKIP=a,b skips steps by name;
// `runtimes` and `browsers` there leave out the vitest files that drive other runtimes and Chromium. .ci/run uses
// it on its second pass (Node 24) for what cannot differ from the first one. The time of each step is printed.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", SCARF_ANALYTICS: "false" };
const bin = (name) => join(root, "node_modules", ".bin", name);
const script = (name) => join(root, "scripts", name);
const packs = join(root, "tmp", "packs");
const skip = new Set((process.env.IMPORTKIT_TEST_SKIP ?? "").split(",").map((s) => s.trim()).filter(Boolean));
const KNOWN = ["lint", "generated", "spec-gate", "build", "size", "pack", "lint-packages", "smoke", "vitest", "runtimes", "browsers"];
const unknown = [...skip].filter((name) => !KNOWN.includes(name));
if (unknown.length) {
  process.stderr.write(`IMPORTKIT_TEST_SKIP: unknown step ${unknown.join(", ")} (steps: ${KNOWN.join(", ")})\n`);
  process.exit(2);
}
const timings = [];
const started = Date.now();

function step(name, title, cmd, args, options = {}) {
  if (skip.has(name)) {
    process.stdout.write(`\n▷ ${title}: skipped (IMPORTKIT_TEST_SKIP)\n`);
    return undefined;
  }
  process.stdout.write(`\n▶ ${title}\n`);
  const begun = Date.now();
  const result = spawnSync(cmd, args, { cwd: root, env, encoding: "utf8", stdio: options.capture ? "pipe" : "inherit" });
  timings.push(`${name} ${((Date.now() - begun) / 1000).toFixed(1)} s`);
  if (options.capture) return result;
  if (result.status !== 0) {
    process.stderr.write(`✖ ${title} failed (${timings.join(", ")})\n`);
    process.exit(result.status ?? 1);
  }
  return result;
}

const lint = step("lint", "lint specs (redocly)", bin("redocly"), ["lint", "--format=json"], { capture: true });
if (lint) {
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
}

step("generated", "generated types are fresh", process.execPath, [script("generate.mjs"), "--check"]);
step("spec-gate", "spec changes against the last release (redocly diff)", process.execPath, [script("spec-gate.mjs")]);
step("build", "build every package (tsc -b, spec bundles, reference pages)", process.execPath, [script("build.mjs")]);
step("size", "browser bundle sizes (esbuild)", process.execPath, [script("size.mjs"), "--no-build"]);
step("pack", "pack every package", process.execPath, [script("pack.mjs"), "--out", packs]);
step("lint-packages", "publint and arethetypeswrong on every tarball", process.execPath, [script("lint-packages.mjs"), packs]);
step("smoke", "the tarballs in a fresh npm project", process.execPath, [script("smoke.mjs"), packs]);
const exclude = [
  ...(skip.has("runtimes") ? ["test/runtimes.test.ts"] : []),
  ...(skip.has("browsers") ? ["test/browser-clients.test.ts", "test/docs-browser.test.ts"] : []),
].flatMap((file) => ["--exclude", file]);
step("vitest", "vitest", bin("vitest"), ["run", ...exclude, ...process.argv.slice(2)]);

process.stdout.write(`\n✓ pnpm test in ${((Date.now() - started) / 1000).toFixed(0)} s (${timings.join(", ")})\n`);
