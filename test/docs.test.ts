/**
 * The docs cannot rot silently: every relative link, every file path and every source file name that README.md,
 * docs/*.md and the package READMEs name must exist; a link to a heading must find it; a README example reads only
 * the environment variables scripts/smoke.mjs sets; and the README's vitest examples are the test files in
 * test/examples/, byte for byte, so what the README shows is what this repository runs.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EXAMPLE_ENVIRONMENT, extractExamples, importedPackages } from "../scripts/readme-examples.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const SKIPPED_DIRS = new Set(["node_modules", ".git", "dist", "tmp", ".turbo"]);

/** The documents a reader is sent to. */
const documents = [
  "README.md",
  ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`),
  ...readdirSync(join(root, "packages"))
    .map((dir) => `packages/${dir}/README.md`)
    .filter((file) => existsSync(join(root, file))),
  "test/packed/README.md",
];

function repositoryFiles(dir = root, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) repositoryFiles(path, found);
    else found.push(relative(root, path).replaceAll("\\", "/"));
  }
  return found;
}
const fileNames = new Set(repositoryFiles().map((file) => basename(file)));

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^ {0,3}(`{3,}|~{3,})/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) anchors.add(anchorOf(heading[1]!));
  }
  return anchors;
}

/** Markdown without its fenced blocks (code quotes paths of the user's own files, not ours). */
function prose(markdown: string): string {
  return markdown.replace(/^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?^ {0,3}\1[^\n]*$/gm, "");
}

const ROOT_DIRS = ["packages", "test", "scripts", "bench", "specs", "docs", ".changeset", ".ci"];
const CODE_FILE = /\.(?:ts|mts|mjs|cjs|js|json|yaml|yml)$/;

/**
 * What a document names that does not exist: relative links (and their `#heading`), repository paths
 * (`packages/core/src/options.ts`, relative to the repository or to the document), and file names in backticks
 * (`retry-policy.ts`, `core/retry-policy.ts`: some file of the repository must have that name). Placeholders (`<provider>`, `*`, `{a,b}`)
 * are not checked.
 */
function brokenReferences(markdown: string, document: string, exists = (path: string) => existsSync(join(root, path))): string[] {
  const problems: string[] = [];
  const here = dirname(document);
  const text = prose(markdown);
  const placeholder = (path: string) => /[<>*{}]|\.\.\./.test(path);

  for (const [, target] of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue; // https:, mailto:
    const [path, fragment] = target!.split("#") as [string, string | undefined];
    const file = path === "" ? document : join(here, decodeURIComponent(path)).replaceAll("\\", "/");
    if (!exists(file)) {
      problems.push(`link ${target}: ${file} does not exist`);
      continue;
    }
    if (fragment && file.endsWith(".md")) {
      const source = file === document ? markdown : readFileSync(join(root, file), "utf8");
      if (!anchorsOf(source).has(fragment)) problems.push(`link ${target}: no heading #${fragment} in ${file}`);
    }
  }

  const paths = new Set<string>();
  const withoutLinks = text.replace(/\]\([^)]*\)/g, "]");
  for (const [, path] of withoutLinks.matchAll(new RegExp(`(?<![\\w./@-])((?:${ROOT_DIRS.map((d) => d.replace(".", "\\.")).join("|")})/[\\w./<>*{},-]*[\\w>*}])`, "g"))) paths.add(path!);
  for (const path of paths) {
    if (placeholder(path)) continue;
    const trimmed = path.replace(/\/$/, "");
    if (!exists(trimmed) && !exists(join(here, trimmed).replaceAll("\\", "/"))) problems.push(`path ${path} does not exist`);
  }

  for (const [, code] of text.matchAll(/`([^`\n]+)`/g)) {
    const quoted = code!.trim();
    if (quoted.includes(" ") || placeholder(quoted) || !CODE_FILE.test(quoted)) continue;
    // A file name (or the end of a path such as `core/retry.ts`), not an extension (`.mjs`) or a placeholder (`FILE.json`).
    const name = quoted.split("/").pop()!;
    if (!/^[a-z0-9_]/.test(name)) continue;
    if (!fileNames.has(name)) problems.push(`file ${quoted}: no file of the repository has that name`);
  }
  return problems;
}

describe("references in the docs", () => {
  it.each(documents)("%s names only links, paths and files that exist", (document) => {
    expect(brokenReferences(readFileSync(join(root, document), "utf8"), document)).toEqual([]);
  });

  it("finds what is missing: a path, a link, a heading, a file name (the check itself)", () => {
    const markdown = [
      "# Title",
      "See [reliability](docs/reliability.md#redirects), [gone](docs/nope.md) and [here](#no-such-heading), [there](#title).",
      "The loop lives in `packages/core/src/retry.ts` beside packages/core/src/pipeline.ts; `wait.ts` and `core/paginate.ts` were removed.",
      "Placeholders are not checked: `packages/<provider>/src/generated/operations.ts`, `specs/*/openapi.yaml`.",
      "```ts",
      'import "./packages/core/src/in-a-code-block-is-the-reader-s-own.ts";',
      "```",
    ].join("\n");
    expect(brokenReferences(markdown, "README.md")).toEqual([
      "link docs/nope.md: docs/nope.md does not exist",
      "link #no-such-heading: no heading #no-such-heading in README.md",
      "path packages/core/src/retry.ts does not exist",
      "file packages/core/src/retry.ts: no file of the repository has that name",
      "file wait.ts: no file of the repository has that name",
      "file core/paginate.ts: no file of the repository has that name",
    ]);
  });

  it("reads anchors as GitHub makes them", () => {
    expect(anchorOf("The `importkit` command")).toBe("the-importkit-command");
    expect(anchorOf("Testing your code with importkit")).toBe("testing-your-code-with-importkit");
    expect(anchorOf("Files (saveTo)")).toBe("files-saveto");
  });
});

describe("README examples", () => {
  const readmes = documents.filter((d) => d.endsWith("README.md") && d !== "test/packed/README.md");
  const examples = readmes.flatMap((readme) => extractExamples(readFileSync(join(root, readme), "utf8")).map((e) => ({ ...e, where: `${readme}:${e.line}` })));
  const testFiles = readdirSync(join(root, "test", "examples"))
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => ({ name: `test/examples/${f}`, code: readFileSync(join(root, "test", "examples", f), "utf8") }));

  it("read only the environment variables scripts/smoke.mjs sets from the twins", () => {
    const read = examples.flatMap((e) => [...e.code.matchAll(/process\.env\.(\w+)|process\.env\[["'](\w+)["']\]/g)].map((m) => ({ name: m[1] ?? m[2]!, where: e.where })));
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter((r) => !EXAMPLE_ENVIRONMENT.includes(r.name))).toEqual([]);
  });

  it("each vitest example is a test file of test/examples/, byte for byte, and each such file is shown", () => {
    const vitestExamples = examples.filter((e) => importedPackages(e.code).includes("vitest"));
    expect(vitestExamples.length).toBeGreaterThan(0);
    for (const example of vitestExamples) {
      expect(example.run, `${example.where}: a vitest example is compile-only (vitest runs it as test/examples/…)`).toBe(false);
      const same = testFiles.find((file) => file.code === example.code);
      expect(same?.name, `${example.where}: no file in test/examples/ holds exactly this code`).toBeDefined();
    }
    for (const file of testFiles) {
      expect(vitestExamples.some((e) => e.code === file.code), `${file.name} is shown in no README`).toBe(true);
    }
  });
});
