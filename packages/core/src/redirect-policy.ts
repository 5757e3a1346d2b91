/**
 * What importkit does with a redirect, the same on every transport (docs/reliability.md "Redirects"). Every
 * transport is asked for `redirect: "manual"`, and the pipeline follows a redirect itself only when this policy says
 * so, so that no credential can reach an origin it was not configured for:
 *
 * - **API calls** follow a redirect only to the same origin (scheme, host and port), where the credentials belong.
 *   Any other origin is a RedirectError naming the redacted `Location`: the request, its credentials and its body
 *   (a SharinPix URL import carries the image host's `Authorization` in it) are never sent there.
 * - **Downloads** (result files, exports) may follow to another origin, as vendors serve files from storage hosts,
 *   with every credential stripped: nothing the client adds for the API (Authorization, api_token, `_apikey`), none
 *   of the caller's headers, only what the download needs (`Accept`, `User-Agent`). A `Location` that itself carries
 *   one of the client's secrets is refused.
 * - **Never https → http**: a downgrade is refused for every call, credentials or not.
 * - At most MAX_REDIRECTS hops; `303` (and `301`/`302` after a POST) continue as a GET without a body, as fetch does.
 */

export const MAX_REDIRECTS = 20;
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Headers a download keeps on a hop to another origin. */
const CROSS_ORIGIN_SAFE_HEADERS: ReadonlySet<string> = new Set(["accept", "user-agent", "accept-encoding", "accept-language"]);

export type CallKind = "api" | "download";

export type RedirectVerdict =
  | { follow: true; url: URL; method: string; dropBody: boolean; crossOrigin: boolean }
  | { follow: false; reason: string };

export interface RedirectInput {
  kind: CallKind;
  status: number;
  method: string;
  from: URL;
  location: string;
  /** The origin the client's credentials are for. */
  configuredOrigin: string;
  hops: number;
  /** Whether a text holds one of the client's secrets. */
  holdsSecret: (text: string) => boolean;
}

export function decideRedirect(input: RedirectInput): RedirectVerdict {
  if (input.hops >= MAX_REDIRECTS) return { follow: false, reason: `more than ${MAX_REDIRECTS} redirects` };
  let next: URL;
  try {
    next = new URL(input.location, input.from);
  } catch {
    return { follow: false, reason: "the Location is not a URL" };
  }
  if (next.protocol !== "http:" && next.protocol !== "https:") return { follow: false, reason: `a ${next.protocol} URL is never followed` };
  if (input.from.protocol === "https:" && next.protocol === "http:") {
    return { follow: false, reason: "from https to plain http (nothing is sent unencrypted after a downgrade)" };
  }
  const crossOrigin = next.origin !== input.configuredOrigin;
  if (crossOrigin && input.kind === "api") {
    return { follow: false, reason: "to another origin (API calls and their credentials stay on the API's origin)" };
  }
  if (crossOrigin && input.holdsSecret(next.href)) {
    return { follow: false, reason: "to another origin with one of the client's secrets in the URL" };
  }
  const method = input.method.toUpperCase();
  const toGet = input.status === 303 ? method !== "GET" && method !== "HEAD" : (input.status === 301 || input.status === 302) && method === "POST";
  return { follow: true, url: next, method: toGet ? "GET" : method, dropBody: toGet, crossOrigin };
}

/** The headers a download may carry to another origin: none of the client's or the caller's, only the safe ones. */
export function crossOriginHeaders(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name in headers) if (CROSS_ORIGIN_SAFE_HEADERS.has(name.toLowerCase())) kept[name] = headers[name]!;
  return kept;
}
