// Result downloads over real HTTP on loopback (test/fault-server.ts), with the real bytes Prism cannot serve:
// the CSV, NDJSON, XLSX, log and zip fixtures, a 100 000-line result file, stalls, resets and bad lines.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  ConnectionError,
  createImportIoClient,
  InvalidResponseError,
  NotFoundError,
  ResultParseError,
  TimeoutError,
  ValidationError,
  type Download,
  type ImportIoClientOptions,
  type ResultRow,
  type SavedFile,
} from "@importkit/importio";
import { onFakeClock } from "../../../test/fake-clock.ts";
import { refusedUrl, startFaultServer, type Fault, type FaultServer } from "../../../test/fault-server.ts";

const apiKey = "importio_download_key_5678";
const crawlrunId = "8b4c7e6d-3a2f-4b1c-8d0e-6f7a8b9c0d1e";
const reportRunId = "25e612f1-3ecd-4fb0-80a2-6d7e8f900112";
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

let server: FaultServer;
const dir = mkdtempSync(join(tmpdir(), "importkit-importio-"));
beforeAll(async () => {
  server = await startFaultServer();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  server.requests.length = 0;
  server.fallback = { status: 404, json: { code: 404, message: "Not found" } };
});

function client(extra: Partial<ImportIoClientOptions> = {}) {
  return createImportIoClient({ apiKey, baseUrl: server.url, maxRetries: 0, ...extra });
}

/** The bytes of a download: it awaits to a `Download`, whose `body` is the stream. */
async function bytesOf(download: PromiseLike<Download>): Promise<Buffer> {
  return Buffer.from(await new Response((await download).body).arrayBuffer());
}

/** Serves `body` in pieces of `size` bytes, one write each, so lines and characters straddle chunks. */
function inPieces(body: Buffer, size: number, contentType: string) {
  return {
    handler: async (_req: unknown, res: import("node:http").ServerResponse) => {
      res.writeHead(200, { "content-type": contentType });
      for (let offset = 0; offset < body.length; offset += size) {
        if (!res.write(body.subarray(offset, offset + size))) await new Promise((resolve) => res.once("drain", resolve));
      }
      res.end();
    },
  };
}

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

