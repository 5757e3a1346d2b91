// Kept equal to package.json by the changesets version step (see scripts); a test checks it.
export const VERSION = "0.1.0";
