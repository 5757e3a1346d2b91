// Two providers installed side by side share one @importkit/core (scripts/smoke.mjs runs this in the consumer
// project): exactly one copy on disk, and an error thrown by one provider's client is an instance of the classes
// the other provider exports. Prints what it saw as one JSON line.
import { createGitBookClient } from "@importkit/gitbook";
import * as importio from "@importkit/importio";
import * as core from "@importkit/core";

// A 404 served by a fetch of our own: no server needed, the client's own error path runs.
const notFound = async () =>
  new Response(JSON.stringify({ error: { code: 404, message: "Not found" } }), { status: 404, headers: { "content-type": "application/json" } });
const gitbook = createGitBookClient({ token: "smoke-token", fetch: notFound, maxRetries: 0 });
const error = await gitbook.imports.get("run", { organizationId: "org" }).then(
  () => undefined,
  (e) => e,
);

console.log(
  JSON.stringify({
    thrown: error?.name,
    isImportioApiError: error instanceof importio.ApiError,
    isImportioNotFoundError: error instanceof importio.NotFoundError,
    isCoreImportkitError: error instanceof core.ImportkitError,
  }),
);
