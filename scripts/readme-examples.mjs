// The README code blocks that scripts/smoke.mjs checks from the packed tarballs. A block takes part when its fence's
// info string is a language followed by the word `smoke`:
//
//   ```ts smoke                typechecked (strict; nodenext, bundler and Node-only configs), compiled, then run
//   ```js smoke                run as an ES module (.mjs)
//   ```ts smoke compile-only   typechecked like any ts block, never run: code that needs a runner of its own (a
//                              vitest file; the repository runs the same code as a real test, see test/docs.test.ts)
//
// GitHub and npm render the block by its first word as usual; the marker is invisible to readers. Each block must
// be a complete module (its own imports); a block that runs must end by itself. It runs as a user would run it
// against the real APIs (no baseUrl), with every request to a provider's API routed to a twin of that API on
// loopback (@importkit/twin, test/packed/loopback.mjs; anything else fails the example) and with the environment
// variables below set to what that twin accepts and holds:
//
//   GITBOOK_TOKEN, GITBOOK_ORG_ID, GITBOOK_SPACE_ID                      a GitBook token, its organization and a space
//   IMPORTIO_API_KEY, IMPORTIO_EXTRACTOR_ID, IMPORTIO_REPORT_ID          an Import.io key, an extractor and a report
//   DOCUMENT360_API_TOKEN, DOCUMENT360_USER_ID                           a Document360 token, a team account's id
//   SHARINPIX_SECRET_URL, SHARINPIX_ALBUM_ID                             a SharinPix secret URL, an album
import { readFileSync } from "node:fs";

const LANGUAGES = { ts: "ts", typescript: "ts", tsx: "ts", js: "mjs", javascript: "mjs", mjs: "mjs" };

/** The environment variables a README example may read, as scripts/smoke.mjs sets them (see above). */
export const EXAMPLE_ENVIRONMENT = [
  "GITBOOK_TOKEN",
  "GITBOOK_ORG_ID",
  "GITBOOK_SPACE_ID",
  "IMPORTIO_API_KEY",
  "IMPORTIO_EXTRACTOR_ID",
  "IMPORTIO_REPORT_ID",
  "DOCUMENT360_API_TOKEN",
  "DOCUMENT360_USER_ID",
  "SHARINPIX_SECRET_URL",
  "SHARINPIX_ALBUM_ID",
];

/**
 * The marked blocks of one Markdown text: `{ ext, code, line, run }` (`ext` "ts" or "mjs"; `line`, 1-based, of the
 * opening fence; `run` false for `compile-only`). Fences of three or more backticks or tildes, closed by the same
 * character at least as long.
 */
export function extractExamples(markdown) {
  const examples = [];
  const lines = markdown.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*([^`]*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const end = lines.findIndex((line, j) => j > i && new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`).test(line));
    const close = end === -1 ? lines.length : end;
    const [language, ...words] = info.trim().split(/\s+/);
    if (words.includes("smoke")) {
      const ext = LANGUAGES[language?.toLowerCase()];
      if (!ext) throw new Error(`line ${i + 1}: a smoke example must be fenced as ts or js, not "${language}"`);
      const unknown = words.filter((word) => word !== "smoke" && word !== "compile-only");
      if (unknown.length) throw new Error(`line ${i + 1}: unknown word after smoke: ${unknown.join(" ")} (only compile-only)`);
      const run = !words.includes("compile-only");
      if (!run && ext !== "ts") throw new Error(`line ${i + 1}: compile-only needs a ts block (a js block is only checked by running it)`);
      const body = lines.slice(i + 1, close).map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line));
      examples.push({ ext, code: `${body.join("\n")}\n`, line: i + 1, run });
    }
    i = close;
  }
  return examples;
}

export function examplesOf(file) {
  return extractExamples(readFileSync(file, "utf8"));
}

/** The packages an example imports by name (`vitest`, `msw/node` → `msw`, `@importkit/twin/server` → `@importkit/twin`), Node built-ins left out. */
export function importedPackages(code) {
  const names = new Set();
  // Static imports and re-exports at the start of a line (`import {\n a,\n} from "x"` too), side-effect imports,
  // and dynamic `import("x")`; never the word "import" inside a string.
  const pattern = /^\s*(?:import|export)\b[^"';]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm;
  for (const match of code.matchAll(pattern)) {
    const specifier = match[1] ?? match[2] ?? match[3];
    if (!specifier || specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("node:")) continue;
    const parts = specifier.split("/");
    names.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]);
  }
  return [...names].sort();
}
