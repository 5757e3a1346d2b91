/**
 * What each package.json must say for its tarball to be right (scripts/pack.mjs then checks the tarballs
 * themselves): one changesets "fixed" group over every published package, packing builds first (prepack runs the
 * one build for that package), the metadata npm shows, and no package of the mock or the CLI pulling the HTML docs.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const packages = readdirSync(join(root, "packages"))
  .filter((dir) => existsSync(join(root, "packages", dir, "package.json")))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8")) }))
  .filter(({ pkg }) => !pkg.private);
const glob = (pattern: string) => new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join("[^/]*")}$`);

describe("package manifests", () => {
  it("every published package is in one changesets fixed group", () => {
    const config = JSON.parse(readFileSync(join(root, ".changeset", "config.json"), "utf8")) as { fixed: string[][] };
    const groups = config.fixed.map((group) => packages.filter(({ pkg }) => group.some((pattern) => glob(pattern).test(pkg.name))).map(({ pkg }) => pkg.name));
    expect(groups.some((members) => members.length === packages.length)).toBe(true);
  });

  it.each(packages)("$pkg.name: built before it is packed, described for npm", ({ dir, pkg }) => {
    expect(pkg.scripts?.prepack).toBe(`node ../../scripts/build.mjs --packages ${dir}`);
    expect(pkg.license).toBe("MIT");
    expect(pkg.repository).toMatchObject({ type: "git", url: expect.stringMatching(/^git\+https:\/\/github\.com\/.+\.git$/), directory: `packages/${dir}` });
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.bugs?.url).toMatch(/^https:\/\//);
    expect(pkg.keywords?.length).toBeGreaterThan(0);
    expect(pkg.engines?.node).toBe(">=20.19.0");
    expect(pkg.files).toEqual(expect.arrayContaining(["dist", "!dist/.tsbuildinfo", "!dist/.build-stamp"]));
  });

  it("the repository has an MIT LICENSE (pnpm pack puts it in every tarball)", () => {
    expect(readFileSync(join(root, "LICENSE"), "utf8")).toMatch(/^MIT License\n/);
  });

  it("neither the mock nor the CLI depends on the HTML docs", () => {
    const byName = new Map(packages.map(({ pkg }) => [pkg.name as string, pkg]));
    const closure = (name: string, seen = new Set<string>()): Set<string> => {
      for (const dep of Object.keys(byName.get(name)?.dependencies ?? {})) if (!seen.has(dep)) closure(dep, seen.add(dep));
      return seen;
    };
    expect([...closure("@importkit/mock")]).not.toContain("@importkit/docs");
    expect([...closure("@importkit/cli")]).not.toContain("@importkit/docs");
  });
});
