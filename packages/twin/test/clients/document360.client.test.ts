/**
 * The Document360 client against its twin, with `fetch: twin.fetch`: an export waited for and its zip saved from the
 * twin's download URL, then imported back. (One client-level file per provider.)
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { createTwin } from "@importkit/twin";
import { createDocument360Client } from "@importkit/document360";

describe("Document360 client ↔ twin", () => {
  it("exports, saves the zip, and imports it back", async () => {
    const twin = createTwin({ provider: "document360" });
    const d360 = createDocument360Client({ apiToken: twin.credentials.apiToken, fetch: twin.fetch });
    const started = await d360.exports.start({ entity: "Project", version_id: [] });
    const finished = await d360.exports.waitFor(started.id!, { interval: 1, maxInterval: 1 });
    expect(finished.download_url).toBe(`${twin.baseUrl}/exports/${started.id}.zip`);
    const dir = mkdtempSync(join(tmpdir(), "twin-d360-"));
    try {
      await d360.exports.download(finished).saveTo(join(dir, "export.zip"));
      expect(Object.keys(unzipSync(readFileSync(join(dir, "export.zip"))))).toContain("project.json");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const imported = await d360.imports.start({ source_documentation_url: finished.download_url!, import_by: twin.credentials.userId, publish_article: true });
    const log = await d360.imports.waitFor(imported.id!, { interval: 1, maxInterval: 1 });
    expect(log).toMatchObject({ status: "Completed", import_documentation_log: { articles: 5 } });
  });
});
