#!/usr/bin/env node
// Breaking-change gate for the specs: each spec (specs/<provider>/openapi.yaml) is compared with its last released
// version by `redocly diff` (rules: scripts/spec-gate.redocly.yaml), which rates every change major, minor or patch.
//   - a major change needs a major changeset for that provider's package (@importkit/<provider>);
//   - a minor change needs at least a minor one;
//   - a patch change (descriptions, examples) needs nothing.
// A bump already applied (`changeset version` ran: the package's version is past the released one by that much)
// counts as a changeset. The last released version is the bundle in the published @importkit/specs (its `latest`
// on the npm registry); until that exists, the spec at the merge base with the changesets base branch (main).
//   node scripts/spec-gate.mjs                     the repository, base as above
//   node scripts/spec-gate.mjs --base <dir>        base specs from <dir>/<provider>.yaml, versions from
//                                                  <dir>/versions.json ({ "<provider>": "0.1.0" }) if present
//   node scripts/spec-gate.mjs --merge-base        the merge base even if @importkit/specs is published (no registry)
//   node scripts/spec-gate.mjs --root <dir>        another checkout (specs/, packages/, .changeset/; the test's copy)
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { readTarball } from "./tarball.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? resolve(args[args.indexOf(name) + 1]) : undefined);
const root = option("--root") ?? resolve(here, "..");
const baseDir = option("--base");
const LEVELS = ["none", "patch", "minor", "major"];
const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", SCARF_ANALYTICS: "false", CI: process.env.CI ?? "true" };

const providers = readdirSync(join(root, "specs"))
  .filter((name) => existsSync(join(root, "specs", name, "openapi.yaml")))
  .sort();
