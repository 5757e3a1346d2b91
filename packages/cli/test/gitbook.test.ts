// `importkit gitbook …` against the GitBook twin: over loopback HTTP with the token in the environment (as against the
// real API), and in process with --mock.
import { describe, expect, it } from "vitest";
import { json, runCli, startCli } from "./cli.ts";
import { target, twinServer } from "./twins.ts";

const site = "https://docs.example.com/";
/** A twin needs no patience: poll every 10 ms (the default is 1 s, growing). */
const fastPolls = ["--poll-interval", "10ms"];

describe("importkit gitbook import", () => {
  it("starts a website import and waits for it, page by page; the run printed is the run the twin holds", async () => {
    const server = await twinServer({ provider: "gitbook" });
    const { env, args } = target(server);
    const { organizationId: org, spaceId: space } = server.twin.credentials;
    const result = await runCli(["gitbook", "import", "--org", org, "--space", space, "--url", site, "--wait", ...args, ...fastPolls], { env });

    expect(result.code, result.stderr).toBe(0);
    const id = /started import run (\S+) \(pending\)/.exec(result.stderr)?.[1];
    expect(id).toBeTruthy();
    // Progress as plain lines on a pipe: pages done / total, to the end.
    expect(result.stderr).toContain(`import run ${id}: 4/4 pages (completed)`);
    expect(result.stdout).toBe(`import run ${id} completed: 4 pages imported into space ${space}\n`);
    const polled = server.twin.requests.filter((r) => r.operationId === "getImportRun");
    expect(polled.length).toBeGreaterThan(1);
    expect(polled.every((r) => r.url.includes(`/imports/${id}`))).toBe(true);
  });

  it("imports files by URL, into a change request, with --json for one machine-readable result", async () => {
    const server = await twinServer({ provider: "gitbook" });
    const { env, args } = target(server);
    const { organizationId: org, spaceId: space } = server.twin.credentials;
    const result = await runCli(
      ["gitbook", "import", "--org", org, "--space", space, "--file", "https://example.com/a.md", "--file", "https://example.com/b.md", "--change-request", "cr1", "--wait", "--json", ...args, ...fastPolls],
      { env },
    );
    expect(result.code, result.stderr).toBe(0);
    const run = json(result);
    expect(run).toMatchObject({ status: "completed", source: { type: "file", files: ["https://example.com/a.md", "https://example.com/b.md"] }, target: { space, changeRequest: "cr1" } });
    expect(run.pages).toHaveLength(2);
  });

  it("without --wait, prints the started run and how to follow it", async () => {
    const result = await runCli(["gitbook", "import", "--org", "acme", "--space", "docs", "--url", site, "--mock"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^started import run (\S+) \(pending\) into space docs\nfollow it: importkit gitbook get \1 --org acme --wait\n$/);
  });

  it("exits 3 with GitBook's reason when the import fails", async () => {
    const server = await twinServer({ provider: "gitbook" });
    const { env, args } = target(server);
    server.twin.failNextImport("The website could not be reached: the source answered HTTP 503.");
    const { organizationId: org, spaceId: space } = server.twin.credentials;
    const result = await runCli(["gitbook", "import", "--org", org, "--space", space, "--url", site, "--wait", ...args, ...fastPolls], { env });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/importkit: GitBook import run \S+ ended failed: The website could not be reached: the source answered HTTP 503\./);
    expect(result.stdout).toBe("");
  });

  it("on Ctrl-C while waiting, exits 130 and (--cancel-on-interrupt) cancels the run it started", async () => {
    // A manual clock: the run never moves on its own, so the wait is still going when the signal arrives.
    const server = await twinServer({ provider: "gitbook", clock: "manual" });
    const { env, args } = target(server);
    const { organizationId: org, spaceId: space } = server.twin.credentials;
    const cli = startCli(["gitbook", "import", "--org", org, "--space", space, "--url", site, "--wait", "--cancel-on-interrupt", ...args, ...fastPolls], { env });
    const [, id] = await cli.waitFor(/import run (\S+): 0 pages \(pending\)/);
    cli.interrupt();
    const result = await cli.result;

    expect(result.code).toBe(130);
    expect(result.stderr).toContain(`import run ${id}: cancelled (now cancelled)`);
    expect(result.stderr).toMatch(/importkit: interrupted\n$/);
    expect(server.twin.requests.filter((r) => r.operationId === "cancelImportRun").map((r) => r.status)).toEqual([200]);
  });

  it("on Ctrl-C without --cancel-on-interrupt, leaves the run running and says how to follow it", async () => {
    const server = await twinServer({ provider: "gitbook", clock: "manual" });
    const { env, args } = target(server);
    const { organizationId: org, spaceId: space } = server.twin.credentials;
    const cli = startCli(["gitbook", "import", "--org", org, "--space", space, "--url", site, "--wait", ...args, ...fastPolls], { env });
    const [, id] = await cli.waitFor(/started import run (\S+)/);
    cli.interrupt();
    const result = await cli.result;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain(`import run ${id} is still running; follow it with: importkit gitbook get ${id} --org ${org} --wait`);
    expect(server.twin.requests.some((r) => r.operationId === "cancelImportRun")).toBe(false);
  });

  it.each([
    [["--org", "acme", "--space", "docs"], /give --url \(a website\) or --file/],
    [["--org", "acme", "--space", "docs", "--url", site, "--file", "https://example.com/a.md"], /give --url \(a website\) or --file/],
    [["--space", "docs", "--url", site], /required option '--org <id>' not specified/],
    [["--org", "acme", "--space", "docs", "--url", "not a url"], /startImportRun: invalid input, not sent: source\.url/],
    [["--org", "acme", "--space", "docs", "--url", site, "--deadline", "soon"], /option '--deadline <duration>' argument 'soon' is invalid/],
  ])("refuses a bad command line with exit 2 before sending anything: %j", async (extra, message) => {
    const result = await runCli(["gitbook", "import", ...extra, "--mock", "--wait"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe("importkit gitbook runs list / get / cancel", () => {
  it("lists every run over every page, newest first, with filters", async () => {
    const server = await twinServer({ provider: "gitbook" });
    const { env, args } = target(server);
    const org = server.twin.credentials.organizationId;
    // More than one page (the twin's pages hold 20).
    for (let i = 0; i < 23; i++) server.twin.seed.importRun({ status: i % 2 ? "completed" : "failed", url: `https://docs.example.com/${i}` });
    const all = await runCli(["gitbook", "runs", "list", "--org", org, "--json", ...args], { env });
    expect(all.code, all.stderr).toBe(0);
    expect(json<unknown[]>(all)).toHaveLength(23);
    expect(server.twin.requests.filter((r) => r.operationId === "listImportRuns").length).toBe(2);

    const failed = await runCli(["gitbook", "runs", "list", "--org", org, "--status", "failed", ...args], { env });
    expect(failed.code, failed.stderr).toBe(0);
    const lines = failed.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+CREATED\s+PAGES\s+SOURCE$/);
    expect(lines).toHaveLength(1 + 12);
    expect(lines.slice(1).every((line) => /\sfailed\s/.test(line))).toBe(true);

    const limited = await runCli(["gitbook", "runs", "list", "--org", org, "--limit", "3", "--json", ...args], { env });
    expect(json<unknown[]>(limited)).toHaveLength(3);
  });

  it("shows a run, waits for one already started, and cancels one", async () => {
    const server = await twinServer({ provider: "gitbook" });
    const { env, args } = target(server);
    const org = server.twin.credentials.organizationId;
    const done = server.twin.seed.importRun({ status: "completed", url: site });
    const shown = await runCli(["gitbook", "get", done.id, "--org", org, ...args], { env });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`import run ${done.id}: completed`);
    expect(shown.stdout).toMatch(/pages\s+4 of 4 complete/);

    const pending = server.twin.seed.importRun({ status: "pending", url: site });
    const waited = await runCli(["gitbook", "get", pending.id, "--org", org, "--wait", ...args, ...fastPolls], { env });
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stdout).toContain(`import run ${pending.id} completed`);

    const running = server.twin.seed.importRun({ status: "in-progress", url: site });
    const cancelled = await runCli(["gitbook", "cancel", running.id, "--org", org, ...args], { env });
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toBe(`import run ${running.id} cancelled\n`);
  });

  it("exits 1 when the API refuses: an unknown run, a run already finished", async () => {
    const server = await twinServer({ provider: "gitbook" });
    const { env, args } = target(server);
    const org = server.twin.credentials.organizationId;
    const missing = await runCli(["gitbook", "get", "nope", "--org", org, ...args], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/importkit: .*404/);
    const done = server.twin.seed.importRun({ status: "completed" });
    const late = await runCli(["gitbook", "cancel", done.id, "--org", org, ...args], { env });
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/400/);
  });

  it("refuses a bad filter with exit 2", async () => {
    const result = await runCli(["gitbook", "runs", "list", "--org", "acme", "--status", "done", "--mock"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/argument 'done' is invalid\. Allowed choices are active, pending/);
  });

  it("--mock: a fresh twin holds two runs to look at", async () => {
    const result = await runCli(["gitbook", "runs", "list", "--org", "acme", "--mock", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(json<{ status: string }[]>(result).map((r) => r.status).sort()).toEqual(["completed", "failed"]);
  });
});
