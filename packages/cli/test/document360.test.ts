// `importkit document360 …` against the Document360 twin (over loopback HTTP with the token in the environment, or --mock).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { json, runCli, startCli } from "./cli.ts";
import { target, twinServer } from "./twins.ts";

const fastPolls = ["--poll-interval", "10ms"];
const tmp = () => mkdtempSync(join(tmpdir(), "importkit-cli-d360-"));

describe("importkit document360 export / import / status", () => {
  it("exports the project, saves the zip, imports it back from the export's URL and shows the log", async () => {
    const server = await twinServer({ provider: "document360" });
    const { env, args } = target(server);
    const out = join(tmp(), "export.zip");
    const exported = await runCli(["document360", "export", "--out", out, "--json", ...args, ...fastPolls], { env });
    expect(exported.code, exported.stderr).toBe(0);
    const { export: status, file } = json(exported);
    expect(status).toMatchObject({ status: "Completed", id: expect.any(String) });
    expect(file).toEqual({ path: out, bytes: readFileSync(out).length });
    expect(readFileSync(out).subarray(0, 2).toString()).toBe("PK");
    expect(exported.stderr).toMatch(new RegExp(`export ${status.id}: \\(InProgress\\)\\n.*export ${status.id}: \\(Completed\\)`, "s"));

    const imported = await runCli(["document360", "import", status.download_url, "--import-by", server.twin.credentials.userId, "--wait", ...args, ...fastPolls], { env });
    expect(imported.code, imported.stderr).toBe(0);
    const id = /started import (\S+) \(Queued\)/.exec(imported.stderr)?.[1];
    expect(imported.stdout).toMatch(new RegExp(`^import ${id} Completed\\n  added\\s+\\d+ versions?, \\d+ categor(y|ies), 5 articles[^\\n]*\\n  info\\s+`));

    const later = await runCli(["document360", "status", "import", id!, ...args], { env });
    expect(later.stdout).toMatch(new RegExp(`^import ${id}: Completed\\n`));
    const again = await runCli(["document360", "status", "export", status.id, ...args], { env });
    expect(again.stdout).toBe(`export ${status.id}: Completed\nsave it: importkit document360 status export ${status.id} --out export.zip\n`);
  });

  it("exports chosen versions and languages (entity Version); --mock imports a local zip", async () => {
    const dir = tmp();
    const zip = join(dir, "v1-fr.zip");
    const exported = await runCli(["document360", "export", "--versions", "695782c0-a0a3-4664-9bfd-0197d26379ee", "--languages", "fr", "--out", zip, "--mock", "--json"]);
    expect(exported.code, exported.stderr).toBe(0);
    const imported = await runCli(["document360", "import", zip, "--wait", "--mock", "--json"]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(json(imported)).toMatchObject({ status: "Completed", import_documentation_log: { articles: 1 } });
  });

  it("exits 3 with the log's reason when an import fails", async () => {
    const server = await twinServer({ provider: "document360" });
    const { env, args } = target(server);
    // The twin never fetches from the network: an unknown URL ends the import in Error, as an unreachable one would.
    const result = await runCli(["document360", "import", "https://files.example.com/missing.zip", "--import-by", server.twin.credentials.userId, "--wait", ...args, ...fastPolls], { env });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/importkit: Document360 import \S+ ended Error: The source documentation could not be downloaded/);
  });

  it("exits 1 at the daily export cap (a 400 no retry can fix)", async () => {
    const server = await twinServer({ provider: "document360" });
    const { env, args } = target(server);
    for (let i = 0; i < 2; i++) expect((await runCli(["document360", "export", ...args], { env })).code).toBe(0);
    const third = await runCli(["document360", "export", ...args], { env });
    expect(third.code).toBe(1);
    expect(third.stderr).toMatch(/daily export limit \(2 export requests a day\) is reached/);
  });

  it("on Ctrl-C while waiting for an export, exits 130 and says how to follow it", async () => {
    const server = await twinServer({ provider: "document360", clock: "manual" });
    const { env, args } = target(server);
    const cli = startCli(["document360", "export", "--out", join(tmp(), "x.zip"), "--region", "eu", ...args, ...fastPolls], { env });
    const [, id] = await cli.waitFor(/started export (\S+)/);
    cli.interrupt();
    const result = await cli.result;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain(`export ${id} is still running; follow it with: importkit document360 status export ${id} --wait --region eu`);
  });

  it.each([
    [["import", "./export.zip", "--import-by", "u1"], /is not an http\(s\) URL: Document360 downloads the zip itself/, false],
    [["import", "https://files.example.com/a.zip"], /--import-by USER is required/, false],
    [["status", "draft", "abc"], /value 'draft' is invalid for argument 'kind'\. Allowed choices are export, import/, true],
    [["status", "import", "abc", "--out", "x.zip"], /--out goes with an export/, true],
    [["export", "--region", "eu.evil.com"], /region\.privateHost: must be the subdomain label/, false],
  ])("refuses a bad command line with exit 2: %j", async (argv, message, mock) => {
    const result = await runCli(["document360", ...argv, ...(mock ? ["--mock"] : [])], { env: { DOCUMENT360_API_TOKEN: "d360-secret-token-for-tests" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("--mock refuses a local zip it cannot read, with exit 2", async () => {
    const missing = join(tmp(), "missing.zip");
    const result = await runCli(["document360", "import", missing, "--mock"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot read ${missing}: ENOENT`);
    writeFileSync(join(tmp(), "unused"), "");
  });
});
