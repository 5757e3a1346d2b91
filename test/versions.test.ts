/**
 * One version per release, everywhere it is written: every package at the version of the changesets "fixed" group,
 * and each client's `VERSION` (its User-Agent) equal to its package.json, kept so by scripts/sync-versions.mjs,
 * which `pnpm version-packages` runs after `changeset version`. The release step itself runs here on a temporary
 * copy of the workspace's manifests.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { VERSION_PACKAGES, versionModule, versionModules } from "../scripts/sync-versions.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const packageDirs = readdirSync(join(root, "packages")).filter((dir) => existsSync(join(root, "packages", dir, "package.json")));
const manifest = (base: string, dir: string) => JSON.parse(readFileSync(join(base, "packages", dir, "package.json"), "utf8"));
const work = mkdtempSync(join(tmpdir(), "importkit-versions-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("versions", () => {
  it("each client's src/version.ts states its package.json version", () => {
    const modules = versionModules(root);
    expect(modules.map((m) => m.name).sort()).toEqual([...VERSION_PACKAGES].sort());
    for (const m of modules) expect(`${m.name}: ${readFileSync(m.file, "utf8")}`).toBe(`${m.name}: ${versionModule(m.expected)}`);
  });

  it("`pnpm version-packages` bumps every package to one version and writes it into each version.ts", async () => {
    // The manifests, the changesets config and the version modules; node_modules shared with the workspace.
    for (const file of ["package.json", "pnpm-workspace.yaml", join(".changeset", "config.json"), join("scripts", "sync-versions.mjs")]) cpSync(join(root, file), join(work, file));
    for (const dir of packageDirs) {
      cpSync(join(root, "packages", dir, "package.json"), join(work, "packages", dir, "package.json"));
      if (existsSync(join(root, "packages", dir, "src", "version.ts"))) cpSync(join(root, "packages", dir, "src", "version.ts"), join(work, "packages", dir, "src", "version.ts"));
    }
    symlinkSync(join(root, "node_modules"), join(work, "node_modules"), "dir");
    mkdirSync(join(work, ".changeset"), { recursive: true });
    writeFileSync(join(work, ".changeset", "a-gitbook-fix.md"), `---\n"@importkit/gitbook": minor\n---\n\nA GitBook change only.\n`);
    const before = manifest(work, "gitbook").version as string;
    const [major, minor] = before.split(".").map(Number);
    const expected = major === 0 ? `0.${minor! + 1}.0` : `${major}.${minor! + 1}.0`;

    await new Promise<void>((resolve, reject) =>
      execFile("pnpm", ["run", "--silent", "version-packages"], { cwd: work, encoding: "utf8" }, (error, stdout, stderr) =>
        error ? reject(new Error(`${stdout}${stderr}`)) : resolve(),
      ),
    );

    // A changeset for one provider moves every package (one core for every provider an app installs) ...
    for (const dir of packageDirs) {
      const pkg = manifest(work, dir);
      expect(`${pkg.name}@${pkg.version}`).toBe(`${pkg.name}@${expected}`);
      // ... and internal dependencies stay exact (pnpm writes the version itself into the tarball).
      for (const [dep, range] of Object.entries({ ...pkg.dependencies, ...pkg.peerDependencies })) {
        if (dep.startsWith("@importkit/")) expect(`${pkg.name} → ${dep}@${range}`).toBe(`${pkg.name} → ${dep}@workspace:*`);
      }
    }
    for (const m of versionModules(work)) expect(`${m.name}: ${m.actual}`).toBe(`${m.name}: ${expected}`);
    expect(existsSync(join(work, ".changeset", "a-gitbook-fix.md"))).toBe(false);
  }, 60_000);
});
