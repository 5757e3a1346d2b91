// Placeholder for @importkit/document360's main flow in a browser bundle (scripts/size.mjs bundles it with esbuild,
// --platform=browser, from the built dist/). Replace with the flow the README shows: create the client, start, wait.
export { createDocument360Client } from "@importkit/document360";
