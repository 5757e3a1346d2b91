// The conventions every command keeps: --help everywhere, --version, the exit codes (one test each), credentials from
// the environment, a file or stdin, and no secret in any output, error or --json.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { createProgram } from "../src/program.ts";
import { VERSION } from "../src/version.ts";
import { json, root, runCli, startCli, type CliResult } from "./cli.ts";
import { target, twinServer } from "./twins.ts";

const fastPolls = ["--poll-interval", "10ms"];

/** Every command of the tree, as the words that name it (`["gitbook", "runs", "list"]`). */
function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((sub) => [[...prefix, sub.name()], ...commandPaths(sub, [...prefix, sub.name()])]);
}

describe("help and version", () => {
  it("--help lists every command, the credentials and the exit codes; --version prints the package's version", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    for (const name of ["gitbook", "importio", "document360", "sharinpix", "api", "mock", "demo"]) expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, "m"));
    expect(help.stdout).toContain("Exit codes: 0 ok · 1 API or network failure · 2 usage · 3 the import failed · 130 interrupted.");
    const version = await runCli(["--version"]);
    expect(version).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
    expect(VERSION).toBe(JSON.parse(readFileSync(join(root, "packages/cli/package.json"), "utf8")).version);
  });

  it("every command and subcommand has --help, which prints its usage and runs nothing", async () => {
    const paths = commandPaths(createProgram()).filter((path) => path.at(-1) !== "help");
    expect(paths.length).toBeGreaterThan(25);
    for (const path of paths) {
      let printed = "";
      const program = createProgram();
      // Each command was given its output settings when it was created: capture them all.
      const capture = (command: Command): void => {
        command.configureOutput({ writeOut: (text) => (printed += text), writeErr: (text) => (printed += text) });
        command.commands.forEach(capture);
      };
      capture(program);
      const error = await program.parseAsync([...path, "--help"], { from: "user" }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error, path.join(" ")).toBeInstanceOf(CommanderError);
      expect((error as CommanderError).code, path.join(" ")).toBe("commander.helpDisplayed");
      expect(printed, path.join(" ")).toMatch(new RegExp(`^Usage: importkit ${path.join(" ")}\\b`));
      expect(printed).toContain("-h, --help");
    }
  });

  it("help of a command that calls an API shows the connection and output options; subcommands' help as users run it", async () => {
    const result = await runCli(["gitbook", "runs", "list", "--help"]);
    expect(result.code).toBe(0);
    for (const option of ["--mock", "--credentials-file <path>", "--base-url <url>", "--json", "--quiet", "--status <status>"]) expect(result.stdout).toContain(option);
    // `demo --help` shows help (it used to run the demo).
    const demo = await runCli(["demo", "--help"]);
    expect(demo).toMatchObject({ code: 0, stderr: "" });
    expect(demo.stdout).toMatch(/^Usage: importkit demo \[options\]/);
  });
});

describe("exit codes", () => {
  it("0: the command did its job", async () => {
    expect((await runCli(["gitbook", "runs", "list", "--org", "acme", "--mock"])).code).toBe(0);
  });

  it("1: the API or the network failed", async () => {
    // Nothing listens on port 1: the connection is refused, after the client's retries (none here).
    const result = await runCli(["gitbook", "runs", "list", "--org", "acme", "--base-url", "http://127.0.0.1:1", "--max-retries", "0"], { env: { GITBOOK_TOKEN: "gb-token-exit-1" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^importkit: GET http:\/\/127\.0\.0\.1:1\/org\/acme\/imports failed/m);
    expect(result.stderr).toContain("(check the network, or --base-url)");
  });

  it("2: the command line was wrong (unknown command, option or value, a missing credential, a group without its subcommand)", async () => {
    const results = await Promise.all([
      runCli(["gitbok"]),
      runCli(["gitbook", "runs", "list", "--org", "acme", "--colour"]),
      runCli(["sharinpix", "bulk", "x.csv", "--concurrency", "0", "--mock"]),
      runCli(["gitbook", "runs", "list", "--org", "acme"]),
      runCli(["gitbook"]),
    ]);
    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2, 2]);
    expect(results[0]!.stderr).toMatch(/unknown command 'gitbok'\n\(Did you mean gitbook\?\)/);
    expect(results[1]!.stderr).toMatch(/unknown option '--colour'/);
    expect(results[2]!.stderr).toMatch(/option '--concurrency <n>' argument '0' is invalid\. expected a whole number from 1 to 256/);
    expect(results[3]!.stderr).toBe("importkit: no credential: set GITBOOK_TOKEN to a GitBook access token, pass --credentials-file PATH (- for stdin), or try --mock\n");
    expect(results[4]!.stderr).toMatch(/^Usage: importkit gitbook/);
  });

  it("3: the import itself failed", async () => {
    const server = await twinServer({ provider: "gitbook" });
    const { env, args } = target(server);
    server.twin.failNextImport("The website could not be reached.");
    const { organizationId: org, spaceId: space } = server.twin.credentials;
    const result = await runCli(["gitbook", "import", "--org", org, "--space", space, "--url", "https://docs.example.com/", "--wait", "--json", ...args, ...fastPolls], { env });
    expect(result.code).toBe(3);
    expect(json(result)).toMatchObject({ error: { name: "ImportFailedError", status: "failed", reason: "The website could not be reached." }, exitCode: 3 });
  });

  it("130: interrupted (Ctrl-C)", async () => {
    const server = await twinServer({ provider: "importio", clock: "manual" });
    const { env, args } = target(server);
    // On the manual clock the crawl run never moves: the wait is still going when Ctrl-C comes.
    const waiting = startCli(["importio", "run", server.twin.seeded.extractorId, "--wait", "--json", ...args, ...fastPolls], { env });
    await waiting.waitFor(/started crawl run \S+/);
    waiting.interrupt();
    const result = await waiting.result;
    expect(result.code).toBe(130);
    expect(json(result)).toMatchObject({ exitCode: 130 });
  });
});