describe("real result files arrive intact", () => {
  const files = [
    ["csv", "crawlrun-results.csv", "text/csv"],
    ["json", "crawlrun-results.ndjson", "application/x-ndjson"],
    ["xlsx", "crawlrun-results.xlsx", XLSX],
    ["log", "crawlrun.log", "text/plain"],
    ["files", "crawlrun-files.zip", "application/zip"],
  ] as const;

  it.each(files)("crawlRuns.download(%s) gives the bytes of %s", async (fileType, name, contentType) => {
    const bytes = fixture(name);
    server.queue({ status: 200, body: bytes, headers: { "content-type": contentType } });
    const got = await bytesOf(client().crawlRuns.download(crawlrunId, fileType));
    expect(got.equals(bytes)).toBe(true);
    const request = server.requests[0]!;
    expect(request.url).toBe(`/crawlruns/${crawlrunId}/${fileType}?_apikey=${apiKey}`);
    expect(request.headers.accept).toContain(contentType);
  });

  it.each(files)("crawlRuns.download(%s).saveTo writes the bytes of %s", async (fileType, name, contentType) => {
    const bytes = fixture(name);
    server.queue({ status: 200, body: bytes, headers: { "content-type": contentType } });
    const path = join(dir, "saved", `${fileType}-${name}`);
    const saved = await client().crawlRuns.download(crawlrunId, fileType).saveTo(path);
    expect(saved).toEqual({ path, bytes: bytes.length });
    expect(sha256(readFileSync(path))).toBe(sha256(bytes));
  });

  it("the xlsx and zip fixtures are what they claim: zip archives (PK headers)", () => {
    for (const name of ["crawlrun-results.xlsx", "crawlrun-files.zip"]) expect(fixture(name).subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  });

  it("reportRuns.download and saveTo (csv, xlsx)", async () => {
    const xlsx = fixture("crawlrun-results.xlsx");
    const csv = fixture("crawlrun-results.csv");
    server.queue({ status: 200, body: xlsx, headers: { "content-type": XLSX } }, { status: 200, body: csv, headers: { "content-type": "text/csv" } });
    expect((await bytesOf(client().reportRuns.download(reportRunId, "xlsx"))).equals(xlsx)).toBe(true);
    const path = join(dir, "report.csv");
    await client().reportRuns.download(reportRunId, "csv").saveTo(path);
    expect(readFileSync(path).equals(csv)).toBe(true);
    expect(server.requests.map((r) => r.url.split("?")[0])).toEqual([`/reportruns/${reportRunId}/xlsx`, `/reportruns/${reportRunId}/csv`]);
  });

  it("a 6 MiB binary file served in uneven pieces arrives intact, with progress", async () => {
    const bytes = randomBytes(6 * 1024 * 1024 + 3);
    server.queue(inPieces(bytes, 65_537, "application/zip"));
    const path = join(dir, "big.zip");
    let reported = 0;
    const saved = await client().crawlRuns.download(crawlrunId, "files").saveTo(path, { onProgress: (p) => (reported = p.bytes) });
    expect(saved.bytes).toBe(bytes.length);
    expect(reported).toBe(bytes.length);
    expect(sha256(readFileSync(path))).toBe(sha256(bytes));
  });

  it("saveTo downloads over node:http in Node (not fetch), and over the client's own fetch when it has one", async () => {
    const bytes = fixture("crawlrun-files.zip");
    const fetches: string[] = [];
    const globalFetch = globalThis.fetch;
    // Any use of the global fetch would be seen here.
    vi.stubGlobal("fetch", (input: string, init?: RequestInit) => (fetches.push(`global ${input}`), globalFetch(input, init)));
    try {
      server.queue({ status: 200, body: bytes, headers: { "content-type": "application/zip", "content-encoding": "identity" } });
      const path = join(dir, "transport", "node-http.zip");
      await client().crawlRuns.download(crawlrunId, "files").saveTo(path);
      expect(readFileSync(path).equals(bytes)).toBe(true);
      expect(fetches).toEqual([]);
      // The answer itself says which client sent the request: undici's fetch sends `sec-fetch-mode`, node:http does not.
      expect(server.requests[0]!.headers["sec-fetch-mode"]).toBeUndefined();

      const own: typeof fetch = (input, init) => (fetches.push("own"), globalFetch(input, init));
      server.queue({ status: 200, body: bytes, headers: { "content-type": "application/zip" } });
      await client({ fetch: own }).crawlRuns.download(crawlrunId, "files").saveTo(join(dir, "transport", "own.zip"));
      expect(fetches).toEqual(["own"]);
      // download() hands over a web stream from the client's fetch, wherever it runs.
      server.queue({ status: 200, body: bytes, headers: { "content-type": "application/zip" } });
      await bytesOf(client().crawlRuns.download(crawlrunId, "files"));
      expect(fetches).toEqual(["own", expect.stringMatching(/^global http/)]);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("an empty file is an empty stream, a 0-byte file and no rows", async () => {
    const empty = { status: 200, body: "", headers: { "content-type": "application/x-ndjson", "content-length": "0" } };
    server.queue(empty, empty, empty);
    expect((await bytesOf(client().crawlRuns.download(crawlrunId, "json"))).length).toBe(0);
    const path = join(dir, "empty.ndjson");
    expect((await client().crawlRuns.download(crawlrunId, "json").saveTo(path)).bytes).toBe(0);
    expect(readFileSync(path).length).toBe(0);
    expect(await collect(client().crawlRuns.rows(crawlrunId))).toEqual([]);
  });
});

describe("rows()", () => {
  it("parses a result file of 100 000 lines streamed in pieces that split lines and characters", async () => {
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      lines.push(`{"url":"https://shop.example/p/${i}☕","result":{"sequenceNumber":${i}}}`);
    }
    const body = Buffer.from(`${lines.join("\n")}\n`);
    server.queue(inPieces(body, 16_381, "application/x-ndjson"));
    let count = 0;
    let sum = 0;
    let last: ResultRow | undefined;
    for await (const row of client().crawlRuns.rows(crawlrunId)) {
      count++;
      sum += row.result!.sequenceNumber!;
      last = row;
    }
    expect(count).toBe(100_000);
    expect(sum).toBe((99_999 * 100_000) / 2);
    expect(last?.url).toBe("https://shop.example/p/99999☕");
    expect(server.requests[0]?.headers.accept).toBe("application/x-ndjson, application/json;q=0.1");
  });

  it("handles CRLF, blank lines, a byte-by-byte multi-byte character and a last line without newline", async () => {
    const body = Buffer.from('{"url":"a","n":"Zoë ☕ 𝄞"}\r\n\r\n   \n{"url":"b"}\n\n{"url":"c"}');
    server.queue(inPieces(body, 1, "application/x-ndjson"));
    expect(await collect(client().crawlRuns.rows(crawlrunId))).toEqual([{ url: "a", n: "Zoë ☕ 𝄞" }, { url: "b" }, { url: "c" }]);
  });

  it("a non-JSON line is a ResultParseError naming its line number, thrown at once even if the body then stalls", async () => {
    let closed = false;
    server.queue({
      handler: (_req, res) => {
        res.writeHead(200, { "content-type": "application/x-ndjson" });
        res.write('{"url":"a"}\n\n{"url":"b"}\n<html>Gateway error</html>\n{"url":"never"}\n');
        res.on("close", () => (closed = true));
        // …and never ends: the parser must not wait for the rest.
      },
    });
    const seen: unknown[] = [];
    const error = (await (async () => {
      for await (const row of client({ timeout: 30_000 }).crawlRuns.rows(crawlrunId)) seen.push(row);
    })().catch((e: unknown) => e)) as ResultParseError;
    expect(error).toBeInstanceOf(ResultParseError);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.line).toBe(4);
    expect(error.operation).toBe("getCrawlrunFile");
    expect(error.message).toMatch(new RegExp(`json result file of crawl run ${crawlrunId}: line 4 is not valid JSON .*"<html>Gateway error</html>"`));
    expect(seen).toEqual([{ url: "a" }, { url: "b" }]);
    // The download was cancelled, not left hanging.
    await expect.poll(() => closed, { timeout: 2_000 }).toBe(true);
  });

  it("a line of JSON that is not an object is refused too", async () => {
    server.queue({ status: 200, body: '{"url":"a"}\n[1,2]\n', headers: { "content-type": "application/x-ndjson" } });
    const error = (await collect(client().crawlRuns.rows(crawlrunId)).catch((e: unknown) => e)) as ResultParseError;
    expect(error).toBeInstanceOf(ResultParseError);
    expect(error.line).toBe(2);
    expect(error.message).toMatch(/line 2 is JSON but not a result row/);
  });

  it("a line longer than maxLineLength is refused instead of buffered", async () => {
    const long = `{"url":"${"x".repeat(10_000)}"}`;
    // Whole (the line arrives with its newline) and partial (no newline yet, the body stalls).
    server.queue(
      { status: 200, body: `{"url":"a"}\n${long}\n`, headers: { "content-type": "application/x-ndjson" } },
      { fault: "stall-body", partialBody: long, headers: { "content-type": "application/x-ndjson" } },
    );
    for (const line of [2, 1]) {
      const error = (await collect(client().crawlRuns.rows(crawlrunId, { maxLineLength: 4_096 })).catch((e: unknown) => e)) as ResultParseError;
      expect(error).toBeInstanceOf(ResultParseError);
      expect(error.line).toBe(line);
      expect(error.message).toMatch(`line ${line} is longer than 4096 characters`);
    }
  });

  it("breaking out early cancels the download", async () => {
    let closed = false;
    server.queue({
      handler: async (_req, res) => {
        res.writeHead(200, { "content-type": "application/x-ndjson" });
        res.on("close", () => (closed = true));
        // Bounded: at most 200 000 lines, and it stops as soon as the client goes away.
        for (let i = 0; i < 200_000 && !closed; i++) {
          if (!res.write(`{"i":${i}}\n`)) await new Promise((resolve) => res.once("drain", resolve).once("close", resolve));
        }
        res.end();
      },
    });
    let count = 0;
    for await (const _row of client().crawlRuns.rows(crawlrunId)) if (++count === 3) break;
    expect(count).toBe(3);
    await expect.poll(() => closed, { timeout: 2_000 }).toBe(true);
  });

  it("each iteration downloads anew", async () => {
    const body = fixture("crawlrun-results.ndjson");
    server.queue({ status: 200, body, headers: { "content-type": "application/x-ndjson" } }, { status: 200, body, headers: { "content-type": "application/x-ndjson" } });
    const rows = client().crawlRuns.rows(crawlrunId);
    expect(await collect(rows)).toHaveLength(3);
    expect(await collect(rows)).toHaveLength(3);
    expect(server.requests).toHaveLength(2);
  });
});

describe("saveTo meets every fault the same way over node:http as over fetch", () => {
  const body = Buffer.from("url,name\n".repeat(2_000));
  const ok: Fault = { status: 200, body, headers: { "content-type": "text/csv" } };
  // Each fault is followed by a good answer: a retried fault ends in the file, the others in a typed error. A body
  // that fails midway is retried by saveTo itself (it downloads again from the start).
  const faults: Array<[string, string, Fault[]]> = [
    ["503, then the file", "file", [{ status: 503, json: { code: 503, message: "busy" } }, ok]],
    ["429 with Retry-After, then the file", "file", [{ status: 429, json: { code: 429, message: "slow down" }, headers: { "retry-after": "0" } }, ok]],
    ["a reset before the answer", "file", [{ fault: "reset-before-headers" }, ok]],
    ["no answer at all (a timeout)", "file", [{ fault: "no-headers" }, ok]],
    ["a body that stalls midway", "file", [{ fault: "stall-body", partialBody: "url,na", headers: { "content-type": "text/csv" } }, ok]],
    ["a body cut short", "file", [{ fault: "truncated-body", partialBody: "url,na", declaredLength: 5_000, headers: { "content-type": "text/csv" } }, ok]],
    ["a body reset midway", "file", [{ fault: "reset-after-headers", partialBody: "url,na", headers: { "content-type": "text/csv" } }, ok]],
    ["a gzip-encoded file", "file", [{ status: 200, body: gzipSync(body), headers: { "content-type": "text/csv", "content-encoding": "gzip" } }]],
    ["a 404", "NotFoundError", [{ status: 404, json: { code: 404, message: `No crawl run here for _apikey=${apiKey}` } }]],
    ["a 10 MB error page", "ApiError", [{ fault: "large-body", status: 500, bytes: 10 * 1024 * 1024, fill: "e" }, { fault: "large-body", status: 500, bytes: 10 * 1024 * 1024, fill: "e" }]],
  ];

  /** What one saveTo ended in, described so that the two transports can be compared. */
  async function outcome(transport: "node:http" | "fetch", faultsInOrder: Fault[]) {
    server.queue(...faultsInOrder);
    const path = join(dir, "parity", `${transport}-${Math.random().toString(36).slice(2)}.csv`);
    const options = { maxRetries: 1, timeout: 150, ...(transport === "fetch" ? { fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init) } : {}) };
    const requestsBefore = server.requests.length;
    // Time is part of the subject (a 150 ms idle timeout): on the fake clock, a slow machine cannot time out the good answer.
    const result: SavedFile | Error = await onFakeClock(server, () => client(options).crawlRuns.download(crawlrunId, "csv").saveTo(path).catch((e: unknown) => e as Error));
    const requests = server.requests.length - requestsBefore;
    server.clearQueue(); // a fault that was not retried leaves the good answer queued
    if (!(result instanceof Error)) return { requests, saved: result.bytes, intact: readFileSync(path).equals(body) };
    const text = `${result.message}\n${result.stack}\n${JSON.stringify(result)}`;
    return {
      requests,
      error: result.constructor.name,
      message: result.message.replace(/\d+ ms/g, "N ms"),
      keyInError: text.includes(apiKey),
      fileLeft: existsSync(path),
    };
  }

  it.each(faults)("%s → %s", async (_name, endsIn, faultsInOrder) => {
    const overNodeHttp = await outcome("node:http", faultsInOrder);
    const overFetch = await outcome("fetch", faultsInOrder);
    expect(overNodeHttp).toEqual(overFetch);
    expect("error" in overNodeHttp ? overNodeHttp.error : "file").toBe(endsIn);
    expect(overNodeHttp).not.toMatchObject({ keyInError: true });
    expect(overNodeHttp).not.toMatchObject({ fileLeft: true });
    expect(overNodeHttp).not.toMatchObject({ intact: false });
  });

  it("a refused connection, retried and then a ConnectionError, alike", async () => {
    const origin = await refusedUrl();
    const attempt = async (own: boolean) =>
      createImportIoClient({ apiKey, baseUrl: origin, maxRetries: 1, ...(own ? { fetch: (i: RequestInfo | URL, o?: RequestInit) => fetch(i, o) } : {}) })
        .crawlRuns.download(crawlrunId, "csv")
        .saveTo(join(dir, "parity", "refused.csv"))
        .catch((e: unknown) => e as Error);
    const [overNodeHttp, overFetch] = [(await attempt(false)) as Error, (await attempt(true)) as Error];
    expect(overNodeHttp).toBeInstanceOf(ConnectionError);
    expect([overNodeHttp.constructor, overNodeHttp.message]).toEqual([overFetch.constructor, overFetch.message]);
  });
});

describe("failed downloads", () => {
  it("a body that stalls ends in TimeoutError (idle timeout between chunks), and saveTo leaves no file", async () => {
    server.queue({ fault: "stall-body", partialBody: "PK\u0003\u0004 half of a zip", headers: { "content-type": "application/zip" } });
    const path = join(dir, "stalled", "files.zip");
    // On the fake clock, through the counted global fetch: the idle timeout cannot fire before the headers arrive.
    const fetchOfItsOwn = (input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init);
    const error = await onFakeClock(server, () => client({ timeout: 150, fetch: fetchOfItsOwn }).crawlRuns.download(crawlrunId, "files").saveTo(path).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(join(dir, "stalled"))).toEqual([]);
  });

  it("a reset mid-body ends in ConnectionError, for rows() too", async () => {
    server.queue({ fault: "reset-after-headers", partialBody: '{"url":"a"}\n{"url":"b"}\n{"ur', headers: { "content-type": "application/x-ndjson" } });
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const row of client().crawlRuns.rows(crawlrunId)) seen.push(row);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(seen).toHaveLength(2);
  });

  it("a slow body is fine as long as chunks keep coming within the timeout", async () => {
    server.queue({
      handler: async (_req, res) => {
        res.writeHead(200, { "content-type": "text/csv" });
        for (const piece of ["url,Name\n", "a,1\n", "b,2\n", "c,3\n"]) {
          res.write(piece);
          await new Promise((resolve) => setTimeout(resolve, 60));
        }
        res.end();
      },
    });
    // The server's 60 ms pauses and the client's 150 ms idle timeout on one fake clock: their order is fixed.
    const csv = await onFakeClock(server, async () => new Response((await client({ timeout: 150 }).crawlRuns.download(crawlrunId, "csv")).body).text());
    expect(csv).toBe("url,Name\na,1\nb,2\nc,3\n");
  });

  it("a 404 is a NotFoundError carrying Import.io's message, and no file is written", async () => {
    const path = join(dir, "missing.csv");
    const error = (await client().crawlRuns.download(crawlrunId, "csv").saveTo(path).catch((e: unknown) => e)) as NotFoundError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.operation).toBe("getCrawlrunFile");
    expect(error.message).toContain("failed with 404: Not found");
    expect(existsSync(path)).toBe(false);
  });

  it("bad input is refused before any request: id, file type, path", async () => {
    const c = client();
    const cases: Array<() => PromiseLike<unknown>> = [
      () => c.crawlRuns.download("not-a-guid", "csv", { validate: "strict" }),
      () => c.crawlRuns.download(crawlrunId, "pdf" as never),
      () => c.reportRuns.download(reportRunId, "log" as never),
      () => c.crawlRuns.download(crawlrunId, "csv").saveTo(""),
      () => c.reportRuns.download("..", "csv").saveTo(join(dir, "x.csv")),
      () => collect(c.crawlRuns.rows("8b4c7e6d", { validate: "strict" })),
    ];
    const fields: string[] = [];
    for (const run of cases) {
      const error = (await Promise.resolve(run()).catch((e: unknown) => e)) as ValidationError;
      expect(error).toBeInstanceOf(ValidationError);
      fields.push(error.issues[0]!.path);
    }
    expect(fields).toEqual(["crawlrunId", "fileType", "fileType", "path", "reportRunId", "crawlrunId"]);
    // rows() no longer throws when called (no method throws synchronously, issue 11): its iteration rejects.
    expect(() => c.crawlRuns.rows("8b4c7e6d")).not.toThrow();
    expect(server.requests).toHaveLength(0);
  });
});
