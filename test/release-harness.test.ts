/**
 * The pieces of the release checks that decide pass or fail by themselves, each on a small case of its own:
 * - which README blocks scripts/smoke.mjs runs, and which it only typechecks (scripts/readme-examples.mjs);
 * - test/packed/loopback.mjs, which routes a README example's API calls (fetch and node:https) to loopback and
 *   refuses every other host, so no example reaches the internet;
 * - scripts/size.mjs: a Node built-in in a browser bundle fails, unless listed as known, and a listed one that is
 *   gone fails too; a bundle over its budget fails.
 */
import { execFile } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { extractExamples, importedPackages } from "../scripts/readme-examples.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "importkit-harness-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: work, env, encoding: "utf8" }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }));
  });
}

describe("README examples", () => {
  it("takes the ```ts smoke and ```js smoke blocks, with the line they start on, and nothing else", () => {
    const markdown = [
      "# Title", // 1
      "```ts smoke", // 2
      "const a: number = 1;", // 3
      "```", // 4
      "```ts", // 5
      "not run", // 6
      "```", // 7
      "````js smoke", // 8
      "```", // 9
      "inner fence", // 10
      "````", // 11
      "```sh", // 12
      "npm install smoke", // 13
      "```", // 14
    ].join("\n");
    expect(extractExamples(markdown)).toEqual([
      { ext: "ts", code: "const a: number = 1;\n", line: 2, run: true },
      { ext: "mjs", code: "```\ninner fence\n", line: 8, run: true },
    ]);
  });

  it("marks a ```ts smoke compile-only block as typechecked, not run", () => {
    const markdown = ["```ts smoke compile-only", 'import { it } from "vitest";', "it('works', () => {});", "```", "```ts smoke", "run();", "```"].join("\n");
    expect(extractExamples(markdown)).toEqual([
      { ext: "ts", code: 'import { it } from "vitest";\nit(\'works\', () => {});\n', line: 1, run: false },
      { ext: "ts", code: "run();\n", line: 5, run: true },
    ]);
  });

  it("refuses a smoke block in a language it cannot run, compile-only on js, and any other word after smoke", () => {
    expect(() => extractExamples("```sh smoke\nls\n```\n")).toThrow(/line 1: a smoke example must be fenced as ts or js/);
    expect(() => extractExamples("```js smoke compile-only\nrun();\n```\n")).toThrow(/line 1: compile-only needs a ts block/);
    expect(() => extractExamples("\n```ts smoke compile_only\nrun();\n```\n")).toThrow(/line 2: unknown word after smoke: compile_only/);
  });

  it("names the packages an example imports (what smoke installs beside the tarballs), Node built-ins and relative files left out", () => {
    const code = [
      'import { expect, it } from "vitest";',
      'import { setupServer } from "msw/node";',
      'import { startTwin } from "@importkit/twin/server";',
      'import { readFile } from "node:fs/promises";',
      'import type { Local } from "./local.js";',
      "import {",
      "  createGitBookClient,",
      '} from "@importkit/gitbook";',
      'const lazy = await import("@scope/pkg/sub");',
      "it(\"reports the import's failure\", () => console.log('import \"quoted\" from \"nowhere\"'));",
    ].join("\n");
    expect(importedPackages(code)).toEqual(["@importkit/gitbook", "@importkit/twin", "@scope/pkg", "msw", "vitest"]);
  });
});

describe("test/packed/loopback.mjs", () => {
  it("routes an API's prefix to a loopback prefix for fetch and node:https, keeping the rest of the URL, and refuses any other host", async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.end("ok");
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const script = join(work, "example.mjs");
    writeFileSync(
      script,
      `import { request } from "node:https";
const viaFetch = await (await fetch("https://api.example.test/v1/items?page=2")).text();
const viaHttps = await new Promise((resolve, reject) =>
  request(new URL("https://api.example.test/v1/files/1"), { method: "GET" }, (res) => { let body = ""; res.on("data", (c) => (body += c)); res.on("end", () => resolve(body)); }).on("error", reject).end(),
);
const refused = await fetch("https://elsewhere.test/").then(() => "sent", (e) => e.message);
console.log(JSON.stringify({ viaFetch, viaHttps, refused }));
`,
    );
    try {
      const { code, output } = await run(["--import", join(root, "test", "packed", "loopback.mjs"), script], {
        ...process.env,
        IMPORTKIT_SMOKE_ROUTES: JSON.stringify([["https://api.example.test/v1", `${origin}/twin/v1`]]),
      });
      expect(output).not.toMatch(/Error/);
      expect(code).toBe(0);
      expect(JSON.parse(output)).toEqual({ viaFetch: "ok", viaHttps: "ok", refused: expect.stringContaining("https://elsewhere.test is not a routed API and not loopback") });
      expect(seen).toEqual(["GET /twin/v1/items?page=2", "GET /twin/v1/files/1"]);
    } finally {
      server.close();
    }
  });
});

describe("scripts/size.mjs", () => {
  const entry = join(work, "entry.mjs");
  writeFileSync(entry, `import { readFileSync } from "node:fs";\nexport const read = (p) => readFileSync(p, "utf8").length;\n`);
  const sizeWith = (settings: Record<string, unknown>) => {
    const budgets = join(work, `budgets-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(budgets, JSON.stringify({ entries: { sample: { entry: "entry.mjs", budget: null, knownNodeImports: [], ...settings } } }));
    return run([join(root, "scripts", "size.mjs"), "--budgets", budgets, "--no-build"]);
  };

  it.concurrent("fails on a Node built-in in the browser bundle, naming it and its importer", async () => {
    const { code, output } = await sizeWith({});
    expect(output).toContain("sample: the browser bundle imports node:fs (from ");
    expect(code).toBe(1);
  });

  it.concurrent("passes a known Node built-in, and fails when a known one is gone", async () => {
    expect((await sizeWith({ knownNodeImports: ["node:fs"] })).code).toBe(0);
    const gone = await sizeWith({ knownNodeImports: ["node:fs", "node:zlib"] });
    expect(gone.output).toContain("node:zlib is no longer imported");
    expect(gone.code).toBe(1);
  });

  it.concurrent("fails over its budget, and prints the size beside it", async () => {
    const { code, output } = await sizeWith({ knownNodeImports: ["node:fs"], budget: 10 });
    expect(output).toMatch(/sample\s+\d+ B min\+gzip .* budget 10 B/);
    expect(output).toContain("over its budget of 10 B");
    expect(code).toBe(1);
  });
});
