import { ValidationError } from "@importkit/core";
import { Redactor } from "@importkit/core/internal";

/** Where a Document360 project lives. A token only works against its own project's data center. */
export type Document360Region = "eu" | "us" | { privateHost: string };

/** The API origins of the public data centers (the spec's `servers`). */
export const REGION_BASE_URLS = {
  eu: "https://apihub.document360.io",
  us: "https://apihub.us.document360.io",
} as const;

// One DNS label: it is spliced into `apihub.{label}.document360.io`, so a dot, slash, `@`, `:` or `#` would let
// the value move the request to another host or path (and the api_token with it).
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * The API origin for a region: `eu` (the default), `us`, or `{ privateHost: "acme" }` for
 * `https://apihub.acme.document360.io`. Anything else is a ValidationError naming `region`.
 * `redactor` keeps a secret passed by mistake (the token as the region) out of the message.
 */
export function baseUrlForRegion(region: Document360Region | undefined = "eu", redactor = new Redactor()): string {
  if (region === "eu" || region === "us") return REGION_BASE_URLS[region];
  // Callers in plain JavaScript (or with a config file) can pass anything.
  const given: unknown = region;
  if (typeof given === "string") {
    // Redacted whole, then cut: a cut first could leave the start of a token that no longer matches it whole.
    const shown = JSON.stringify(redactor.cut(given, 40));
    throw new ValidationError(`unknown region ${shown}: use "eu" (the default), "us" or { privateHost: "<your subdomain>" }`, "region");
  }
  if (region === null || typeof region !== "object" || !("privateHost" in region)) {
    throw new ValidationError(`region must be "eu", "us" or { privateHost: "<your subdomain>" }`, "region");
  }
  const host = region.privateHost;
  if (typeof host !== "string" || !HOST_LABEL.test(host)) {
    throw new ValidationError(
      `must be the subdomain label Document360 gave your private instance (letters, digits and inner hyphens, ` +
        `e.g. "acme" for https://apihub.acme.document360.io), ${describeBadHost(host)}`,
      "region.privateHost",
    );
  }
  // A token pasted here would travel in clear to DNS and to whoever answers for that name: refused, unnamed.
  if (redactor.hasSecret(host)) throw new ValidationError("holds the API token: it must be the subdomain label of your private instance", "region.privateHost");
  return `https://apihub.${host.toLowerCase()}.document360.io`;
}

// Says what is wrong without echoing the value: a URL pasted here may carry credentials.
function describeBadHost(host: unknown): string {
  if (typeof host !== "string") return `got ${host === null ? "null" : typeof host}`;
  if (host === "") return "got an empty string";
  if (host.includes("://") || host.includes("/")) return "not a URL or a path";
  if (host.includes(".")) return "not a full host name";
  return "got characters a host label cannot have";
}
