// @importkit/gitbook's main flow in a browser bundle (scripts/size.mjs bundles it with esbuild, --platform=browser,
// from the built dist/): create the client, start a website import, wait for it.
import { createGitBookClient } from "@importkit/gitbook";

export async function importWebsite(token, organizationId, space, url, onProgress) {
  const gitbook = createGitBookClient({ token });
  const run = await gitbook.imports.start({ organizationId, source: { type: "website", url }, target: { space } });
  return gitbook.imports.waitFor(run.id, { organizationId }, { onProgress });
}
