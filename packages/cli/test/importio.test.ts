// `importkit importio …` against the Import.io twin (over loopback HTTP with the key in the environment, or --mock).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { json, runCli, startCli } from "./cli.ts";
import { target, twinServer } from "./twins.ts";

const fastPolls = ["--poll-interval", "10ms"];
const tmp = () => mkdtempSync(join(tmpdir(), "importkit-cli-io-"));

describe("importkit importio run", () => {
  it("runs an extractor, follows it URL by URL and saves its CSV; the file is the twin's", async () => {
    const server = await twinServer({ provider: "importio" });
    const { env, args } = target(server);
    const extractor = server.twin.seeded.extractorId;
    const out = join(tmp(), "results.csv");
    const result = await runCli(["importio", "run", extractor, "--wait", "--format", "csv", "--out", out, ...args, ...fastPolls], { env });

    expect(result.code, result.stderr).toBe(0);
    const id = /started crawl run (\S+) of extractor/.exec(result.stderr)?.[1];
    expect(result.stderr).toContain(`crawl run ${id}: 3/3 URLs (FINISHED)`);
    expect(result.stderr).toContain(`crawl run ${id} FINISHED: 3 rows from 3 of 3 URLs`);
    expect(result.stdout).toMatch(new RegExp(`^saved \\d+ B to ${out}\\n$`));
    const csv = readFileSync(out, "utf8").trim().split("\n");
    expect(csv[0]).toBe("url,Name,Price,Description");
    expect(csv.slice(1).map((line) => line.split(",")[0])).toEqual(["https://shop.example.com/p/1001", "https://shop.example.com/p/1002", "https://shop.example.com/p/1003"]);
    expect(server.twin.requests.filter((r) => r.operationId === "getCrawlrunFile").map((r) => r.url)).toEqual([expect.stringContaining(`/crawlruns/${id}/csv`)]);
  });

  it("takes the format from --out's extension (a real XLSX workbook), and prints rows as NDJSON on stdout", async () => {
    const server = await twinServer({ provider: "importio" });
    const { env, args } = target(server);
    const extractor = server.twin.seeded.extractorId;
    const out = join(tmp(), "results.xlsx");
    const xlsx = await runCli(["importio", "run", extractor, "--out", out, ...args, ...fastPolls], { env });
    expect(xlsx.code, xlsx.stderr).toBe(0);
    expect(readFileSync(out).subarray(0, 2).toString()).toBe("PK");

    const ndjson = await runCli(["importio", "run", extractor, "--wait", "--format", "json", "--out", "-", ...args, ...fastPolls], { env });
    expect(ndjson.code, ndjson.stderr).toBe(0);
    const rows = ndjson.stdout.trim().split("\n").map((line) => JSON.parse(line));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ url: "https://shop.example.com/p/1001" });
    // The summary goes to stderr: stdout holds the file alone.
    expect(ndjson.stderr).toMatch(/[\d.]+ k?B written to stdout/);

    const crawlRunId = server.twin.seeded.crawlRunId;
    const parsed = await runCli(["importio", "crawl-runs", "rows", crawlRunId, ...args], { env });
    expect(parsed.code, parsed.stderr).toBe(0);
    expect(parsed.stdout.trim().split("\n").map((line) => JSON.parse(line).url)).toEqual(rows.map((r) => r.url));
    expect(parsed.stderr).toBe("3 rows\n");
  });

  it("without --wait, prints the crawl run it started", async () => {
    const result = await runCli(["importio", "run", "4e8eb2af-2f26-465a-881c-d424e42a8512", "--mock", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(json(result)).toEqual({ crawlRunId: expect.any(String), extractorId: "4e8eb2af-2f26-465a-881c-d424e42a8512" });
  });

  it("exits 3 when the crawl run fails", async () => {
    const server = await twinServer({ provider: "importio" });
    const { env, args } = target(server);
    server.twin.failNextImport();
    const result = await runCli(["importio", "run", server.twin.seeded.extractorId, "--wait", "--out", join(tmp(), "never.csv"), ...args, ...fastPolls], { env });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/importkit: Import\.io crawl run \S+ ended FAILED: the crawl run failed/);
  });

  it("on Ctrl-C with --cancel-on-interrupt, stops the extractor and exits 130", async () => {
    const server = await twinServer({ provider: "importio", clock: "manual" });
    const { env, args } = target(server);
    const extractor = server.twin.seeded.extractorId;
    const cli = startCli(["importio", "run", extractor, "--wait", "--cancel-on-interrupt", ...args, ...fastPolls], { env });
    const [, id] = await cli.waitFor(/started crawl run (\S+)/);
    cli.interrupt();
    const result = await cli.result;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain(`crawl run ${id}: stopped`);
    expect(server.twin.requests.filter((r) => r.operationId === "stopExtractor").map((r) => r.status)).toEqual([200]);
  });

  it.each([
    [["run", "4e8eb2af-2f26-465a-881c-d424e42a8512", "--format", "pdf"], /argument 'pdf' is invalid/],
    // The id's UUID format is inferred by the spec (warned about and sent); --validate strict refuses it.
    [["run", "not-a-uuid", "--wait", "--validate", "strict"], /startExtractor: invalid input, not sent: extractorId/],
    [["run", "4e8eb2af-2f26-465a-881c-d424e42a8512", "--validate", "loose"], /option '--validate <mode>' argument 'loose' is invalid. expected documented, strict or off/],
    [["run", "4e8eb2af-2f26-465a-881c-d424e42a8512", "--out", "-", "--json"], /--out - and --json both write to stdout/],
    [["crawl-runs", "download"], /missing required argument 'crawl-run'/],
    [["reports", "download", "4e8eb2af-2f26-465a-881c-d424e42a8512", "--format", "log"], /argument 'log' is invalid/],
  ])("refuses a bad command line with exit 2: %j", async (argv, message) => {
    const result = await runCli(["importio", ...argv, "--mock"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe("importkit importio extractors / crawl-runs / reports", () => {
  it("lists and shows extractors, and sets their inputs from a file", async () => {
    const server = await twinServer({ provider: "importio" });
    const { env, args } = target(server);
    const extractor = server.twin.seeded.extractorId;
    const list = await runCli(["importio", "extractors", "list", ...args], { env });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^ID\\s+NAME\\s+FIELDS\\s+TAGS\\n${extractor}\\s+Product pages\\s+3\\s+shop,product\\n$`));

    const file = join(tmp(), "urls.txt");
    writeFileSync(file, "# new products\nhttps://shop.example.com/p/2001\n\nhttps://shop.example.com/p/2002\n");
    const set = await runCli(["importio", "extractors", "set-inputs", extractor, file, ...args], { env });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe(`extractor ${extractor}: 2 inputs set\n`);

    const shown = await runCli(["importio", "extractors", "show", extractor, "--json", ...args], { env });
    expect(json(shown).inputs).toEqual(["https://shop.example.com/p/2001", "https://shop.example.com/p/2002"]);

    // From stdin too.
    const piped = await runCli(["importio", "extractors", "set-inputs", extractor, "-", ...args], { env, stdin: "https://shop.example.com/p/3001\n" });
    expect(piped.stdout).toBe(`extractor ${extractor}: 1 input set\n`);
  });

  it("refuses an inputs file with no URL, or a line that is not one, with exit 2 and sends nothing", async () => {
    const server = await twinServer({ provider: "importio" });
    const { env, args } = target(server);
    const file = join(tmp(), "urls.txt");
    writeFileSync(file, "# nothing here\n");
    const empty = await runCli(["importio", "extractors", "set-inputs", server.twin.seeded.extractorId, file, ...args], { env });
    expect(empty.code).toBe(2);
    writeFileSync(file, "https://ok.example.com/\nnot a url\n");
    const bad = await runCli(["importio", "extractors", "set-inputs", server.twin.seeded.extractorId, file, ...args], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/line 2 .*is not a valid URL/);
    expect(server.twin.requests).toHaveLength(0);
  });

  it("lists crawl runs, shows one, and downloads its log", async () => {
    const server = await twinServer({ provider: "importio" });
    const { env, args } = target(server);
    const { crawlRunId, extractorId } = server.twin.seeded;
    const list = await runCli(["importio", "crawl-runs", "list", "--extractor", extractorId, "--json", ...args], { env });
    expect(json<{ guid: string }[]>(list).map((r) => r.guid)).toEqual([crawlRunId]);
    const shown = await runCli(["importio", "crawl-runs", "show", crawlRunId, ...args], { env });
    expect(shown.stdout).toMatch(new RegExp(`crawl run ${crawlRunId}: FINISHED\\n.*\\n  URLs\\s+3 succeeded, 0 failed, of 3`));
    const out = join(tmp(), "run.log");
    const log = await runCli(["importio", "crawl-runs", "download", crawlRunId, "--out", out, ...args], { env });
    expect(log.code, log.stderr).toBe(0);
    expect(readFileSync(out, "utf8")).toMatch(/crawl run/i);
  });

  it("runs a report, waits for it and saves its CSV", async () => {
    const server = await twinServer({ provider: "importio" });
    const { env, args } = target(server);
    // A Change report compares the extractor's last two finished crawl runs: make a second one.
    const run = await runCli(["importio", "run", server.twin.seeded.extractorId, "--wait", ...args, ...fastPolls], { env });
    expect(run.code, run.stderr).toBe(0);
    const out = join(tmp(), "report.csv");
    const report = await runCli(["importio", "reports", "run", server.twin.seeded.reportId, "--wait", "--out", out, ...args, ...fastPolls], { env });
    expect(report.code, report.stderr).toBe(0);
    expect(report.stderr).toMatch(/started report run (\S+) of report/);
    expect(readFileSync(out, "utf8").split("\n")[0]).toMatch(/,/);
    const runs = await runCli(["importio", "reports", "runs", server.twin.seeded.reportId, "--json", ...args], { env });
    expect(json<{ status: string }[]>(runs)[0]).toMatchObject({ status: "FINISHED" });
  });

  it("exits 3 when a report run fails", async () => {
    const server = await twinServer({ provider: "importio" });
    const { env, args } = target(server);
    server.twin.failNextImport("The crawl run to compare against has no rows.");
    const report = await runCli(["importio", "reports", "run", server.twin.seeded.reportId, "--wait", ...args, ...fastPolls], { env });
    expect(report.code).toBe(3);
    expect(report.stderr).toMatch(/report run \S+ ended FAILED/);
  });
});
