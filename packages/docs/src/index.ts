import { fileURLToPath } from "node:url";
import { isProvider, providers, type Provider } from "@importkit/specs";

export { providers, type Provider };

/**
 * Absolute path of a provider's offline reference page (`@importkit/docs/<provider>.html`), or of the index page
 * linking them all. Each page is one self-contained HTML file: Redoc's scripts are inlined, nothing is fetched.
 */
export function docsPath(page: Provider | "index"): string {
  if (page !== "index" && !isProvider(page)) {
    throw new TypeError(`Unknown provider "${String(page)}". Known providers: ${providers.join(", ")} (or "index").`);
  }
  return fileURLToPath(new URL(`./${page}.html`, import.meta.url));
}
