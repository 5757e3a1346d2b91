// `pnpm start` runs this demo: it must reach a completed run through the real mock, showing each stage.
import { PassThrough } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import { runDemo } from "@importkit/cli";

describe("importkit demo", () => {
  it("starts an import on the embedded mock, reports progress, prints the finished run", async () => {
    const out = new PassThrough();
    let printed = "";
    out.on("data", (chunk) => (printed += String(chunk)));
    const progress: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => (progress.push(String(chunk)), true));
    try {
      const run = await runDemo(out as unknown as NodeJS.WriteStream);
      expect(run.status).toBe("completed");
    } finally {
      spy.mockRestore();
    }
    expect(printed).toMatch(/started import run \S+ \(pending\)/);
    expect(printed).toContain('"status": "completed"');
    expect(progress.join("")).toMatch(/pending[\s\S]*in-progress[\s\S]*completed/);
  });
});
