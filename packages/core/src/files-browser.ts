/**
 * What `./node.js` (the file helpers) is in a browser bundle: package.json's `browser` field and the `browser`
 * export condition map it here, so a bundler targeting browsers never sees a `node:` import. Loading it fails, and
 * `loadFileHelpers` turns that into an ImportkitError saying the call needs a file system.
 */
throw new Error("importkit's file helpers need a file system (Node.js, Bun or Deno); this is a browser build.");
