// The README code blocks that scripts/smoke.mjs runs from the packed tarballs. A block takes part when its fence's
// info string is a language followed by the word `smoke`:
//
//   ```ts smoke          typechecked (strict; nodenext, bundler and Node-only configs), compiled, then run
//   ```js smoke          run as an ES module (.mjs)
//
// GitHub and npm render the block by its first word as usual; the marker is invisible to readers. Each block must
// be a complete module (its own imports) that ends by itself. It runs with `GITBOOK_TOKEN`, `IMPORTIO_API_KEY`,
// `DOCUMENT360_API_TOKEN` and `SHARINPIX_SECRET_URL` set to dummies, and every request to a provider's API is
// routed to a mock server on loopback (test/packed/loopback.mjs); any other request fails the example.
import { readFileSync } from "node:fs";

const LANGUAGES = { ts: "ts", typescript: "ts", tsx: "ts", js: "mjs", javascript: "mjs", mjs: "mjs" };

/**
 * The marked blocks of one Markdown text: `{ ext, code, line }` (`ext` "ts" or "mjs"; `line`, 1-based, of the
 * opening fence). Fences of three or more backticks or tildes, closed by the same character at least as long.
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
    if (words.includes("smoke") && LANGUAGES[language?.toLowerCase()]) {
      const body = lines.slice(i + 1, close).map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line));
      examples.push({ ext: LANGUAGES[language.toLowerCase()], code: `${body.join("\n")}\n`, line: i + 1 });
    } else if (words.includes("smoke")) {
      throw new Error(`line ${i + 1}: a smoke example must be fenced as ts or js, not "${language}"`);
    }
    i = close;
  }
  return examples;
}

export function examplesOf(file) {
  return extractExamples(readFileSync(file, "utf8"));
}
