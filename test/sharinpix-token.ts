/**
 * SharinPix credentials as a test server sees them: `Authorization: Token token="<JWT>"`, an HS256 JWT signed with
 * the secret of the secret URL. Checked with node:crypto, so that the tests outside packages/sharinpix (which has
 * jose) can verify what a client minted on another runtime or in a browser.
 */
import { createHmac } from "node:crypto";

/** The JWT of a `Token token="…"` header, or undefined. */
export function tokenOf(header: unknown): string | undefined {
  return /^Token token="([^"]+)"$/.exec(String(header ?? ""))?.[1];
}

/** The claims of the header's JWT if its HS256 signature is right for `secret`, else undefined. */
export function verifiedClaims(header: unknown, secret: string): Record<string, unknown> | undefined {
  const [head, payload, signature] = tokenOf(header)?.split(".") ?? [];
  if (!head || !payload || !signature) return undefined;
  if (createHmac("sha256", secret).update(`${head}.${payload}`).digest("base64url") !== signature) return undefined;
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
}
