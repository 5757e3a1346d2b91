// `pnpm check-generated` fails when a spec changed and its generated types were not regenerated.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const scratch = mkdtempSync(join(tmpdir(), "importkit-check-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function copyTree() {
  const dir = mkdtempSync(join(scratch, "tree-"));
  cpSync(join(root, "redocly.yaml"), join(dir, "redocly.yaml"));
  cpSync(join(root, "specs"), join(dir, "specs"), { recursive: true });
  cpSync(join(root, "packages"), join(dir, "packages"), {
    recursive: true,
    filter: (src) => !src.includes("node_modules") && !src.includes(`${"/"}dist`),
  });
  return dir;
}

const check = (dir: string) =>
  spawnSync(process.execPath, [join(root, "scripts", "generate.mjs"), "--check"], {
    encoding: "utf8",
    env: { ...process.env, IMPORTKIT_ROOT: dir },
  });

// That it passes on the committed tree is `pnpm test`'s own "generated" step (scripts/test.mjs): not run twice here.
describe("check-generated", () => {
  it("fails, naming the file, when a spec changes without regenerating", () => {
    const dir = copyTree();
    const spec = join(dir, "specs", "gitbook", "openapi.yaml");
    writeFileSync(spec, readFileSync(spec, "utf8").replace("Unique ID of the import", "Unique ID of the import run (edited)"));
    const result = check(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("packages/gitbook/src/generated/schema.d.ts");
  });
});
