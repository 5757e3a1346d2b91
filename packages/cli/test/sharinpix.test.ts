// `importkit sharinpix …` against the SharinPix twin: single imports, and bulk imports with their checkpoint, report,
// validation before sending, failures, and Ctrl-C in the middle (resumed without a duplicate).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTwin, type Twin } from "../../twin/src/index.ts";
import { json, runCli, startCli } from "./cli.ts";
import { target, twinServer } from "./twins.ts";

const fastPolls = ["--poll-interval", "10ms"];
const tmp = () => mkdtempSync(join(tmpdir(), "importkit-cli-spx-"));

function imagesCsv(dir: string, count: number, extra = ""): string {
  const file = join(dir, "images.csv");
  const rows = Array.from({ length: count }, (_, i) => `https://images.example.com/${i + 1}.jpg,image-${i + 1}.jpg,a|b,SKU-${i + 1}`);
  writeFileSync(file, `url,filename,tags,metadata.sku\n${rows.join("\n")}\n${extra}`);
  return file;
}

/** The image URL a createImport sent (JSON when it has tags, else the documented form body). */
const sentUrl = (record: Twin["requests"][number]) => (record.json as { url?: string } | undefined)?.url ?? new URLSearchParams(record.body ?? "").get("url");
const created = (twin: Twin) => twin.requests.filter((r) => r.operationId === "createImport" && r.status === 200);