describe("output", () => {
  it("--quiet prints nothing on success (the exit code tells); an error still goes to stderr", async () => {
    const done = await runCli(["gitbook", "import", "--org", "acme", "--space", "docs", "--url", "https://docs.example.com/", "--wait", "--mock", "--quiet"]);
    expect(done).toMatchObject({ code: 0, stdout: "", stderr: "" });
    const failed = await runCli(["gitbook", "get", "nope", "--org", "acme", "--mock", "--quiet"]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe("");
    expect(failed.stderr).toMatch(/^importkit: getImportRun .* failed with 404/);
  });
});

describe("credentials", () => {
  it("come from the environment, a file, or stdin", async () => {
    const server = await twinServer({ provider: "gitbook" });
    const { env, args } = target(server);
    const org = server.twin.credentials.organizationId;
    const file = join(mkdtempSync(join(tmpdir(), "importkit-cli-cred-")), "token");
    writeFileSync(file, `${env.GITBOOK_TOKEN}\n`);
    const fromEnv = await runCli(["gitbook", "runs", "list", "--org", org, ...args], { env });
    const fromFile = await runCli(["gitbook", "runs", "list", "--org", org, "--credentials-file", file, ...args]);
    const fromStdin = await runCli(["gitbook", "runs", "list", "--org", org, "--credentials-file", "-", ...args], { stdin: `${env.GITBOOK_TOKEN}\n` });
    expect([fromEnv.code, fromFile.code, fromStdin.code]).toEqual([0, 0, 0]);
    // The file wins over the environment.
    const wrongEnv = await runCli(["gitbook", "runs", "list", "--org", org, "--credentials-file", file, ...args], { env: { GITBOOK_TOKEN: "gb-not-this-one" } });
    expect(wrongEnv.code).toBe(0);
  });

  it("an empty or unreadable file, or a file with --mock, is a usage error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "importkit-cli-cred-"));
    writeFileSync(join(dir, "empty"), "\n");
    const empty = await runCli(["importio", "extractors", "list", "--credentials-file", join(dir, "empty")]);
    const missing = await runCli(["importio", "extractors", "list", "--credentials-file", join(dir, "missing")]);
    const both = await runCli(["importio", "extractors", "list", "--credentials-file", join(dir, "empty"), "--mock"]);
    expect([empty.code, missing.code, both.code]).toEqual([2, 2, 2]);
    expect(empty.stderr).toContain("is empty; it should hold an Import.io API key");
    expect(missing.stderr).toContain("ENOENT");
    expect(both.stderr).toContain("--mock uses the twin's own credentials");
  });
});

