/**
 * The SharinPix twin over plain fetch: imports from a URL, an Attachment and a ContentDocument (JSON and the
 * documented form body), `image_id` set once processed, `X-token`, and the JWT checked against the configured
 * secret: wrong secret, wrong issuer, expired, not allowed on the album and missing all get the documented 401 (empty
 * body, `X-message: Access denied`). Every answer is checked against the spec.
 */
import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createTwin, type Twin } from "@importkit/twin";
import { parseRailsForm } from "../src/providers/sharinpix.ts";
import { checked, violations } from "./spec-check.ts";

let twin: Twin<"sharinpix">;

/** An HS256 JWT as SharinPix clients mint it. */
function jwt(claims: Record<string, unknown>, secret: string, alg = "HS256"): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const head = `${part({ typ: "JWT", alg })}.${part(claims)}`;
  return `${head}.${createHmac("sha256", secret).update(head).digest("base64url")}`;
}

function api(t: Twin<"sharinpix">, claims: Record<string, unknown> = { admin: true }, secret = t.credentials.secret) {
  const now = Math.floor(Date.now() / 1000);
  const token = jwt({ iss: t.credentials.secretId, iat: now, exp: now + 3600, ...claims }, secret);
  const f = checked(t);
  const authorization = `Token token="${token}"`;
  const base = `${t.baseUrl}`;
  return {
    token,
    create: (body: Record<string, unknown>) => f(`${base}/imports`, { method: "POST", headers: { authorization, "content-type": "application/json" }, body: JSON.stringify(body) }),
    createForm: (body: string) => f(`${base}/imports`, { method: "POST", headers: { authorization, "content-type": "application/x-www-form-urlencoded" }, body }),
    get: (id: string) => f(`${base}/imports/${id}`, { headers: { authorization } }),
  };
}

afterEach(() => {
  expect(violations(twin)).toEqual([]);
});

describe("SharinPix twin", () => {
  it("has a secret URL naming the twin, and an album", () => {
    twin = createTwin({ provider: "sharinpix", credentials: { secretId: "sid", secret: "s3cret" } });
    expect(twin.credentials.secretUrl).toBe("sharinpix://sid:s3cret@sharinpix.twin.invalid/api/v1");
    expect(twin.baseUrl).toBe("https://sharinpix.twin.invalid/api/v1");
    expect(twin.seeded.albumId).toBe(twin.credentials.albumId);
  });

  it("imports from a URL, an Attachment and a ContentDocument; image_id is set once processed", async () => {
    twin = createTwin({ provider: "sharinpix" });
    const a = api(twin);
    const album = twin.credentials.albumId;
    const bodies = [
      { album_id: album, url: "https://images.example.com/1.jpg", filename: "1.jpg" },
      { album_id: album, import_type: "salesforce", attachment_id: "00P4I00000zyw3eUAA", metadatas: { attachmentId: "00P4I00000zyw3eUAA" } },
      { album_id: album, import_type: "salesforce", content_document_id: "0694I000008HV8MQAW" },
    ];
    for (const body of bodies) {
      const created = await a.create(body);
      expect(created.status).toBe(200);
      expect(created.headers.get("x-token")).toBe(a.token);
      const record = await created.json();
      expect(record).toMatchObject({ image_id: null, album_id: album, import_type: (body as { import_type?: string }).import_type ?? null, params: { ...body, controller: "api/v1/imports", action: "create" } });
      const processed = await (await a.get(record.id)).json();
      expect(processed.image_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(processed.updated_at >= processed.created_at).toBe(true);
    }
  });

  it("reads the documented form body with Rails nested parameters", async () => {
    twin = createTwin({ provider: "sharinpix" });
    const a = api(twin);
    const created = await a.createForm(
      "album_id=5005800000HEXCtAAP&filename=Image456.jpg&import_type=salesforce&metadatas[contentDocumentId]=0694I000008HV8MQAW&content_document_id=0694I000008HV8MQAW",
    );
    expect(created.status).toBe(200);
    expect((await created.json()).params).toEqual({
      album_id: "5005800000HEXCtAAP",
      filename: "Image456.jpg",
      import_type: "salesforce",
      metadatas: { contentDocumentId: "0694I000008HV8MQAW" },
      content_document_id: "0694I000008HV8MQAW",
      controller: "api/v1/imports",
      action: "create",
    });
    expect(parseRailsForm("tags[]=a&tags[]=b&headers[Authorization]=Token+x&a[b][c]=1")).toEqual({ tags: ["a", "b"], headers: { Authorization: "Token x" }, a: { b: { c: "1" } } });
  });

  it("never processes an import marked to fail (SharinPix has no failure state)", async () => {
    twin = createTwin({ provider: "sharinpix" });
    const a = api(twin);
    twin.failNextImport();
    const { id } = await (await a.create({ album_id: twin.credentials.albumId, url: "https://images.example.com/broken.jpg" })).json();
    for (let i = 0; i < 3; i++) expect((await (await a.get(id)).json()).image_id).toBeNull();
    expect((await a.get("3d172b54-f40f-4df9-9342-0b042fac5382")).status).toBe(404);
  });

  it("answers the documented 401 (empty body, X-message) to every token it should not accept", async () => {
    twin = createTwin({ provider: "sharinpix" });
    const body = { album_id: twin.credentials.albumId, url: "https://images.example.com/1.jpg" };
    const past = Math.floor(Date.now() / 1000) - 10;
    const refusals = [
      api(twin, { admin: true }, "not-the-secret"),
      api(twin, { iss: "someone-else", admin: true }),
      api(twin, { exp: past, admin: true }),
      api(twin, { abilities: { otherAlbum: { Access: { image_upload: true } } } }),
    ];
    for (const a of refusals) {
      const refused = await a.create(body);
      expect(refused.status).toBe(401);
      expect(refused.headers.get("x-message")).toBe("Access denied");
      expect(refused.headers.get("x-token")).toBeNull();
      expect(await refused.text()).toBe("");
    }
    const f = checked(twin);
    expect((await f(`${twin.baseUrl}/imports`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).status).toBe(401);
    const none = jwt({ iss: twin.credentials.secretId, admin: true }, twin.credentials.secret, "none");
    expect((await f(`${twin.baseUrl}/imports`, { method: "POST", headers: { authorization: `Token token="${none}"`, "content-type": "application/json" }, body: JSON.stringify(body) })).status).toBe(401);
    // A token allowed on the album is enough.
    const allowed = api(twin, { abilities: { [twin.credentials.albumId]: { Access: { image_upload: true } } } });
    expect((await allowed.create(body)).status).toBe(200);
  });

  it("answers at the real host too, with the spec's base path", async () => {
    twin = createTwin({ provider: "sharinpix" });
    const a = api(twin);
    const { id } = await (await a.create({ album_id: twin.credentials.albumId, url: "https://images.example.com/1.jpg" })).json();
    const atReal = await twin.fetch(`https://api.sharinpix.com/api/v1/imports/${id}`, { headers: { authorization: `Token token="${a.token}"` } });
    expect(atReal.status).toBe(200);
    expect((await twin.fetch(`https://api.sharinpix.com/imports/${id}`)).status).toBe(404);
  });
});
