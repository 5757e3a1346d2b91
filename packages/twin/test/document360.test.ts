/**
 * The Document360 twin over plain fetch: an export from Initiated to Completed whose zip downloads from the twin, the
 * daily cap of 2 exports (the documented 400), an import of that zip back (Queued → InProgress → Completed with a
 * log), imports from a registered URL and from one the twin will not fetch, the documented 400s, `api_token`, and
 * the rate-limit headers. Every answer of the API is checked against the spec.
 */
import { strFromU8, unzipSync } from "fflate";
import { afterEach, describe, expect, it } from "vitest";
import { createTwin, type Twin } from "@importkit/twin";
import { checked, violations } from "./spec-check.ts";

const API = "https://apihub.document360.io";
let twin: Twin<"document360">;

function api(t: Twin<"document360">) {
  const f = checked(t);
  const headers = { api_token: t.credentials.apiToken, "content-type": "application/json" };
  return {
    startExport: (body: unknown = { entity: "Project", version_id: [] }) => f(`${API}/v2/Project/Export`, { method: "POST", headers, body: JSON.stringify(body) }),
    exportStatus: (id: string) => f(`${API}/v2/Project/Export/${id}`, { headers }),
    startImport: (url: string, importBy = t.credentials.userId) =>
      f(`${API}/v2/Project/Import`, { method: "POST", headers, body: JSON.stringify({ source_documentation_url: url, publish_article: true, import_by: importBy }) }),
    importStatus: (id: string) => f(`${API}/v2/Project/Import/${id}`, { headers }),
    fetch: f,
  };
}

async function exportToEnd(a: ReturnType<typeof api>, id: string) {
  const statuses: string[] = [];
  for (;;) {
    const body = await (await a.exportStatus(id)).json();
    statuses.push(body.status);
    if (body.status === "Completed" || body.status === "Error") return { body, statuses };
  }
}

async function importToEnd(a: ReturnType<typeof api>, id: string) {
  const statuses: string[] = [];
  for (;;) {
    const body = await (await a.importStatus(id)).json();
    statuses.push(body.status);
    if (body.status === "Completed" || body.status === "Error") return { body, statuses };
  }
}

afterEach(() => {
  expect(violations(twin)).toEqual([]);
});

