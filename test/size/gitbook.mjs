// Placeholder for @importkit/gitbook's main flow in a browser bundle (scripts/size.mjs bundles it with esbuild,
// --platform=browser, from the built dist/). Replace with the flow the README shows: create the client, start, wait.
export { createGitBookClient } from "@importkit/gitbook";
