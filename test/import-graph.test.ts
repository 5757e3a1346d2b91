/**
 * What importing a provider package loads, as users import it (the built packages, by name): the parts few programs
 * use are loaded when first used, not at import (bench/import-time.ts measures what each module costs a fresh
 * process). A structural check, not a timed one: the modules a fresh process resolves, from a resolve hook.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { buildPackages } from "../scripts/built.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The file URLs a fresh Node process resolves while running `code` (an ES module body) from the repository root. */
function modulesLoadedBy(code: string): string[] {
  const hook = `data:text/javascript,${encodeURIComponent(
    `export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.startsWith("file:")) process.stderr.write("@module " + r.url + "\\n"); return r; }`,
  )}`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", `import { register } from "node:module"; register(${JSON.stringify(hook)}); ${code}`], {
    cwd: root,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return [...new Set(result.stderr.split("\n").filter((line) => line.startsWith("@module ")).map((line) => line.slice("@module ".length)))];
}

const openapiFetch = /\/openapi-fetch\//;
const batchRunner = /\/core\/dist\/batch\.js$/;
const joseRoot = /\/jose\/dist\/webapi\/index\.js$/;

beforeAll(() => buildPackages(["gitbook", "importio", "document360", "sharinpix"]), 120_000);

describe("importing a provider loads what its main flow needs, and no more", () => {
  it.each(["gitbook", "importio", "document360"])("@importkit/%s: not openapi-fetch (raw), not the batch runner (bulk)", (provider) => {
    const loaded = modulesLoadedBy(`await import("@importkit/${provider}");`);
    expect(loaded.some((url) => url.includes(`/packages/${provider}/dist/`))).toBe(true);
    expect(loaded.filter((url) => openapiFetch.test(url) || batchRunner.test(url))).toEqual([]);
  });

  it("@importkit/sharinpix: jose's JWT signer alone (not its root entry), not openapi-fetch, not the batch runner", () => {
    const loaded = modulesLoadedBy(`await import("@importkit/sharinpix");`);
    expect(loaded.filter((url) => joseRoot.test(url) || openapiFetch.test(url) || batchRunner.test(url))).toEqual([]);
    expect(loaded.filter((url) => url.includes("/jose/")).length).toBeLessThanOrEqual(12);
  });

  it("creating a client does not load openapi-fetch; the first raw call does", () => {
    const before = modulesLoadedBy(`const { createGitBookClient } = await import("@importkit/gitbook"); createGitBookClient({ token: "t" });`);
    expect(before.filter((url) => openapiFetch.test(url))).toEqual([]);
    const after = modulesLoadedBy(
      `const { createGitBookClient } = await import("@importkit/gitbook");` +
        `const raw = createGitBookClient({ token: "t", baseUrl: "http://127.0.0.1:9", maxRetries: 0 }).raw;` +
        `await raw.GET("/org/{organizationId}/imports/{importRunId}", { params: { path: { organizationId: "o", importRunId: "r" } } }).catch(() => {});`,
    );
    expect(after.filter((url) => openapiFetch.test(url))).toHaveLength(1);
  });
});
