/**
 * The command tree: every command, option and help text, and nothing else. Each action imports its command's module
 * when it runs (`import()`), so `importkit --help` loads only this file and commander: no client, no twin, no Prism,
 * no progress bar (bench/cli-startup.ts measures it).
 *
 * The parser is commander (14.x: the last line that runs on Node 20; ~180 kB, no dependencies, one of npm's most
 * used packages). It gives what a hand-written layer over `util.parseArgs` would have to rebuild: nested
 * subcommands, `--help` on every command and subcommand, `--version`, required options, choices, "did you mean"
 * suggestions and usage errors with their own exit code. `util.parseArgs` parses flags only.
 */
import { Argument, Command, InvalidArgumentError, Option } from "commander";
import { CREDENTIALS, PROVIDERS, type Provider } from "./providers.js";
import { VERSION } from "./version.js";
import type { Handler } from "./runner.js";


// ---- Value parsers: a bad value is a usage error (exit 2) naming the option --------------------------------------

function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? "" : ` to ${max}`}.`);
    }
    return n;
  };
}

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** `500` (ms), `500ms`, `30s`, `10m`, `2h`. */
export function duration(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  const ms = match ? Number(match[1]) * UNITS_MS[match[2] ?? "ms"]! : Number.NaN;
  if (!Number.isFinite(ms) || ms < 1 || ms > 2 ** 31 - 1) throw new InvalidArgumentError("expected a duration such as 500 (ms), 30s, 10m or 2h.");
  return Math.round(ms);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function validationMode(value: string): "documented" | "strict" | "off" {
  if (value === "documented" || value === "strict" || value === "off") return value;
  throw new InvalidArgumentError("expected documented, strict or off");
}

function list(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(",").map((v) => v.trim()).filter(Boolean)];
}

// ---- Option groups ------------------------------------------------------------------------------------------------

/** Output options: every command that prints a result. */
function outputOptions(command: Command): Command {
  return command
    .option("--json", "print one machine-readable JSON result on stdout")
    .option("-q, --quiet", "no progress and no messages (errors still go to stderr)")
    .option("--verbose", "show retries and other details of the requests on stderr");
}

/** Connection options: every command that calls a provider's API. */
function connectionOptions(command: Command, provider: Provider | "any"): Command {
  command
    .option("--mock", `run against the embedded ${provider === "any" ? "" : `${provider} `}twin (in memory: no account, no network)`)
    .option("--credentials-file <path>", `read the credential from a file (- for stdin) instead of ${provider === "any" ? "the provider's variable" : `$${CREDENTIALS[provider].env}`}`)
    .option("--base-url <url>", "send requests to another address (an `importkit mock` server, a proxy)")
    .option("--timeout <duration>", "limit of one request attempt (default 60s)", duration)
    .option("--max-retries <n>", "retries after a failed attempt (default 2)", wholeNumber(0, 10))
    .option("--validate <mode>", "check input against the spec before sending: documented (default: refuse what the vendor documents, warn about inferred rules), strict (refuse those too), off", validationMode);
  if (provider === "document360" || provider === "any") {
    command.option("--region <region>", `${provider === "any" ? "(document360) " : ""}eu (default), us, or your private host's label (acme → apihub.acme.document360.io)`);
  }
  return outputOptions(command);
}

/** Wait options: every command that can wait for an import or export. */
function waitOptions(command: Command, { cancel }: { cancel: boolean }): Command {
  command
    .option("--wait", "wait until it is done, with progress")
    .option("--deadline <duration>", "stop waiting after this long (exit 3)", duration)
    .option("--poll-interval <duration>", "first wait between two polls (default 1s; 50ms with --mock)", duration);
  if (cancel) command.option("--cancel-on-interrupt", "on Ctrl-C, cancel the import before exiting (default: leave it running)");
  return command;
}

// ---- Actions ------------------------------------------------------------------------------------------------------

