/**
 * The breaking-change gate for the specs (scripts/spec-gate.mjs), proved on a temporary copy: GitBook's spec, edited
 * on purpose, against the unedited one as the released base. A removed operation (major) fails without a major
 * changeset for @importkit/gitbook, a minor one included; an added optional parameter (minor) fails with only a
 * patch changeset; a description edit (patch) needs none; a version already bumped by `changeset version` counts.
 * The same gate on a git history, with the merge base as the base (how it runs until @importkit/specs is published).
 */
import { execFile, execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";

const root = fileURLToPath(new URL("..", import.meta.url));
const gate = join(root, "scripts", "spec-gate.mjs");
const work = mkdtempSync(join(tmpdir(), "importkit-gate-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const original = readFileSync(join(root, "specs", "gitbook", "openapi.yaml"), "utf8");
type Spec = { info: { description: string }; paths: Record<string, Record<string, { parameters?: unknown[] }>> };
const edits = {
  removeCancel: (spec: Spec) => void delete spec.paths["/org/{organizationId}/imports/{importRunId}/cancel"],
  addOptionalFilter: (spec: Spec) => void spec.paths["/org/{organizationId}/imports"]!.get!.parameters!.push({ name: "label", in: "query", required: false, schema: { type: "string" } }),
  reword: (spec: Spec) => void (spec.info.description += "\nReworded."),
};

let cases = 0;
/** A checkout with GitBook's spec after `edit`, its package at `version`, and the given pending changeset. */
function checkout(edit: keyof typeof edits, changeset?: "patch" | "minor" | "major", version = "0.1.0"): string {
  const dir = join(work, `case-${++cases}`);
  const spec = parse(original) as Spec;
  edits[edit](spec);
  mkdirSync(join(dir, "specs", "gitbook"), { recursive: true });
  writeFileSync(join(dir, "specs", "gitbook", "openapi.yaml"), stringify(spec));
  mkdirSync(join(dir, "packages", "gitbook"), { recursive: true });
  writeFileSync(join(dir, "packages", "gitbook", "package.json"), JSON.stringify({ name: "@importkit/gitbook", version }));
  mkdirSync(join(dir, ".changeset"));
  if (changeset) writeFileSync(join(dir, ".changeset", "spec-change.md"), `---\n"@importkit/gitbook": ${changeset}\n---\n\nWhat changed.\n`);
  return dir;
}

const released = join(work, "released");
mkdirSync(released);
writeFileSync(join(released, "gitbook.yaml"), original);
writeFileSync(join(released, "versions.json"), JSON.stringify({ gitbook: "0.1.0" }));

function runGate(args: string[], cwd = root): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [gate, ...args], { cwd, encoding: "utf8" }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}
const gateOn = (dir: string) => runGate(["--root", dir, "--base", released]);

describe("spec gate", () => {
  it.concurrent("a removed operation without a changeset fails, naming the change and the package", async () => {
    const { code, output } = await gateOn(checkout("removeCancel"));
    expect(code).toBe(1);
    expect(output).toMatch(/✖ gitbook\s+major/);
    expect(output).toContain("Path `/org/{organizationId}/imports/{importRunId}/cancel` was removed");
    expect(output).toContain("pick @importkit/gitbook with a major bump");
  });

  it.concurrent("a removed operation with only a minor changeset fails", async () => {
    const { code, output } = await gateOn(checkout("removeCancel", "minor"));
    expect(code).toBe(1);
    expect(output).toMatch(/✖ gitbook\s+major .*minor changeset/);
  });

  it.concurrent("a removed operation with a major changeset passes", async () => {
    const { code, output } = await gateOn(checkout("removeCancel", "major"));
    expect(output).toMatch(/✓ gitbook\s+major .*major changeset/);
    expect(code).toBe(0);
  });

  it.concurrent("a removed operation after `changeset version` bumped the major version passes", async () => {
    const { code, output } = await gateOn(checkout("removeCancel", undefined, "1.0.0"));
    expect(output).toContain("version already bumped major (0.1.0 → 1.0.0)");
    expect(code).toBe(0);
  });

  it.concurrent("an added optional parameter needs at least a minor changeset", async () => {
    const patch = await gateOn(checkout("addOptionalFilter", "patch"));
    expect(patch.code).toBe(1);
    expect(patch.output).toMatch(/✖ gitbook\s+minor/);
    const minor = await gateOn(checkout("addOptionalFilter", "minor"));
    expect(minor.code).toBe(0);
  });

  it.concurrent("a reworded description needs no changeset", async () => {
    const { code, output } = await gateOn(checkout("reword"));
    expect(output).toMatch(/✓ gitbook\s+patch/);
    expect(code).toBe(0);
  });

  it.concurrent("until the first release, the base is the merge base with main", async () => {
    const repo = checkout("reword");
    writeFileSync(join(repo, "specs", "gitbook", "openapi.yaml"), original);
    cpSync(join(root, ".changeset", "config.json"), join(repo, ".changeset", "config.json"));
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" } });
    git("init", "--quiet", "--initial-branch=main");
    git("add", ".");
    git("commit", "--quiet", "-m", "released");
    git("checkout", "--quiet", "-b", "feature");
    const spec = parse(original) as Spec;
    edits.removeCancel(spec);
    writeFileSync(join(repo, "specs", "gitbook", "openapi.yaml"), stringify(spec));
    git("commit", "--quiet", "-am", "remove cancel");

    const { code, output } = await runGate(["--root", repo, "--merge-base"]);
    expect(output).toMatch(/^base: merge base [0-9a-f]{12} with main/m);
    expect(output).toMatch(/✖ gitbook\s+major/);
    expect(code).toBe(1);
  });
});
