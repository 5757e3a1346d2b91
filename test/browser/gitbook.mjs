// @importkit/gitbook in a browser, as test/browser-clients.test.ts bundles it (esbuild and Vite, for browsers) and
// runs it in Chromium against test/client-scenario.ts's loopback server (`base`, the page's own origin).
// Start, then waitFor through a retried 503; a refused input is a ValidationError; a 401 echoing the token is an
// AuthenticationError without it. Returns what it saw.
import { AuthenticationError, createGitBookClient, ValidationError } from "@importkit/gitbook";
import { leaks } from "./leaks.mjs";

export async function run({ base, gitbookToken }) {
  const gitbook = createGitBookClient({ token: gitbookToken, baseUrl: `${base}/gitbook` });
  const started = await gitbook.imports.start({ organizationId: "org_1", source: { type: "website", url: "https://example.com" }, target: { space: "s" } });
  const polled = [];
  const done = await gitbook.imports.waitFor(started.id, { organizationId: "org_1" }, { interval: 10, onProgress: (r) => polled.push(r.status) });
  const refused = await gitbook.imports.start({ organizationId: "org_1", source: { type: "website", url: "https://example.com" } }).catch((e) => e);
  const denied = await gitbook.imports.get("denied", { organizationId: "org_1" }).catch((e) => e);
  return {
    started: started.id,
    final: done.status,
    polled,
    refused: { isValidationError: refused instanceof ValidationError, fields: refused.issues?.map((i) => i.path) },
    denied: { isAuthenticationError: denied instanceof AuthenticationError, status: denied.status, leaks: leaks(denied, gitbookToken) },
  };
}
