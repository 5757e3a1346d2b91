/**
 * What makes the twin usable everywhere: its embedded specs are the curated specs (the same freshness check as
 * `pnpm check-generated`), and its main entry bundles for browsers (esbuild, platform browser, the package's
 * `browser` field honoured) without a single Node built-in, while the Node build still reaches Prism.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const pkg = fileURLToPath(new URL("..", import.meta.url));

describe("@importkit/twin packaging", () => {
  it("embeds the curated specs as they are (run scripts/embed-specs.mjs after a spec change)", () => {
    const check = spawnSync(process.execPath, [`${pkg}scripts/embed-specs.mjs`, "--check"], { cwd: root, encoding: "utf8" });
    expect(check.stderr).toBe("");
    expect(check.stdout).toMatch(/embedded specs fresh: 4 checked/);
    expect(check.status).toBe(0);
  });

  it("bundles its main entry for browsers with no Node built-in, and without Prism", async () => {
    const result = await build({
      entryPoints: [`${pkg}src/index.ts`],
      bundle: true,
      write: false,
      platform: "browser",
      format: "esm",
      logLevel: "silent",
      metafile: true,
      conditions: ["importkit-source"],
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.includes("request-validator.browser.ts"))).toBe(true);
    expect(inputs.filter((i) => i.includes("@stoplight") || i.includes("request-validator.ts"))).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/from\s*["']node:|require\(["'](node:)?(fs|path|os|http|crypto)["']\)/);
    // Sanity: the bundle carries the providers and fflate.
    expect(code).toContain("apihub.document360.io");
    expect(inputs.some((i) => i.includes("fflate"))).toBe(true);
  });

  it("bundles the Node way with Prism's validator behind a lazy import", async () => {
    const result = await build({ entryPoints: [`${pkg}src/index.ts`], bundle: true, write: false, platform: "node", format: "esm", logLevel: "silent", metafile: true, splitting: true, outdir: "out", conditions: ["importkit-source"] });
    const chunks = Object.entries(result.metafile.outputs);
    const entry = chunks.find(([, o]) => o.entryPoint?.endsWith("src/index.ts"))!;
    // Prism is in another chunk, reached only through dynamic import().
    expect(Object.keys(entry[1].inputs).some((i) => i.includes("@stoplight"))).toBe(false);
    expect(chunks.some(([, o]) => Object.keys(o.inputs).some((i) => i.includes("@stoplight/prism-http")))).toBe(true);
  });
});