describe("Document360 twin", () => {
  it("exports the seeded project to a real zip served by the twin, and imports it back", async () => {
    twin = createTwin({ provider: "document360" });
    const a = api(twin);
    expect(twin.seeded.versions.map((v) => v.slug)).toEqual(["v1", "v2"]);
    const started = await (await a.startExport()).json();
    expect(started).toMatchObject({ status: "Initiated", success: true });
    const { body, statuses } = await exportToEnd(a, started.id);
    expect(statuses).toEqual(["InProgress", "Completed"]);
    expect(body.download_url).toBe(`${twin.baseUrl}/exports/${started.id}.zip`);

    // The download URL needs no token (like a pre-signed link) and answers through the same fetch.
    const download = await twin.fetch(body.download_url);
    expect(download.headers.get("content-type")).toBe("application/zip");
    const entries = unzipSync(new Uint8Array(await download.arrayBuffer()));
    expect(Object.keys(entries)).toEqual(expect.arrayContaining(["project.json", "v1/en/categories.json", "v1/fr/categories.json", "v2/en/categories.json", "media/images/logo.png"]));
    expect(JSON.parse(strFromU8(entries["project.json"]!)).counts).toEqual({ versions: 2, categories: 4, articles: 5 });
    expect(strFromU8(entries["v1/en/articles/welcome.md"]!)).toContain("# Welcome");

    const imported = await (await a.startImport(body.download_url)).json();
    expect(imported).toMatchObject({ status: "Queued" });
    const result = await importToEnd(a, imported.id);
    expect(result.statuses).toEqual(["InProgress", "Completed"]);
    expect(result.body.import_documentation_log).toMatchObject({ new_versions: 0, categories: 4, articles: 5, languages: "2" });
    expect(result.body.import_documentation_log.messages.at(-1)).toEqual({ message_type: 2, message: "Import completed.", cancel_operation: false });
  });

  it("exports only what is asked (a version, a language, without media)", async () => {
    twin = createTwin({ provider: "document360" });
    const a = api(twin);
    const v1 = twin.seeded.versions[0]!.id;
    const { id } = await (await a.startExport({ entity: "Version", version_id: [v1], selected_languages: [{ code: "fr", version_id: v1 }], exclude_media_files: true })).json();
    const { body } = await exportToEnd(a, id);
    const entries = unzipSync(new Uint8Array(await (await twin.fetch(body.download_url)).arrayBuffer()));
    expect(Object.keys(entries).sort()).toEqual(["project.json", "v1/fr/articles/bienvenue.json", "v1/fr/articles/bienvenue.md", "v1/fr/categories.json"]);
    const refused = await a.startExport({ entity: "Version", version_id: [v1], selected_languages: [{ id: "x" }] });
    expect(refused.status).toBe(400);
    expect((await refused.json()).errors[0].description).toBe("The LanguageCode field is required");
  });

  it("caps exports at 2 a day: the third is the documented 400, the next day works again", async () => {
    twin = createTwin({ provider: "document360", now: Date.UTC(2026, 2, 12, 10) });
    const a = api(twin);
    expect((await a.startExport()).status).toBe(200);
    expect((await a.startExport()).status).toBe(200);
    const third = await a.startExport();
    expect(third.status).toBe(400);
    expect((await third.json()).errors[0].description).toBe("Export API request limit(2) is reached for the day.");
    twin.advance(14 * 3600_000);
    expect((await a.startExport()).status).toBe(200);
  });

  it("imports from a URL the test registered, and fails (Error, with a log) one it will not fetch", async () => {
    twin = createTwin({ provider: "document360" });
    const a = api(twin);
    const exported = await (await a.startExport()).json();
    const { body } = await exportToEnd(a, exported.id);
    const zip = new Uint8Array(await (await twin.fetch(body.download_url)).arrayBuffer());
    const registered = twin.seed.file("https://files.example.com/docs/export.zip", zip);
    const ok = await importToEnd(a, (await (await a.startImport(registered)).json()).id);
    expect(ok.body.status).toBe("Completed");
    // A path is served by the twin itself.
    const served = twin.seed.file("docs/export.zip", zip);
    expect(served).toBe(`${twin.baseUrl}/files/docs/export.zip`);
    expect((await twin.fetch(served)).status).toBe(200);

    const unknown = await importToEnd(a, (await (await a.startImport("https://elsewhere.example.com/export.zip")).json()).id);
    expect(unknown.statuses).toEqual(["Error"]);
    expect(unknown.body.import_documentation_log.messages[0]).toMatchObject({ message_type: 0, cancel_operation: true });
    expect(unknown.body.import_documentation_log.messages[0].message).toMatch(/could not be downloaded from https:\/\/elsewhere.example.com\/export.zip/);

    const notZip = twin.seed.file("notes.zip", "plain text, not a zip");
    expect((await importToEnd(a, (await (await a.startImport(notZip)).json()).id)).body.import_documentation_log.messages[0].message).toBe(
      "The zip file is not a valid Document360 project export.",
    );
  });

  it("fails an import with the test's reason", async () => {
    twin = createTwin({ provider: "document360" });
    const a = api(twin);
    const url = twin.seed.file("a.zip", new Uint8Array([1, 2, 3]));
    const { id } = await (await a.startImport(url)).json();
    twin.failImport(id, "Articles exceed the plan's storage.");
    const { body, statuses } = await importToEnd(a, id);
    expect(statuses).toEqual(["Error"]);
    expect(body.import_documentation_log.messages[0].message).toBe("Articles exceed the plan's storage.");
  });

  it("answers the documented 400s: not a .zip, import_by not allowed, unknown ids", async () => {
    twin = createTwin({ provider: "document360" });
    const a = api(twin);
    const notZip = await a.startImport("https://example.com/docs.pdf");
    expect(notZip.status).toBe(400);
    expect((await notZip.json()).errors[0].description).toBe("Invalid Source DocumentationURI, Document360 only accept .zip files.");
    const stranger = await a.startImport("https://example.com/docs.zip", "someoneElse");
    expect((await stranger.json()).errors[0].description).toBe("You are not authorized to perform this activity.");
    const unknownImport = await a.importStatus("nope");
    expect(unknownImport.status).toBe(400);
    expect(await unknownImport.json()).toMatchObject({ success: true, errors: [{ description: "Invalid import id" }] });
    expect((await (await a.exportStatus("nope")).json()).errors[0].description).toBe("Invalid export id");
    // Prism refuses what the spec refuses, in the envelope.
    const noEntity = await a.fetch(`${API}/v2/Project/Export`, { method: "POST", headers: { api_token: twin.credentials.apiToken, "content-type": "application/json" }, body: "{}" });
    expect(noEntity.status).toBe(400);
    expect((await noEntity.json()).errors[0].description).toMatch(/entity/);
  });

  it("takes only its api_token; X-RateLimit-Remaining on every answer, Limit and Reset (seconds) on the 429", async () => {
    twin = createTwin({ provider: "document360", rateLimit: { limit: 2 } });
    const a = api(twin);
    const denied = await a.fetch(`${API}/v2/Project/Export/x`, { headers: { api_token: "wrong" } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("x-ratelimit-remaining")).toBe("2");
    expect((await a.exportStatus("x")).headers.get("x-ratelimit-remaining")).toBe("1");
    const last = await a.exportStatus("x");
    expect(last.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(last.headers.get("x-ratelimit-limit")).toBeNull();
    twin.advance(20_000);
    const refused = await a.exportStatus("x");
    expect(refused.status).toBe(429);
    expect(Object.fromEntries([...refused.headers].filter(([k]) => k.startsWith("x-ratelimit")))).toEqual({
      "x-ratelimit-limit": "2",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": "40",
    });
    twin.advance(40_000);
    expect((await a.exportStatus("x")).status).toBe(400);
    // The other data centers are the same API.
    twin.advance(60_000);
    expect((await a.fetch(`https://apihub.us.document360.io/v2/Project/Export/x`, { headers: { api_token: twin.credentials.apiToken } })).status).toBe(400);
    expect((await a.fetch(`https://apihub.acme.document360.io/v2/Project/Export/x`, { headers: { api_token: twin.credentials.apiToken } })).status).toBe(400);
  });
});
