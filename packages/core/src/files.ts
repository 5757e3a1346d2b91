/**
 * The way into `@importkit/core/node` from code that must also run in browsers: a client's `saveTo` loads the
 * file-system helpers only when called, so its package's main entry imports no `node:*` module.
 */
import { ImportkitError } from "./errors.js";

export type FileHelpers = typeof import("./node.js");
export type { SavedFile } from "./node.js";

/** `@importkit/core/node`, or an ImportkitError saying that `method` needs a file system (before any request). */
export async function loadFileHelpers(method: string): Promise<FileHelpers> {
  try {
    // `#files` is `./node.js`, or in a browser bundle `./files-browser.js` (package.json "imports", browser condition).
    return (await import("#files")) as FileHelpers;
  } catch (error) {
    throw new ImportkitError(`${method} needs a file system (Node.js, Bun or Deno); in a browser, await download() and read its body.`, {
      cause: error,
    });
  }
}
