import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTwin, type TwinServer } from "@importkit/twin/server";
import { createDocument360Client } from "@importkit/document360";

// A real HTTP server on a free loopback port: for code that cannot take a `fetch` (another process, a CLI, a page).
let server: TwinServer<"document360">;
beforeAll(async () => {
  server = await startTwin({ provider: "document360" });
});
afterAll(() => server.close());

it("exports the project and saves the zip", async () => {
  const { twin } = server; // twin.baseUrl is server.url plus the API's base path
  const d360 = createDocument360Client({ apiToken: twin.credentials.apiToken, baseUrl: twin.baseUrl });

  const finished = await d360.exports.startAndWait({ entity: "Project", version_id: [] }, { interval: 1 });
  const saved = await d360.exports.download(finished).saveTo(join(mkdtempSync(join(tmpdir(), "export-")), "project.zip"));

  expect(finished.status).toBe("Completed");
  expect(saved.bytes).toBeGreaterThan(0);
});
