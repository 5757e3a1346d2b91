// scripts/size.mjs measures what a browser loads for a flow: a dynamic import is a chunk of its own, fetched only
// when used (as every web bundler splits it), so it is printed beside the budget, not counted in it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { measure } from "../scripts/size.mjs";

const work = mkdtempSync(join(tmpdir(), "importkit-size-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Text that gzip cannot shrink much: a few KB stay a few KB. */
const bulky = (seed: number) => Array.from({ length: 400 }, (_, i) => `"${((i + 1) * 2654435761 * seed).toString(36)}"`).join(",");

describe("scripts/size.mjs", () => {
  it("counts a statically imported module in the budget, a dynamically imported one beside it", async () => {
    writeFileSync(join(work, "shared.mjs"), `export const shared = [${bulky(3)}];\n`);
    writeFileSync(join(work, "lazy.mjs"), `import { shared } from "./shared.mjs";\nexport const lazy = [${bulky(7)}, shared.length];\n`);
    writeFileSync(join(work, "entry.mjs"), `import { shared } from "./shared.mjs";\nexport const count = shared.length;\nexport const later = () => import("./lazy.mjs");\n`);
    writeFileSync(join(work, "static.mjs"), `import { shared } from "./shared.mjs";\nimport { lazy } from "./lazy.mjs";\nexport const count = shared.length + lazy.length;\n`);
    const split = await measure(join(work, "entry.mjs"));
    const whole = await measure(join(work, "static.mjs"));
    // The lazy module's few KB are outside the budget, yet measured; imported statically, they are inside it.
    expect(split.lazy.gzipped).toBeGreaterThan(2000);
    expect(whole.lazy.gzipped).toBe(0);
    expect(whole.gzipped).toBeGreaterThan(split.gzipped + 2000);
    // The module both import is loaded with the flow: in the budget, never counted as lazy.
    expect(split.gzipped).toBeGreaterThan(2000);
  });
});