/** The action of a leaf command: runs the handler its module exports (loaded now, not at startup). */
function run(load: () => Promise<Handler>) {
  return async (...params: unknown[]) => {
    const command = params[params.length - 1] as Command;
    const { execute } = await import("./runner.js");
    process.exitCode = await execute(command, load);
  };
}

const gitbookCommands = () => import("./commands/gitbook.js");
const importioCommands = () => import("./commands/importio.js");
const document360Commands = () => import("./commands/document360.js");
const sharinpixCommands = () => import("./commands/sharinpix.js");

function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join("\n")}\n`;
}

export function createProgram(): Command {
  // exitOverride before any subcommand: they inherit it, so every usage error reaches bin.ts (exit 2).
  const program = new Command("importkit")
    .exitOverride()
    .description("Run content imports on GitBook, Import.io, Document360 and SharinPix — on your accounts, or on their embedded twins (--mock).")
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .helpCommand("help [command]", "show help for a command")
    .showSuggestionAfterError(true)
    .showHelpAfterError("(add --help for usage)")
    .addHelpText(
      "after",
      `
Credentials: ${PROVIDERS.map((p) => CREDENTIALS[p].env).join(", ")}, or --credentials-file PATH; --mock needs none.
Exit codes: 0 ok · 1 API or network failure · 2 usage · 3 the import failed · 130 interrupted.
${examples(["importkit demo", "importkit gitbook import --org ORG --space SPACE --url https://docs.example.com/ --wait", "importkit importio run EXTRACTOR --wait --format csv --out results.csv", "importkit document360 export --wait --out export.zip", "importkit sharinpix bulk images.csv --album ALBUM", "importkit api gitbook GET /org/ORG/imports"])}`,
    );

  // -- GitBook ------------------------------------------------------------------------------------------------------
  const gitbook = program.command("gitbook").description("GitBook Imports: import a website or files into a space");
  waitOptions(
    connectionOptions(
      gitbook
        .command("import")
        .description("start an import run into a space (a website, or files by URL)")
        .requiredOption("--org <id>", "the organization")
        .requiredOption("--space <id>", "the space to import into")
        .option("--url <url>", "import a website from this URL")
        .option("--file <url>", "import a file from this URL (repeat for several; up to 50)", collect)
        .option("--change-request <id>", "import into this change request instead of the space's main content")
        .option("--page <id>", "import under this page")
        .option("--site <id>", "the site the space belongs to")
        .option("--enhance", "let GitBook enhance the imported content with AI"),
      "gitbook",
    ),
    { cancel: true },
  )
    .addHelpText("after", examples(["importkit gitbook import --org ORG --space SPACE --url https://docs.example.com/ --wait", "importkit gitbook import --org ORG --space SPACE --file https://example.com/a.md --file https://example.com/b.md"]))
    .action(run(() => gitbookCommands().then((m) => m.importRun)));
  const runs = gitbook.command("runs").description("import runs of an organization");
  connectionOptions(
    runs
      .command("list")
      .description("list import runs, newest first (every page)")
      .requiredOption("--org <id>", "the organization")
      .option("--space <id>", "only runs into this space")
      .option("--change-request <id>", "only runs into this change request")
      .option("--site <id>", "only runs of this site")
      .addOption(new Option("--status <status>", "only runs in this state").choices(["active", "pending", "in-progress", "completed", "failed", "cancelled"]))
      .option("--limit <n>", "stop after this many runs", wholeNumber(1)),
    "gitbook",
  ).action(run(() => gitbookCommands().then((m) => m.listRuns)));
  waitOptions(
    connectionOptions(gitbook.command("get").description("show an import run").argument("<run>", "the import run id").requiredOption("--org <id>", "the organization"), "gitbook"),
    { cancel: true },
  ).action(run(() => gitbookCommands().then((m) => m.getRun)));
  connectionOptions(gitbook.command("cancel").description("cancel an import run that is still running").argument("<run>", "the import run id").requiredOption("--org <id>", "the organization"), "gitbook").action(
    run(() => gitbookCommands().then((m) => m.cancelRun)),
  );

  // -- Import.io ----------------------------------------------------------------------------------------------------
  const importio = program.command("importio").description("Import.io: run extractors and reports, save their results");
  const extractors = importio.command("extractors").description("extractors and their inputs");
  connectionOptions(extractors.command("list").description("list extractors (every page)").option("--limit <n>", "stop after this many", wholeNumber(1)), "importio").action(
    run(() => importioCommands().then((m) => m.listExtractors)),
  );
  connectionOptions(extractors.command("show").description("show an extractor and its input URLs").argument("<extractor>", "the extractor id"), "importio").action(
    run(() => importioCommands().then((m) => m.showExtractor)),
  );
  connectionOptions(
    extractors
      .command("set-inputs")
      .description("replace an extractor's input URLs with those of a file (one URL per line; # comments; - for stdin)")
      .argument("<extractor>", "the extractor id")
      .argument("<file>", "the file of URLs"),
    "importio",
  ).action(run(() => importioCommands().then((m) => m.setInputs)));
  const resultOptions = (command: Command, formats: string[]) =>
    command
      .addOption(new Option("--format <format>", "the result file to save (default: from --out's extension, else csv)").choices(formats))
      .option("--out <path>", "save the result file there (- for stdout); implies --wait");
  waitOptions(
    resultOptions(
      connectionOptions(importio.command("run").description("start a crawl run of an extractor; with --wait, follow it and save its results").argument("<extractor>", "the extractor id"), "importio"),
      ["csv", "json", "xlsx", "files", "log", "sample"],
    ),
    { cancel: true },
  )
    .addHelpText("after", examples(["importkit importio run EXTRACTOR --wait --format csv --out results.csv", "importkit importio run EXTRACTOR --wait --format json --out - | jq .url"]))
    .action(run(() => importioCommands().then((m) => m.runExtractor)));
  const crawlRuns = importio.command("crawl-runs").description("crawl runs and their result files");
  connectionOptions(crawlRuns.command("list").description("list crawl runs, newest first (every page)").option("--extractor <id>", "only this extractor's").option("--limit <n>", "stop after this many", wholeNumber(1)), "importio").action(
    run(() => importioCommands().then((m) => m.listCrawlRuns)),
  );
  waitOptions(connectionOptions(crawlRuns.command("show").description("show a crawl run").argument("<crawl-run>", "the crawl run id"), "importio"), { cancel: false }).action(
    run(() => importioCommands().then((m) => m.showCrawlRun)),
  );
  resultOptions(connectionOptions(crawlRuns.command("download").description("save a result file of a crawl run").argument("<crawl-run>", "the crawl run id"), "importio"), ["csv", "json", "xlsx", "files", "log", "sample"]).action(
    run(() => importioCommands().then((m) => m.downloadCrawlRun)),
  );
  connectionOptions(crawlRuns.command("rows").description("print the rows of a crawl run as NDJSON (one JSON object per line) on stdout").argument("<crawl-run>", "the crawl run id"), "importio").action(
    run(() => importioCommands().then((m) => m.crawlRunRows)),
  );
  const reports = importio.command("reports").description("reports and their runs");
  connectionOptions(reports.command("list").description("list reports (every page)").option("--limit <n>", "stop after this many", wholeNumber(1)), "importio").action(run(() => importioCommands().then((m) => m.listReports)));
  waitOptions(
    resultOptions(connectionOptions(reports.command("run").description("start a report run; with --wait, follow it and save its result").argument("<report>", "the report id"), "importio"), ["csv", "json", "xlsx"]),
    { cancel: false },
  ).action(run(() => importioCommands().then((m) => m.runReport)));
  connectionOptions(reports.command("runs").description("list the runs of a report, newest first").argument("<report>", "the report id").option("--limit <n>", "stop after this many", wholeNumber(1)), "importio").action(
    run(() => importioCommands().then((m) => m.listReportRuns)),
  );
  resultOptions(connectionOptions(reports.command("download").description("save a result file of a report run").argument("<report-run>", "the report run id"), "importio"), ["csv", "json", "xlsx"]).action(
    run(() => importioCommands().then((m) => m.downloadReportRun)),
  );

  // -- Document360 --------------------------------------------------------------------------------------------------
  const document360 = program.command("document360").description("Document360: export a project as a zip, import a zip");
  waitOptions(
    connectionOptions(
      document360
        .command("export")
        .description("export the project (or some versions and languages) as a zip")
        .option("--entity <entity>", "what to export (default: Project, or Version with --versions or --languages)")
        .option("--versions <ids>", "only these versions (ids, comma-separated)", list)
        .option("--languages <codes>", "only these languages (codes such as en,fr)", list)
        .option("--exclude-media", "leave media files out")
        .option("--out <path>", "save the zip there; implies --wait"),
      "document360",
    ),
    { cancel: false },
  )
    .addHelpText("after", examples(["importkit document360 export --wait --out export.zip", "importkit document360 export --versions 695782c0-a0a3-4664-9bfd-0197d26379ee --languages en --out v1-en.zip"]))
    .action(run(() => document360Commands().then((m) => m.exportProject)));
  waitOptions(
    connectionOptions(
      document360
        .command("import")
        .description("import a Document360 export zip that Document360 downloads from a URL, and show its log")
        .argument("<zip-url>", "where Document360 downloads the zip (with --mock, also a local file)")
        .option("--import-by <user>", "the team account the import is done as (required, except with --mock)")
        .option("--publish", "publish the imported articles"),
      "document360",
    ),
    { cancel: false },
  ).action(run(() => document360Commands().then((m) => m.importZip)));
  waitOptions(
    connectionOptions(
      document360
        .command("status")
        .description("show an export or an import by its id")
        .addArgument(new Argument("<kind>", "export or import").choices(["export", "import"]))
        .argument("<id>", "the export's or import's id")
        .option("--out <path>", "(export) save the zip there once it is done; implies --wait"),
      "document360",
    ),
    { cancel: false },
  ).action(run(() => document360Commands().then((m) => m.status)));

  // -- SharinPix ----------------------------------------------------------------------------------------------------
  const sharinpix = program.command("sharinpix").description("SharinPix: import images into albums, one or many");
  waitOptions(
    connectionOptions(
      sharinpix
        .command("import")
        .description("import one image: from a URL, a Salesforce Attachment or a Salesforce ContentDocument")
        .requiredOption("--album <id>", "the album to import into")
        .option("--url <url>", "the image's URL")
        .option("--header <name: value>", "a header SharinPix sends when it fetches --url (repeatable; kept secret)", collect)
        .option("--attachment <id>", "a Salesforce Attachment id")
        .option("--content-document <id>", "a Salesforce ContentDocument id")
        .option("--filename <name>", "the image's file name")
        .option("--tag <tag>", "a tag (repeatable)", collect)
        .option("--metadata <key=value>", "a metadata field (repeatable)", collect),
      "sharinpix",
    ),
    { cancel: false },
  )
    .addHelpText("after", examples(["importkit sharinpix import --album ALBUM --url https://example.com/a.jpg --wait", "importkit sharinpix import --album ALBUM --content-document 0691x000000AbCdEF"]))
    .action(run(() => sharinpixCommands().then((m) => m.importOne)));
  waitOptions(connectionOptions(sharinpix.command("get").description("show an import").argument("<import>", "the import id"), "sharinpix"), { cancel: false }).action(
    run(() => sharinpixCommands().then((m) => m.getImport)),
  );
  connectionOptions(
    sharinpix
      .command("bulk")
      .description("import many images from a CSV or NDJSON file: checked whole before anything is sent, resumable from a checkpoint")
      .argument("<file>", "a .csv or .ndjson (.jsonl) file; columns below")
      .option("--album <id>", "the album of rows that name none")
      .option("--concurrency <n>", "requests in flight at once (default 8)", wholeNumber(1, 256))
      .option("--checkpoint <path>", "what was done, so a second run skips it (default: FILE.checkpoint beside the input)")
      .option("--report <path>", "the final report: successes, failures, uncertain items (default: FILE.report.json)")
      .option("--key-metadata <name>", "also store each row's key in the image's metadata under this name")
      .option("--item-retries <n>", "extra attempts for an item the server certainly did not create (default 3)", wholeNumber(0, 100)),
    "sharinpix",
  )
    .addHelpText(
      "after",
      `