describe("no secret in any output", () => {
  it("tokens, keys, secret URLs, minted JWTs and header values never appear: results, progress, errors, --json, --verbose", async () => {
    const secrets = {
      gitbook: "gb-SECRET-token-0123456789abcdef",
      importio: "io-SECRET-key-0123456789abcdef",
      document360: "d360-SECRET-token-0123456789abcdef",
      sharinpix: "spx-SECRET-0123456789abcdef",
      wrong: "gb-WRONG-but-still-secret-987654321",
      header: "image-host-SECRET-42",
    };
    const gitbook = await twinServer({ provider: "gitbook", credentials: { token: secrets.gitbook } });
    const importio = await twinServer({ provider: "importio", credentials: { apiKey: secrets.importio } });
    const document360 = await twinServer({ provider: "document360", credentials: { apiToken: secrets.document360 } });
    const sharinpix = await twinServer({ provider: "sharinpix", credentials: { secret: secrets.sharinpix } });
    const g = target(gitbook);
    const i = target(importio);
    const d = target(document360);
    const s = target(sharinpix);
    const { organizationId: org, spaceId: space } = gitbook.twin.credentials;
    const dir = mkdtempSync(join(tmpdir(), "importkit-cli-leak-"));
    const csv = join(dir, "images.csv");
    writeFileSync(csv, "url\nhttps://images.example.com/1.jpg\nhttps://images.example.com/2.jpg\n");
    importio.twin.failNext("getCrawlrun", { status: 500 }, 10);
    // First the import that succeeds, then the next import the twin starts fails.
    const succeeded = await runCli(["gitbook", "import", "--org", org, "--space", space, "--url", "https://docs.example.com/", "--wait", "--verbose", ...g.args, ...fastPolls], { env: g.env });
    gitbook.twin.failNextImport("The website could not be reached.");

    const runs: Promise<CliResult>[] = [
      // Successes, in every output form.
      Promise.resolve(succeeded),
      runCli(["gitbook", "runs", "list", "--org", org, "--json", "--verbose", ...g.args], { env: g.env }),
      runCli(["importio", "extractors", "list", "--json", "--verbose", ...i.args], { env: i.env }),
      runCli(["document360", "export", "--out", join(dir, "e.zip"), "--json", "--verbose", ...d.args, ...fastPolls], { env: d.env }),
      runCli(["sharinpix", "import", "--album", sharinpix.twin.credentials.albumId, "--url", "https://images.example.com/a.jpg", "--header", `Authorization: Bearer ${secrets.header}`, "--wait", "--json", "--verbose", ...s.args, ...fastPolls], { env: s.env }),
      runCli(["sharinpix", "bulk", csv, "--album", sharinpix.twin.credentials.albumId, "--json", "--verbose", ...s.args], { env: s.env }),
      runCli(["api", "sharinpix", "GET", "/imports/00000000-0000-4000-8000-000000000000", "--verbose", ...s.args], { env: s.env }),
      // Failures: a failed import, a refused credential, a server error after retries, input refused before sending.
      runCli(["gitbook", "import", "--org", org, "--space", space, "--url", "https://docs.example.com/", "--wait", "--json", ...g.args, ...fastPolls], { env: g.env }),
      runCli(["gitbook", "runs", "list", "--org", org, "--json", "--verbose", ...g.args], { env: { GITBOOK_TOKEN: secrets.wrong } }),
      runCli(["gitbook", "runs", "list", "--org", org, ...g.args], { env: { GITBOOK_TOKEN: secrets.wrong } }),
      runCli(["importio", "crawl-runs", "show", importio.twin.seeded.crawlRunId, "--json", "--verbose", "--max-retries", "1", ...i.args], { env: i.env }),
      runCli(["document360", "import", "not-a-url", "--import-by", "u", "--json", ...d.args], { env: d.env }),
      // A token pasted with a path as the region (no --base-url: the region picks the address; refused before any request).
      runCli(["document360", "export", "--region", `${secrets.document360}/v2`], { env: d.env }),
      runCli(["sharinpix", "import", "--album", "A", "--url", "https://e.com/a.jpg", ...s.args], { env: { SHARINPIX_SECRET_URL: `sharinpix://id:${secrets.sharinpix}@bad host/api/v1` } }),
    ];
    const results = await Promise.all(runs);
    const codes = results.map((r) => r.code);
    expect(codes).toEqual([0, 0, 0, 0, 0, 0, 1, 3, 1, 1, 1, 2, 2, 2]);

    const everything = results.map((r) => r.stdout + r.stderr).join("\n") + readFileSync(`${csv}.report.json`, "utf8");
    for (const secret of Object.values(secrets)) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]{2,}\./); // no JWT (SharinPix mints them from the secret)
    expect(everything).not.toMatch(/Bearer (?!\[REDACTED\])/);
    expect(everything).not.toContain(sharinpix.twin.credentials.secretUrl);
    expect(everything).toContain("[REDACTED]");
  });
});
