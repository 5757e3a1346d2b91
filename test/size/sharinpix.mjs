// Placeholder for @importkit/sharinpix's main flow in a browser bundle (scripts/size.mjs bundles it with esbuild,
// --platform=browser, from the built dist/). Replace with the flow the README shows: create the client, start, wait.
export { createSharinPixClient } from "@importkit/sharinpix";