const work = mkdtempSync(join(tmpdir(), "importkit-spec-gate-"));
try {
  const base = baseDir ? fromDirectory(baseDir) : (args.includes("--merge-base") ? fromMergeBase("asked for") : (fromRegistry() ?? fromMergeBase("@importkit/specs is not published yet")));
  const changesets = pendingChangesets();
  const failures = [];
  console.log(`base: ${base.label}`);
  for (const provider of providers) {
    const revision = join(root, "specs", provider, "openapi.yaml");
    const pkg = packageOf(provider);
    const baseSpec = base.specs[provider];
    let impact = "none";
    let changes = [];
    if (baseSpec === undefined) impact = "minor"; // a new spec: a new API for its users
    else if (baseSpec !== readFileSync(revision, "utf8")) ({ impact, changes } = diff(provider, baseSpec, revision));
    const required = impact === "major" || impact === "minor" ? impact : "none";
    const pending = changesets.get(pkg.name) ?? { level: "none", files: [] };
    const applied = versionBump(base.versions[provider], pkg.version);
    const covered = LEVELS.indexOf(pending.level) >= LEVELS.indexOf(required) || LEVELS.indexOf(applied) >= LEVELS.indexOf(required);
    const by = pending.level !== "none" ? `${pending.level} changeset (${pending.files[0]}${pending.files.length > 1 ? ` and ${pending.files.length - 1} more` : ""})` : applied !== "none" ? `version already bumped ${applied} (${base.versions[provider]} → ${pkg.version})` : "no changeset";
    const what = baseSpec === undefined ? "new spec" : impact === "none" ? "unchanged" : `${impact} (${changes.length} change${changes.length === 1 ? "" : "s"})`;
    console.log(`${covered ? "✓" : "✖"} ${provider.padEnd(12)} ${what}; ${pkg.name}: ${by}`);
    if (!covered) {
      failures.push(provider);
      for (const change of changes.filter((c) => c.impact === impact).slice(0, 20)) console.log(`    ${impact}: ${change.text}`);
      console.log(`    → run \`pnpm changeset\`, pick ${pkg.name} with a ${required} bump, and tell its users what changed`);
    }
  }
  if (failures.length) {
    console.error(`✖ spec gate: ${failures.join(", ")} changed beyond what the changesets announce`);
    process.exitCode = 1;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** `redocly diff` of one spec: the overall impact and each change with what the rule that rated it says. */
function diff(provider, baseText, revision) {
  const baseFile = join(work, `${provider}.base.yaml`);
  writeFileSync(baseFile, baseText);
  const result = spawnSync(
    join(resolve(here, ".."), "node_modules", ".bin", "redocly"),
    ["diff", baseFile, revision, "--config", join(here, "spec-gate.redocly.yaml"), "--format", "json", "--fail-on", "none"],
    { env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  let report;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    throw new Error(`redocly diff failed on ${provider} (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  }
  const changes = (report.changes ?? []).map((change) => ({
    impact: change.impact,
    text: change.verdicts?.length ? change.verdicts.map((v) => v.message).join("; ") : `${change.kind} ${change.typeName}${change.property ? `.${change.property}` : ""} at ${decodeURIComponent(change.path)}`,
  }));
  return { impact: report.bump ?? "none", changes };
}

function fromDirectory(dir) {
  const specs = {};
  for (const provider of providers) if (existsSync(join(dir, `${provider}.yaml`))) specs[provider] = readFileSync(join(dir, `${provider}.yaml`), "utf8");
  const versions = existsSync(join(dir, "versions.json")) ? JSON.parse(readFileSync(join(dir, "versions.json"), "utf8")) : {};
  return { label: dir, specs, versions };
}

/** The bundles of the published @importkit/specs (latest), or undefined when it was never published. */
function fromRegistry() {
  const view = spawnSync("npm", ["view", "@importkit/specs@latest", "version", "--json"], { cwd: work, encoding: "utf8" });
  if (view.status !== 0) {
    if (/E404/.test(view.stdout + view.stderr)) return undefined;
    const why = `npm view @importkit/specs failed:\n${view.stderr.trim()}`;
    if (process.env.CI) throw new Error(why);
    console.warn(`${why}\nusing the merge base instead (outside CI only)`);
    return undefined;
  }
  const version = JSON.parse(view.stdout);
  execFileSync("npm", ["pack", `@importkit/specs@${version}`, "--pack-destination", work, "--silent"], { cwd: work, stdio: ["ignore", "ignore", "inherit"] });
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
  const files = readTarball(readFileSync(join(work, tarball)));
  const specs = {};
  const versions = {};
  for (const provider of providers) {
    const bundle = files.get(`dist/${provider}.yaml`);
    if (bundle) specs[provider] = bundle.toString("utf8");
    versions[provider] = version; // one version for every package (changesets "fixed" group)
  }
  return { label: `@importkit/specs@${version} on the npm registry`, specs, versions };
}

/** The specs and versions at the merge base with the changesets base branch (before the first release). */
function fromMergeBase(why) {
  const branch = JSON.parse(readFileSync(join(root, ".changeset", "config.json"), "utf8")).baseBranch ?? "main";
  const git = (...argv) => spawnSync("git", argv, { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const ref = [`origin/${branch}`, branch].find((candidate) => git("rev-parse", "--verify", "--quiet", candidate).status === 0);
  if (!ref) throw new Error(`spec gate: no ${branch} branch to compare with, and @importkit/specs is not published yet`);
  const commit = git("merge-base", "HEAD", ref).stdout.trim();
  if (!commit) throw new Error(`spec gate: no merge base between HEAD and ${ref}`);
  const specs = {};
  const versions = {};
  for (const provider of providers) {
    const spec = git("show", `${commit}:specs/${provider}/openapi.yaml`);
    if (spec.status === 0) specs[provider] = spec.stdout;
    const manifest = git("show", `${commit}:packages/${provider}/package.json`);
    if (manifest.status === 0) versions[provider] = JSON.parse(manifest.stdout).version;
  }
  return { label: `merge base ${commit.slice(0, 12)} with ${ref} (${why})`, specs, versions };
}

/** Highest pending bump per package name, from .changeset/*.md front matter. */
function pendingChangesets() {
  const dir = join(root, ".changeset");
  const found = new Map();
  for (const file of existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".md") && f !== "README.md") : []) {
    const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(readFileSync(join(dir, file), "utf8"))?.[1];
    for (const [name, level] of Object.entries(front ? (parse(front) ?? {}) : {})) {
      const current = found.get(name) ?? { level: "none", files: [] };
      found.set(name, { level: LEVELS.indexOf(level) > LEVELS.indexOf(current.level) ? level : current.level, files: [...current.files, `.changeset/${file}`] });
    }
  }
  return found;
}

/** The package that ships a provider's client, or @importkit/specs for a spec without one. */
function packageOf(provider) {
  for (const dir of [provider, "specs"]) {
    const file = join(root, "packages", dir, "package.json");
    if (existsSync(file)) {
      const { name, version } = JSON.parse(readFileSync(file, "utf8"));
      return { name, version };
    }
  }
  return { name: "@importkit/specs", version: undefined };
}

function versionBump(from, to) {
  if (!from || !to) return "none";
  const [a, b] = [from, to].map((v) => v.split("-")[0].split(".").map(Number));
  if (b[0] > a[0]) return "major";
  if (b[0] === a[0] && b[1] > a[1]) return "minor";
  if (b[0] === a[0] && b[1] === a[1] && b[2] > a[2]) return "patch";
  return "none";
}
