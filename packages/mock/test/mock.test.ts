import { describe, expect, it } from "vitest";
import { providers, startMockServer, startMockServers } from "@importkit/mock";

describe("@importkit/mock", () => {
  it("serves every provider's spec on its own free port, with request validation", async () => {
    const { servers, close } = await startMockServers();
    try {
      const urls = providers.map((p) => servers[p].url);
      expect(new Set(urls).size).toBe(providers.length);
      // No credentials: each spec's security requirement makes Prism answer 401.
      const unauthenticated = await fetch(`${servers.gitbook.url}/org/acme/imports`);
      expect(unauthenticated.status).toBe(401);
      const ok = await fetch(`${servers.gitbook.url}/org/acme/imports`, { headers: { Authorization: "Bearer t" } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get("sl-violations")).toBeNull();
    } finally {
      await close();
    }
  });

  it("rejects an unknown provider with a clear error", async () => {
    await expect(startMockServer({ provider: "confluence" as never })).rejects.toThrow(/Unknown provider "confluence"/);
  });
});
