// `importkit mock`: Prism mock servers, or twins with --stateful, until Ctrl-C (exit 0).
import { describe, expect, it } from "vitest";
import { json, runCli, startCli } from "./cli.ts";

describe("importkit mock", () => {
  it("--stateful serves twins a command can use with the credentials it prints; Ctrl-C stops them (exit 0)", async () => {
    const mock = startCli(["mock", "gitbook", "--stateful", "--port", "0"]);
    const [, url] = await mock.waitFor(/^gitbook\s+(http:\/\/127\.0\.0\.1:\d+\/v1)\s+\(twin\)$/m);
    const [, token] = await mock.waitFor(/export GITBOOK_TOKEN='([^']+)'/);
    const [, org, space] = await mock.waitFor(/# org (\S+), space (\S+)/);

    const run = await runCli(["gitbook", "import", "--org", org!, "--space", space!, "--url", "https://docs.example.com/", "--wait", "--poll-interval", "10ms", "--base-url", url!], {
      env: { GITBOOK_TOKEN: token },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/completed: 4 pages imported/);
    // The same twin remembers the run.
    const listed = await runCli(["gitbook", "runs", "list", "--org", org!, "--json", "--base-url", url!], { env: { GITBOOK_TOKEN: token } });
    expect(json<unknown[]>(listed)).toHaveLength(1);

    mock.interrupt();
    const stopped = await mock.result;
    expect(stopped.code).toBe(0);
  });

  it("serves Prism mocks from the specs by default, as one JSON document with --json", async () => {
    const mock = startCli(["mock", "importio", "document360", "--json"]);
    await mock.waitFor(/^\}$/m);
    const { servers } = JSON.parse(mock.stdout()) as { servers: { provider: string; mode: string; baseUrl: string }[] };
    expect(servers.map((s) => [s.provider, s.mode])).toEqual([
      ["importio", "prism"],
      ["document360", "prism"],
    ]);
    // Prism answers the spec's example, with request validation and security checks on.
    const answer = await fetch(`${servers[0]!.baseUrl}/extractors?_apikey=any`);
    expect(answer.status).toBe(200);
    expect(Array.isArray(await answer.json())).toBe(true);
    mock.interrupt();
    expect((await mock.result).code).toBe(0);
  });

  it("--proxy passes traffic to the upstream and, on Ctrl-C, reports what departed from the spec (redacted)", async () => {
    // The upstream: a twin over HTTP, answering a GitBook run that lacks the `id` the spec requires (a departure).
    const { createServer } = await import("node:http");
    const upstream = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ object: "import-run", status: "pending" }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
    try {
      const proxy = startCli(["mock", "gitbook", "--proxy", origin, "--json"]);
      await proxy.waitFor(/"mode": "proxy"/);
      await proxy.waitFor(/^\}$/m);
      const { servers } = JSON.parse(proxy.stdout()) as { servers: { baseUrl: string }[] };
      const answer = await fetch(`${servers[0]!.baseUrl}/org/org_1/imports/run_1`, { headers: { authorization: "Bearer gb_SECRET_proxy_check" } });
      expect(answer.status).toBe(200);
      proxy.interrupt();
      const stopped = await proxy.result;
      expect(stopped.code).toBe(0);
      const report = stopped.stdout.slice(stopped.stdout.indexOf('{\n  "provider"'));
      expect(JSON.parse(report).report.exchanges).toBe(1);
      expect(JSON.parse(report).report.departures).toHaveLength(1);
      expect(stopped.stdout).not.toContain("gb_SECRET_proxy_check");
    } finally {
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
    }
  });

  it.each([
    [["mock", "jira"], /value 'jira' is invalid for argument 'provider'/],
    [["mock", "--port", "99999"], /option '--port <n>' argument '99999' is invalid/],
    [["mock", "gitbook", "importio", "--proxy", "https://api.gitbook.com/v1"], /--proxy checks one provider's traffic/],
    [["mock", "gitbook", "--proxy", "api.gitbook.com"], /--proxy needs the API's URL/],
  ])("refuses a bad command line with exit 2: %j", async (argv, message) => {
    const result = await runCli(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
