// `importkit demo` (`pnpm start`): each provider's main job against its twin, ids consistent from start to finish,
// and the files where it says they are.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { json, runCli } from "./cli.ts";

describe("importkit demo", () => {
  it("runs the four jobs on the twins, with progress, and prints where the files went", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "importkit-cli-demo-")), "files");
    const result = await runCli(["demo", "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    const stdout = result.stdout;

    // GitBook: the run started is the run that completed.
    const run = /started import run (\S+) \(pending\)/.exec(stdout)?.[1];
    expect(stdout).toContain(`import run ${run} completed: 4 pages imported`);
    expect(result.stderr).toContain(`import run ${run}: 4/4 pages (completed)`);
    // Import.io: the crawl run followed URL by URL, its CSV on disk.
    const crawl = /started crawl run (\S+) of extractor/.exec(stdout)?.[1];
    expect(stdout).toContain(`crawl run ${crawl} FINISHED: 3 rows from 3 of 3 URLs`);
    expect(readFileSync(join(out, "products.csv"), "utf8").trim().split("\n")).toHaveLength(4);
    // Document360: the export saved as a zip, then imported back from the export's own URL.
    const exported = /started export (\S+) \(Initiated\)/.exec(stdout)?.[1];
    expect(stdout).toContain(`export ${exported} Completed; saved`);
    expect(stdout).toContain(`document360 import https://document360.twin.invalid/exports/${exported}.zip`);
    expect(readFileSync(join(out, "project-export.zip")).subarray(0, 2).toString()).toBe("PK");
    expect(stdout).toMatch(/import \S+ Completed\n\s+added\s+.*5 articles/);
    // SharinPix: a few hundred images from a CSV, with a checkpoint that makes the second run a no-op.
    expect(stdout).toContain("300 imported, 0 skipped (already done), 0 failed, 0 uncertain, of 300 rows");
    expect(stdout).toContain("resumed from the checkpoint: 0 imported, 300 skipped");
    expect(readFileSync(join(out, "images.csv"), "utf8").trim().split("\n")).toHaveLength(301);
    expect(JSON.parse(readFileSync(join(out, "images.csv.report.json"), "utf8"))).toMatchObject({ total: 300, skipped: 300 });
    // Where the files went.
    expect(stdout).toContain(`Files:\n  ${join(out, "products.csv")}\n  ${join(out, "project-export.zip")}\n  ${join(out, "images.csv")}\n`);
  });

  it("--json prints one summary document", async () => {
    const result = await runCli(["demo", "--out", mkdtempSync(join(tmpdir(), "importkit-cli-demo-")), "--json", "--quiet"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    expect(json(result)).toMatchObject({
      gitbook: { status: "completed", pages: 4 },
      importio: { state: "FINISHED" },
      document360: { importStatus: "Completed" },
      sharinpix: { imported: 300, resumedSkipped: 300 },
    });
  });
});
