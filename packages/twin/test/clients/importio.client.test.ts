/**
 * The Import.io client against its twin, with `fetch: twin.fetch`: an extractor run to FINISHED and its CSV saved to
 * disk and its XLSX downloaded, both built from the run's inputs. (One client-level file per provider.)
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createTwin } from "@importkit/twin";
import { createImportIoClient } from "@importkit/importio";

describe("Import.io client ↔ twin", () => {
  it("runs the seeded extractor and saves its CSV; the XLSX is a real workbook", async () => {
    const twin = createTwin({ provider: "importio" });
    const importio = createImportIoClient({ apiKey: twin.credentials.apiKey, fetch: twin.fetch });
    await importio.extractors.setInputs(twin.seeded.extractorId, ["https://shop.example.com/p/42"]);
    const run = await importio.extractors.startAndWait(twin.seeded.extractorId, { interval: 1, maxInterval: 1 });
    expect(run).toMatchObject({ state: "FINISHED", rowCount: 1 });
    const dir = mkdtempSync(join(tmpdir(), "twin-importio-"));
    try {
      await importio.crawlRuns.download(run.guid!, "csv").saveTo(join(dir, "results.csv"));
      expect(readFileSync(join(dir, "results.csv"), "utf8")).toMatch(/^url,Name,Price,Description\nhttps:\/\/shop.example.com\/p\/42,Product 42,/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const reader = (await importio.crawlRuns.download(run.guid!, "xlsx")).body.getReader();
    const first = await reader.read();
    await reader.cancel();
    expect([...first.value!.subarray(0, 2)]).toEqual([0x50, 0x4b]);
  });
});