describe("importkit sharinpix import / get", () => {
  it("imports one image from a URL and waits for it; the header it sends is never printed", async () => {
    const server = await twinServer({ provider: "sharinpix" });
    const { env, args } = target(server);
    const album = server.twin.credentials.albumId;
    const result = await runCli(
      ["sharinpix", "import", "--album", album, "--url", "https://images.example.com/a.jpg", "--header", "Authorization: Bearer image-host-secret-123", "--tag", "x", "--metadata", "sku=A1", "--wait", "--json", ...args, ...fastPolls],
      { env },
    );
    expect(result.code, result.stderr).toBe(0);
    const done = json(result);
    expect(done).toMatchObject({ album_id: album, image_id: expect.any(String), params: { url: "https://images.example.com/a.jpg", tags: ["x"], metadatas: { sku: "A1" } } });
    expect(result.stdout + result.stderr).not.toContain("image-host-secret-123");
    expect(result.stderr).toMatch(new RegExp(`import ${done.id}: \\(image ${done.image_id}\\)`));
  });

  it("imports from a Salesforce Attachment and ContentDocument, and shows an import by id", async () => {
    const server = await twinServer({ provider: "sharinpix" });
    const { env, args } = target(server);
    const album = server.twin.credentials.albumId;
    const attachment = await runCli(["sharinpix", "import", "--album", album, "--attachment", "00P1x000001AbCdEAK", "--json", ...args], { env });
    expect(json(attachment)).toMatchObject({ import_type: "salesforce", image_id: null });
    const document = await runCli(["sharinpix", "import", "--album", album, "--content-document", "0691x000000AbCdEF", "--wait", ...args, ...fastPolls], { env });
    expect(document.code, document.stderr).toBe(0);
    expect(document.stdout).toMatch(/^import \S+: image \S+\n$/);
    const shown = await runCli(["sharinpix", "get", json(attachment).id, ...args], { env });
    expect(shown.stdout).toMatch(new RegExp(`^import ${json(attachment).id}: image \\S+\\n  album\\s+${album}\\n  type\\s+salesforce`));
  });

  it("exits 3 when the image never comes (SharinPix reports no failure: the wait's deadline ends it)", async () => {
    const server = await twinServer({ provider: "sharinpix" });
    const { env, args } = target(server);
    server.twin.failNextImport();
    const result = await runCli(["sharinpix", "import", "--album", server.twin.credentials.albumId, "--url", "https://images.example.com/a.jpg", "--wait", "--deadline", "300ms", ...args, ...fastPolls], { env });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/importkit: SharinPix import \S+ was still running after 300 ms/);
  });

  it("on Ctrl-C while waiting, exits 130 and says how to follow the import", async () => {
    const server = await twinServer({ provider: "sharinpix", clock: "manual" });
    const { env, args } = target(server);
    const cli = startCli(["sharinpix", "import", "--album", server.twin.credentials.albumId, "--url", "https://images.example.com/a.jpg", "--wait", ...args, ...fastPolls], { env });
    const [, id] = await cli.waitFor(/started import (\S+) into album/);
    cli.interrupt();
    const result = await cli.result;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain(`import ${id} is still running; follow it with: importkit sharinpix get ${id} --wait`);
  });

  it.each([
    [["--album", "A", "--url", "https://e.com/a.jpg", "--attachment", "00P"], /exactly one of --url, --attachment, --content-document/],
    [["--album", "A", "--attachment", "00P", "--header", "X: y"], /--header goes with --url/],
    [["--album", "A", "--url", "https://e.com/a.jpg", "--metadata", "novalue"], /--metadata takes key=value/],
    [["--url", "https://e.com/a.jpg"], /required option '--album <id>'/],
  ])("refuses a bad command line with exit 2: %j", async (argv, message) => {
    const result = await runCli(["sharinpix", "import", ...argv, "--mock"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe("importkit sharinpix bulk", () => {
  it("imports every row of a CSV, writes the report and the checkpoint beside it; a second run sends nothing", async () => {
    const server = await twinServer({ provider: "sharinpix" });
    const { env, args } = target(server);
    const file = imagesCsv(tmp(), 120);
    const first = await runCli(["sharinpix", "bulk", file, "--album", server.twin.credentials.albumId, "--concurrency", "8", ...args], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^120 imported, 0 skipped \(already done\), 0 failed, 0 uncertain, of 120 rows in [\d.]+ s\nreport: .*images\.csv\.report\.json\ncheckpoint: .*images\.csv\.checkpoint\n$/);
    expect(first.stderr).toContain("images: 120/120 items");
    const report = JSON.parse(readFileSync(`${file}.report.json`, "utf8"));
    expect(report).toMatchObject({ total: 120, imported: 120, failed: 0, uncertain: 0, aborted: false });
    expect(report.successes.map((s: { line: number }) => s.line)).toEqual(expect.arrayContaining([2, 121]));
    expect(existsSync(`${file}.checkpoint`)).toBe(true);
    // The rows as the spec's fields: tags split on |, metadata.<name> columns as metadatas.
    const sent = created(server.twin).map((r) => r.json as { url: string; filename: string; tags: string[]; metadatas: Record<string, string> });
    expect(sent).toHaveLength(120);
    expect(sent.find((body) => body.url === "https://images.example.com/7.jpg")).toMatchObject({ filename: "image-7.jpg", tags: ["a", "b"], metadatas: { sku: "SKU-7" } });

    const second = await runCli(["sharinpix", "bulk", file, "--album", server.twin.credentials.albumId, ...args], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^0 imported, 120 skipped/);
    expect(created(server.twin)).toHaveLength(120);
  });

  it("reads NDJSON with keys of its own; rows naming other albums", async () => {
    const server = await twinServer({ provider: "sharinpix" });
    const { env, args } = target(server);
    const other = server.twin.seed.album();
    const file = join(tmp(), "images.ndjson");
    writeFileSync(
      file,
      [
        { key: "row-1", url: "https://images.example.com/1.jpg", tags: ["x"] },
        { key: "row-2", album_id: other, content_document_id: "0691x000000AbCdEF", metadatas: { sku: "B" } },
      ]
        .map((row) => JSON.stringify(row))
        .join("\n"),
    );
    const result = await runCli(["sharinpix", "bulk", file, "--album", server.twin.credentials.albumId, "--json", ...args], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(json(result).successes.map((s: { key: string }) => s.key)).toEqual(expect.arrayContaining(["row-1", "row-2"]));
  });

  it("checks the whole file before sending anything: a bad row anywhere is exit 2 and no request", async () => {
    const server = await twinServer({ provider: "sharinpix" });
    const { env, args } = target(server);
    const dir = tmp();
    const file = imagesCsv(dir, 50, ",x.jpg,,\n,,,\n");
    const result = await runCli(["sharinpix", "bulk", file, "--album", server.twin.credentials.albumId, ...args], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}: 2 problems, nothing was sent:`);
    expect(result.stderr).toContain(`${file} line 52: give exactly one of url, attachment_id, content_document_id`);
    expect(result.stderr).toContain(`${file} line 53: give exactly one of url, attachment_id, content_document_id`);
    expect(server.twin.requests).toHaveLength(0);

    // What the spec only infers (here: that a file name is a string) is a warning by default, a refusal with
    // --validate strict, checked for the whole file before the first request either way.
    const ndjson = join(dir, "images.ndjson");
    writeFileSync(ndjson, `{"url":"https://e.com/1.jpg"}\n{"url":"https://e.com/2.jpg","filename":42}\n{"url":"https://e.com/3.jpg","attachment_id":"00P1"}\n`);
    const warned = await runCli(["sharinpix", "bulk", ndjson, "--album", server.twin.credentials.albumId, ...args], { env });
    expect(warned.code).toBe(2);
    expect(warned.stderr).toContain(`warning: ${ndjson} line 2: filename: must be string (got integer) (inferred by the spec, sent anyway; --validate strict refuses it)`);
    expect(warned.stderr).toContain(`${ndjson}: 1 problem, nothing was sent:`);
    const strict = await runCli(["sharinpix", "bulk", ndjson, "--album", server.twin.credentials.albumId, "--validate", "strict", ...args], { env });
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain(`${ndjson}: 2 problems, nothing was sent:`);
    expect(strict.stderr).toContain(`${ndjson} line 2: filename: must be string (got integer)\n`);
    expect(server.twin.requests).toHaveLength(0);

    writeFileSync(file, "image_url\nhttps://e.com/a.jpg\n");
    const columns = await runCli(["sharinpix", "bulk", file, "--album", "A", ...args], { env });
    expect(columns.code).toBe(2);
    expect(columns.stderr).toMatch(/unknown column image_url \(known: url, attachment_id/);
    const noAlbum = await runCli(["sharinpix", "bulk", imagesCsv(dir, 1), ...args], { env });
    expect(noAlbum.code).toBe(2);
    expect(noAlbum.stderr).toMatch(/line 2: no album_id, and no --album/);
    expect(server.twin.requests).toHaveLength(0);
  });

  it("exits 3 with the failed rows in the report when the server refuses some", async () => {
    const server = await twinServer({ provider: "sharinpix" });
    const { env, args } = target(server);
    const dir = tmp();
    const file = join(dir, "images.csv");
    // SharinPix refuses the first row (one request at a time, so the first row is the first request).
    server.twin.failNext("createImport", { status: 400, message: "Album is locked" });
    writeFileSync(file, `url\nhttps://e.com/1.jpg\nhttps://e.com/2.jpg\nhttps://e.com/3.jpg\n`);
    const result = await runCli(["sharinpix", "bulk", file, "--album", server.twin.credentials.albumId, "--concurrency", "1", ...args], { env });
    expect(result.code).toBe(3);
    const report = JSON.parse(readFileSync(`${file}.report.json`, "utf8"));
    expect(report).toMatchObject({ imported: 2, failed: 1, uncertain: 0 });
    expect(report.failures[0]).toMatchObject({ line: 2, item: { url: "https://e.com/1.jpg" }, error: { name: "InvalidRequestError", status: 400 } });
    expect(result.stderr).toContain("  line 2: ");
    expect(result.stderr).toContain("failed items are sent again by the next run");
  });

  describe("interrupted", () => {
    let gate: Server | undefined;
    afterEach(() => new Promise<void>((resolve) => (gate ? (gate.closeAllConnections(), gate.close(() => resolve())) : resolve())));

    it("Ctrl-C stops taking rows, finishes and records the requests in flight, exits 130; the next run sends only the rest", async () => {
      // A twin behind a server that holds every createImport after the 10th until the test lets them go: the CLI is
      // certainly mid-run when Ctrl-C comes, with requests in flight.
      let twin!: Twin<"sharinpix">;
      let arrived = 0;
      let held: (() => void)[] = [];
      let holding = true;
      let allHeldNow!: () => void;
      const allHeld = new Promise<void>((resolve) => (allHeldNow = resolve));
      const concurrency = 4;
      gate = createServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        if (req.method === "POST" && ++arrived > 10 && holding) {
          await new Promise<void>((release) => {
            held.push(release);
            if (held.length === concurrency) allHeldNow();
          });
        }
        const headers = new Headers(Object.entries(req.headers).flatMap(([k, v]) => (typeof v === "string" && k !== "connection" && k !== "host" ? [[k, v]] : [])) as [string, string][]);
        const answer = await twin.fetch(new Request(`${twin.baseUrl.replace(/\/api\/v1$/, "")}${req.url}`, { method: req.method!, headers, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}) }));
        res.writeHead(answer.status, Object.fromEntries(answer.headers));
        res.end(Buffer.from(await answer.arrayBuffer()));
      });
      await new Promise<void>((resolve) => gate!.listen(0, "127.0.0.1", resolve));
      const port = (gate.address() as AddressInfo).port;
      twin = createTwin({ provider: "sharinpix", baseUrl: `http://127.0.0.1:${port}/api/v1` });
      await twin.ready();
      const env = { SHARINPIX_SECRET_URL: twin.credentials.secretUrl };
      const argv = ["sharinpix", "bulk", imagesCsv(tmp(), 50), "--album", twin.credentials.albumId, "--concurrency", String(concurrency), "--base-url", twin.baseUrl];

      const cli = startCli(argv, { env });
      await allHeld;
      cli.interrupt();
      await cli.waitFor(/stopping…/);
      holding = false;
      for (const release of held) release();
      held = [];
      const first = await cli.result;
      expect(first.code).toBe(130);
      expect(first.stdout).toMatch(/^14 imported, 0 skipped \(already done\), 0 failed, 0 uncertain, of 14 rows/);
      expect(first.stderr).toContain("run the same command again to resume from");
      const checkpoint = readFileSync(`${argv[2]}.checkpoint`, "utf8");
      expect(checkpoint.split("\n").filter((line) => line.includes('"s":"imported"'))).toHaveLength(14);

      const second = await runCli(argv, { env });
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/^36 imported, 14 skipped \(already done\), 0 failed, 0 uncertain, of 50 rows/);
      // Every image exactly once.
      const urls = created(twin).map(sentUrl);
      expect(urls).toHaveLength(50);
      expect(new Set(urls).size).toBe(50);
    });
  });
});
