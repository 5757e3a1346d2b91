/**
 * The SharinPix client against its twin: the client mints its JWTs from `twin.credentials.secretUrl` and the twin
 * verifies them against its secret. (One client-level file per provider.)
 */
import { describe, expect, it } from "vitest";
import { createTwin } from "@importkit/twin";
import { createSharinPixClient } from "@importkit/sharinpix";

describe("SharinPix client ↔ twin", () => {
  it("starts an import (form body, then JSON) and waits for its image", async () => {
    const twin = createTwin({ provider: "sharinpix" });
    const sharinpix = createSharinPixClient({ secretUrl: twin.credentials.secretUrl, fetch: twin.fetch });
    for (const encoding of ["form", "json"] as const) {
      const created = await sharinpix.imports.start(
        { album_id: twin.credentials.albumId, import_type: "salesforce", content_document_id: "0694I000008HV8MQAW" },
        { encoding },
      );
      expect(created.image_id).toBeNull();
      const done = await sharinpix.imports.waitFor(created.id, { interval: 1, maxInterval: 1 });
      expect(done.image_id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(twin.requests.map((r) => r.headers["content-type"]?.split(";")[0]).filter(Boolean)).toEqual(["application/x-www-form-urlencoded", "application/json"]);
  });

  it("is refused with a token signed by another secret", async () => {
    const twin = createTwin({ provider: "sharinpix" });
    const wrong = twin.credentials.secretUrl.replace(twin.credentials.secret, "not-the-secret");
    const sharinpix = createSharinPixClient({ secretUrl: wrong, fetch: twin.fetch, maxRetries: 0 });
    await expect(sharinpix.imports.start({ album_id: twin.credentials.albumId, url: "https://images.example.com/1.jpg" })).rejects.toMatchObject({ status: 401 });
  });
});