Columns (CSV header row, or NDJSON fields):
  url                  the image's URL (a URL import), or
  attachment_id        a Salesforce Attachment id, or
  content_document_id  a Salesforce ContentDocument id     (exactly one of the three)
  album_id             the album (default: --album)
  filename             optional file name
  tags                 optional; CSV: separated by |   NDJSON: an array
  metadata.<name>      optional metadata fields; NDJSON: a "metadatas" object
  key                  optional: the row's identity across runs (default: a hash of the row)
Every row is checked against the SharinPix spec before the first request; a bad row stops the run (exit 2).
A second run with the same checkpoint sends only what the first did not import; items whose answer was lost are
reported "uncertain" and never resent blindly. Exit 3 when an item failed or is uncertain.
${examples(["importkit sharinpix bulk images.csv --album ALBUM", "importkit sharinpix bulk images.csv --album ALBUM --checkpoint images.ckpt --concurrency 16"])}`,
    )
    .action(run(() => sharinpixCommands().then((m) => m.bulk)));

  // -- api ------------------------------------------------------------------------------------------------------------
  const api = program
    .command("api")
    .summary("call any operation of a provider's spec, checked against it")
    .description("call any operation of a provider's spec: the path must match one, the input is checked against it, the answer printed as JSON")
    .addArgument(new Argument("<provider>", "the API").choices([...PROVIDERS]))
    .argument("<method>", "GET, POST, PUT, PATCH or DELETE")
    .argument("<path>", "the path after the API's base URL, with a query if any, e.g. /org/ORG/imports?status=completed")
    .option("-F, --field <key=value>", "a parameter: the query of a GET or DELETE, else the body; true/false/null/numbers typed; a[b]=v nests, a[]=v appends", collect)
    .option("-f, --raw-field <key=value>", "like --field, always a string", collect)
    .option("--input <file>", "the request body from a JSON file (- for stdin)");
  connectionOptions(api, "any");
  api
    .addHelpText("after", examples(["importkit api gitbook GET /org/ORG/imports --field status=completed", "importkit api importio GET /extractors/EXTRACTOR/inputs --mock", "importkit api gitbook POST /org/ORG/imports --input body.json"]))
    .action(run(() => import("./commands/api.js").then((m) => m.callApi)));

  // -- mock, demo -----------------------------------------------------------------------------------------------------
  program
    .command("mock")
    .summary("serve Prism mocks, or stateful twins, until Ctrl-C")
    .description("serve mock servers until Ctrl-C: Prism from the specs (static examples), or --stateful twins")
    .addArgument(new Argument("[provider...]", "which (default: all)").choices([...PROVIDERS]))
    .option("--stateful", "serve twins: what you start is what you poll, files really download (prints their credentials)")
    .option("--port <n>", "the first port (the next providers take the next ones; default: free ports)", wholeNumber(0, 65535))
    .option("--proxy <upstream>", "validate real traffic against the spec on its way to <upstream>; on Ctrl-C, report what departed from it")
    .option("--json", "print the servers as one JSON document")
    .action(run(() => import("./commands/mock.js").then((m) => m.serveMocks)));
  program
    .command("demo")
    .summary("the quick start: each provider's main job on its twin")
    .description("the quick start: each provider's main job against its twin, with progress (no account, no network)")
    .option("--out <dir>", "where the files go (default: a new temporary folder)")
    .option("--json", "print the summary as one JSON document")
    .option("-q, --quiet", "no progress and no messages")
    .action(run(() => import("./commands/demo.js").then((m) => m.demo)));

  return program;
}
