// Progress as people see it: a bar with counts, rate and ETA on a terminal (bytes for downloads), plain lines on a
// pipe or in CI, nothing with --quiet. The bar is drawn into a stream that says it is a TTY.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { Redactor } from "@importkit/core/internal";
import { createProgressView, formatBytes } from "../src/progress.ts";
import { Session } from "../src/session.ts";

function stream(isTTY: boolean) {
  let text = "";
  const out = Object.assign(
    new Writable({
      write(chunk, _encoding, callback) {
        text += String(chunk);
        callback();
      },
    }),
    { isTTY, columns: 160 },
  );
  return { out, text: () => text };
}

const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");

describe("progress", () => {
  it("on a terminal: a bar with done/total, rate and ETA; downloads counted in bytes", async () => {
    const target = stream(true);
    const view = await createProgressView({ title: "results.csv", unit: "bytes" }, { stream: target.out, mode: "bar", redactor: new Redactor() });
    view.update(0, 2_500_000);
    view.update(1_250_000, 2_500_000);
    view.stop("saved 2.5 MB to results.csv");
    const shown = plain(target.text());
    expect(shown).toMatch(/results\.csv .*1\.3 MB\/2\.5 MB \| .* \| ETA /);
    expect(shown).toContain("saved 2.5 MB to results.csv\n");

    const pages = stream(true);
    const bar = await createProgressView({ title: "import run R1", unit: "pages" }, { stream: pages.out, mode: "bar", redactor: new Redactor() });
    bar.update(3, 4, "in-progress");
    bar.stop();
    expect(plain(pages.text())).toMatch(/import run R1 .*3\/4 pages \| .* \| ETA .* \| in-progress/);
  });

  it("on a pipe: one line per status and per tenth of the work, never the redrawn bar", async () => {
    const target = stream(false);
    const view = await createProgressView({ title: "images", unit: "items" }, { stream: target.out, mode: "lines", redactor: new Redactor() });
    for (let done = 0; done <= 100; done++) view.update(done, 100, `${done} imported`);
    view.stop();
    const lines = target.text().trimEnd().split("\n");
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe("  images: 0/100 items (0 imported)");
    expect(lines.at(-1)).toBe("  images: 100/100 items (100 imported)");
    expect(target.text()).not.toContain("\x1b[");

    const status = stream(false);
    const wait = await createProgressView({ title: "export E1" }, { stream: status.out, mode: "lines", redactor: new Redactor() });
    for (const s of ["Initiated", "InProgress", "InProgress", "Completed"]) wait.update(0, undefined, s);
    expect(status.text()).toBe("  export E1: (Initiated)\n  export E1: (InProgress)\n  export E1: (Completed)\n");
  });

  it("a session picks bars only for a person at a terminal: not on a pipe, not in CI, nothing with --quiet", async () => {
    const tty = stream(true);
    const io = (env: Record<string, string>, err = tty.out) => ({ stdout: stream(false).out, stderr: err, stdin: process.stdin, env });
    const signal = new AbortController().signal;
    expect(new Session(io({}), {}, signal).interactive).toBe(true);
    expect(new Session(io({ CI: "true" }), {}, signal).interactive).toBe(false);
    expect(new Session(io({}, stream(false).out), {}, signal).interactive).toBe(false);
    const quiet = stream(true);
    const view = await new Session(io({}, quiet.out), { quiet: true }, signal).progress({ title: "x", unit: "items" });
    view.update(1, 2);
    view.stop("done");
    expect(quiet.text()).toBe("");
  });

  it("formats bytes as people read them", () => {
    expect([0, 999, 1000, 12_345, 1_234_567, 9_876_543_210].map(formatBytes)).toEqual(["0 B", "999 B", "1.0 kB", "12 kB", "1.2 MB", "9.9 GB"]);
  });
});
