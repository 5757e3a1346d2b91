// `importkit api <provider> <METHOD> <path>`: typed by the spec — the path must match an operation of the generated
// table, the input is checked before sending, the answer is printed as JSON.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { json, runCli } from "./cli.ts";
import { target, twinServer } from "./twins.ts";

describe("importkit api", () => {
  it("GETs a list with a typed query, and a result file as it is", async () => {
    const server = await twinServer({ provider: "importio" });
    const { env, args } = target(server);
    // `_perpage` is an integer in the spec: the text of --field is sent as one, and the query validates.
    const list = await runCli(["api", "importio", "GET", "/extractors", "--field", "_perpage=1", ...args], { env });
    expect(list.code, list.stderr).toBe(0);
    expect(json(list)).toEqual([expect.objectContaining({ guid: server.twin.seeded.extractorId, name: "Product pages" })]);
    expect(server.twin.requests.at(-1)!.url).toMatch(/[?&]_perpage=1(&|$)/);

    const csv = await runCli(["api", "importio", "GET", `/crawlruns/${server.twin.seeded.crawlRunId}/csv`, ...args], { env });
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.split("\n")[0]).toBe("url,Name,Price,Description");
  });

  it("POSTs a body from --input and --field (nested), and the path's own ids", async () => {
    const server = await twinServer({ provider: "gitbook" });
    const { env, args } = target(server);
    const { organizationId: org, spaceId: space } = server.twin.credentials;
    const input = join(mkdtempSync(join(tmpdir(), "importkit-cli-api-")), "body.json");
    writeFileSync(input, JSON.stringify({ source: { type: "website", url: "https://docs.example.com/" } }));
    const started = await runCli(["api", "gitbook", "POST", `/org/${org}/imports`, "--input", input, "-f", `target[space]=${space}`, ...args], { env });
    expect(started.code, started.stderr).toBe(0);
    const run = json(started);
    expect(run).toMatchObject({ status: "pending", target: { space } });

    const got = await runCli(["api", "gitbook", "GET", `/org/${org}/imports/${run.id}`, ...args], { env });
    expect(json(got)).toMatchObject({ id: run.id });
    const filtered = await runCli(["api", "gitbook", "GET", `/org/${org}/imports?status=active`, ...args], { env });
    expect(json(filtered).items.map((r: { id: string }) => r.id)).toEqual([run.id]);
  });

  it("exits 1 with the API's error body on stdout when the API refuses", async () => {
    const server = await twinServer({ provider: "gitbook" });
    const { env, args } = target(server);
    const result = await runCli(["api", "gitbook", "GET", `/org/${server.twin.credentials.organizationId}/imports/nope`, ...args], { env });
    expect(result.code).toBe(1);
    expect(json(result)).toMatchObject({ error: { code: 404 } });
    expect(result.stderr).toMatch(/importkit: getImportRun \(GET \/org\/\S+\/imports\/nope\) answered 404/);
  });

  it.each([
    [["gitbook", "GET", "/org/acme/importz"], /no operation of the gitbook spec is GET \/org\/acme\/importz; the operations are:\n\s+GET\s+\/org\/\{organizationId\}\/imports/],
    [["gitbook", "DELETE", "/org/acme/imports"], /no operation of the gitbook spec is DELETE/],
    [["gitbook", "FETCH", "/org/acme/imports"], /unknown method FETCH/],
    [["gitbook", "POST", "/org/acme/imports", "-F", "source[type]=website"], /startImportRun: invalid input, not sent: target: is required; source\.url: is required/],
    [["gitbook", "GET", "/org/acme/imports", "--field", "limit=many"], /listImportRuns: invalid input, not sent: limit/],
    [["gitbook", "GET", "/org/acme/imports", "--input", "x.json"], /--input is a request body; a GET sends none/],
    [["jira", "GET", "/issues"], /value 'jira' is invalid for argument 'provider'/],
    [["gitbook", "POST", "/org/acme/imports", "-F", "novalue"], /--field takes key=value/],
  ])("refuses what the spec does not have, or input it refuses, with exit 2 and no request: %j", async (argv, message) => {
    const result = await runCli(["api", ...argv, "--mock"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
