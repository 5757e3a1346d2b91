// Retries, work-starting requests, bad input, finding a crawl run, and the API key that must never leak,
// over real HTTP on loopback (test/fault-server.ts).
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  AbortError,
  ApiError,
  ConnectionError,
  createImportIoClient,
  ImportFailedError,
  ImportkitError,
  InvalidResponseError,
  PaginationLimitError,
  ValidationError,
  WaitTimeoutError,
  type ImportIoClient,
  type ImportIoClientOptions,
  type Crawlrun,
} from "@importkit/importio";
import { onFakeClock } from "../../../test/fake-clock.ts";
import { type Fault, useFaultServer } from "../../../test/fault-server.ts";
import { renderingsOf } from "../../../test/renderings.ts";

const KEY = "importio_SENTINEL_KEY_7c1d2e3f9a";
const extractorId = "3c9d2f1e-8b7a-4c6d-9e5f-1a2b3c4d5e6f";
const otherExtractorId = "4d0e3a2f-9c8b-4d7e-8f6a-2b3c4d5e6f7a";
const crawlrunId = "8b4c7e6d-3a2f-4b1c-8d0e-6f7a8b9c0d1e";
const reportId = "d091cdbc-8f7e-4a6b-9c5d-1e2f3a4b5c6d";
const extractor = { guid: extractorId, name: "Product pages" };
const crawlrun = (state: string, extra: Record<string, unknown> = {}) => ({ guid: crawlrunId, extractorId, state, totalUrlCount: 4, ...extra });

// Before each test: no recorded requests, a fresh log, and this answer to any request a test has not queued.
const { server, log } = useFaultServer({ fallback: { status: 200, json: extractor } });

function client(extra: Partial<ImportIoClientOptions> = {}): ImportIoClient {
  return createImportIoClient({
    apiKey: KEY,
    baseUrl: server.url,
    logger: log.logger,
    ...extra,
  });
}

const keyOf = (url: string) => new URL(url, "http://x").searchParams.getAll("_apikey");

/**
 * Answers by method and path instead of by arrival order: a poll aborted at the end of one test can still
 * reach the server during the next one, and must not take a response queued for that test.
 */
function byRoute(routes: Record<string, { status: number; json: unknown }>): Fault {
  return {
    handler: (req, res) => {
      const route = routes[`${req.method} ${new URL(req.url ?? "/", "http://x").pathname}`] ?? { status: 404, json: { code: 404, message: "Not found" } };
      res.writeHead(route.status, { "content-type": "application/json" });
      res.end(JSON.stringify(route.json));
    },
  };
}
const START = `POST /extractors/${extractorId}/start`;
const POLL = `GET /crawlruns/${crawlrunId}`;

describe("the key rides in the query of every attempt", () => {
  it("adds _apikey once per attempt, retries included", async () => {
    server.queue({ status: 503, json: { code: 503, message: "busy" }, headers: { "retry-after": "0" } }, { status: 502, body: "bad gateway", headers: { "retry-after": "0" } });
    expect((await client().extractors.get(extractorId)).name).toBe("Product pages");
    expect(server.requests).toHaveLength(3);
    for (const request of server.requests) expect(keyOf(request.url)).toEqual([KEY]);
  });
});

describe("requests that start work are not resent when Import.io may have acted", () => {
  const starters: Array<[string, (c: ImportIoClient) => Promise<unknown>]> = [
    ["extractors.start", (c) => c.extractors.start(extractorId)],
    ["extractors.duplicate", (c) => c.extractors.duplicate(extractorId)],
    ["reports.start", (c) => c.reports.start(reportId)],
  ];

  it.each(starters)("%s: a 500 is not resent", async (_name, start) => {
    server.queue({ status: 500, json: { code: 500, message: "Internal server error" } });
    const error = (await start(client()).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(500);
    expect(server.requests).toHaveLength(1);
  });

  it.each(starters)("%s: a reset after the headers is not resent", async (_name, start) => {
    server.queue({ fault: "reset-after-headers", partialBody: '{"crawlRunId":' });
    expect(await start(client()).catch((e: unknown) => e)).toBeInstanceOf(ConnectionError);
    expect(server.requests).toHaveLength(1);
  });

  it("a 429 or 503 on start is resent (the server did not act)", async () => {
    server.queue(
      { status: 429, headers: { "retry-after": "0" } },
      { status: 503, headers: { "retry-after": "0" } },
      { status: 200, json: { crawlRunId: crawlrunId } },
    );
    expect(await client().extractors.start(extractorId)).toEqual({ crawlRunId: crawlrunId });
    expect(server.requests).toHaveLength(3);
  });

  it("a read (getCrawlrun) is resent after a 500", async () => {
    server.queue({ status: 500, json: { code: 500, message: "oops" } }, { status: 200, json: crawlrun("STARTED") });
    expect((await client().crawlRuns.get(crawlrunId)).state).toBe("STARTED");
    expect(server.requests).toHaveLength(2);
  });
});

describe("extractors.startAndWait finds its crawl run", () => {
  it("when the start names no crawl run, takes the newest run of this extractor created since the start", async () => {
    const serverNow = Date.parse(new Date().toUTCString());
    const newRunId = "be7fab9a-6d5c-4e4f-9a3b-9c0d1e2f3a4b";
    server.queue(
      { status: 200, body: "", headers: { date: new Date(serverNow).toUTCString(), "content-length": "0" } },
      {
        status: 200,
        json: [
          { guid: "11111111-1111-4111-8111-111111111111", extractorId: otherExtractorId, state: "STARTED", _meta: { timestamp: serverNow, creationTimestamp: serverNow } },
          { guid: newRunId, extractorId, state: "FINISHED", _meta: { timestamp: serverNow, creationTimestamp: serverNow + 200 } },
          { guid: crawlrunId, extractorId, state: "FINISHED", _meta: { timestamp: serverNow - 86_400_000, creationTimestamp: serverNow - 86_400_000 } },
        ],
      },
      { status: 200, json: { ...crawlrun("FINISHED"), guid: newRunId } },
    );
    const run = await client().extractors.startAndWait(extractorId, { interval: 5 });
    expect(run.guid).toBe(newRunId);
    const [start, lookup, poll] = server.requests;
    expect(start?.method).toBe("POST");
    expect(Object.fromEntries(new URL(lookup!.url, "http://x").searchParams)).toMatchObject({ _sort: "_meta.creationTimestamp", _sortDirection: "DESC" });
    expect(poll?.url.split("?")[0]).toBe(`/crawlruns/${newRunId}`);
  });

  it("never takes an older finished run, and says not to start again when none is found", async () => {
    const old = [{ guid: crawlrunId, extractorId, state: "FINISHED", _meta: { timestamp: 1, creationTimestamp: 1 } }];
    server.queue({ status: 200, json: {} }, { status: 200, json: old }, { status: 200, json: old }, { status: 200, json: old });
    const error = (await client().extractors.startAndWait(extractorId, { interval: 5 }).catch((e: unknown) => e)) as InvalidResponseError;
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toMatch(/started extractor .* but named no crawl run.*do not start it again/);
    expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(server.requests).toHaveLength(4);
  });

  it("gives up after its overall deadline with the last run seen", async () => {
    server.fallback = byRoute({ [START]: { status: 200, json: { crawlRunId: crawlrunId } }, [POLL]: { status: 200, json: crawlrun("STARTED") } });
    const error = (await onFakeClock(server, () => client().extractors.startAndWait(extractorId, { interval: 10, deadline: 150 }).catch((e: unknown) => e))) as WaitTimeoutError;
    expect(error).toBeInstanceOf(WaitTimeoutError);
    if (!(error instanceof WaitTimeoutError)) return;
    expect(error.deadlineMs).toBe(150);
    // Typed as a crawl run by the package's own WaitTimeoutError: no cast.
    expect((error.lastSeen as Crawlrun | undefined)?.state).toBe("STARTED");
  });

  it("honours the caller's signal between polls", async () => {
    server.fallback = byRoute({ [START]: { status: 200, json: { crawlRunId: crawlrunId } }, [POLL]: { status: 200, json: crawlrun("PENDING") } });
    const controller = new AbortController();
    const started = Date.now();
    const error = await client()
      .extractors.startAndWait(extractorId, { interval: 60_000, signal: controller.signal, onProgress: () => setTimeout(() => controller.abort(), 20) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("responses the client cannot read", () => {
  it("invalid JSON on a 200 is an InvalidResponseError naming the operation", async () => {
    server.queue({ status: 200, body: '{"guid": "3c9d', headers: { "content-type": "application/json" } });
    const error = await client().extractors.get(extractorId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toMatch(/getExtractor .*not valid JSON/);
  });

  it("a list page that is not an array is an InvalidResponseError", async () => {
    server.queue({ status: 200, json: { items: [] } });
    const error = await client().extractors.list().toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toMatch(/listExtractors: a page is not a JSON array/);
  });

  it("an API that ignores _page ends at the page cap instead of looping", async () => {
    server.fallback = { status: 200, json: [extractor] };
    const error = await client().extractors.list(undefined, { maxPages: 3 }).toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaginationLimitError);
    expect(server.requests.map((r) => new URL(r.url, "http://x").searchParams.get("_page"))).toEqual(["1", "2", "3"]);
  });
});

describe("bad input is refused with a ValidationError naming the field, before any request", () => {
  const c = () => client();
  /** Reads every row: rows() is lazy, so bad input shows when it is iterated. */
  const drain = async (rows: AsyncIterable<unknown>) => {
    for await (const _row of rows);
  };
  // Field names are the spec's wire names (`crawlrunId`, `_perpage`), as the generated schemas name them. Rules the
  // spec marks x-inferred (ids as UUIDs, `_perpage` >= 1) are refused in `validate: "strict"` mode only; the default
  // mode warns and sends (tested below). What cannot be sent at all (an empty id) is refused in every mode.
  const strict = { validate: "strict" } as const;
  const cases: Array<[string, () => PromiseLike<unknown> | unknown, string]> = [
    ["extractors.get (not a UUID, strict)", () => c().extractors.get("3c9d2f1e", strict), "extractorId"],
    ["extractors.archive", () => c().extractors.archive(""), "extractorId"],
    ["extractors.getInputs (a path, strict)", () => c().extractors.getInputs("../users/current", strict), "extractorId"],
    ["extractors.setInputs (id, strict)", () => c().extractors.setInputs(`${extractorId}?x=1`, ["https://a.example"], strict), "extractorId"],
    ["extractors.setInputs (empty list)", () => c().extractors.setInputs(extractorId, []), "body"],
    ["extractors.setInputs (not a list)", () => c().extractors.setInputs(extractorId, "https://a.example" as never), "inputs"],
    ["extractors.setInputs (line break)", () => c().extractors.setInputs(extractorId, ["https://a.example\nhttps://b.example"]), "inputs[0]._url"],
    ["extractors.setInputs (no _url)", () => c().extractors.setInputs(extractorId, [{ "Max Screens": 5 } as never]), "[0]._url"],
    ["extractors.start", () => c().extractors.start(42 as never), "extractorId"],
    ["extractors.stop", () => c().extractors.stop(undefined as never), "extractorId"],
    ["extractors.duplicate (strict)", () => c().extractors.duplicate("zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", strict), "extractorId"],
    ["extractors.setCredentials (username)", () => c().extractors.setCredentials(extractorId, {} as never), "username"],
    ["extractors.startAndWait (strict)", () => c().extractors.startAndWait("nope", strict), "extractorId"],
    ["extractors.list (_perpage, strict)", () => c().extractors.list({ _perpage: 0 }, strict), "_perpage"],
    ["crawlRuns.list (_page)", () => c().crawlRuns.list({ _page: 1.5 }), "_page"],
    ["reports.list (_sortDirection)", () => c().reports.list({ _sortDirection: "UP" as never }), "_sortDirection"],
    ["reportRuns.list (maxPages)", () => c().reportRuns.list(undefined, { maxPages: -1 }), "maxPages"],
    ["crawlRuns.get (strict)", () => c().crawlRuns.get("8b4c7e6d-3a2f-4b1c-8d0e", strict), "crawlrunId"],
    ["crawlRuns.waitFor (strict)", () => c().crawlRuns.waitFor("x", strict), "crawlrunId"],
    ["crawlRuns.rows (strict)", () => drain(c().crawlRuns.rows("x", strict)), "crawlrunId"],
    ["crawlRuns.rows (maxLineLength)", () => drain(c().crawlRuns.rows(crawlrunId, { maxLineLength: 0 })), "maxLineLength"],
    ["crawlRuns.download (strict)", () => c().crawlRuns.download("x", "csv", strict), "crawlrunId"],
    ["crawlRuns.download (file type)", () => c().crawlRuns.download(crawlrunId, "pdf" as never), "fileType"],
    ["reports.get (strict)", () => c().reports.get("x", strict), "reportId"],
    ["reports.delete (strict)", () => c().reports.delete("x", strict), "reportId"],
    ["reports.start (strict)", () => c().reports.start("x", strict), "reportId"],
    ["reportRuns.listForReport (strict)", () => c().reportRuns.listForReport("x", undefined, strict), "reportId"],
    ["reportRuns.get (strict)", () => c().reportRuns.get("x", strict), "reportRunId"],
    ["reportRuns.waitFor (empty)", () => c().reportRuns.waitFor(""), "reportRunId"],
  ];

  it.each(cases)("%s", async (_name, call, field) => {
    let error: unknown;
    try {
      await call();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toContain(field);
    expect((error as Error).message).toContain(field);
    expect(server.requests).toHaveLength(0);
  });

  it("an empty list of inputs says what is wrong (the body is required: an empty one is no body)", async () => {
    const error = (await client().extractors.setInputs(extractorId, []).catch((e: unknown) => e)) as ValidationError;
    expect(error.message).toMatch(/updateExtractorInputs: invalid input, not sent: body: must have at least 1 items/);
  });

  it("no method throws synchronously: bad input is a rejected promise (or a rejected iteration)", () => {
    const c = client();
    expect(() => void c.extractors.get("").catch(() => {})).not.toThrow();
    expect(() => void c.extractors.setInputs(extractorId, []).catch(() => {})).not.toThrow();
    expect(() => c.crawlRuns.rows("x", { maxLineLength: 0 })).not.toThrow();
    expect(() => c.reportRuns.list(undefined, { maxPages: -1 })).not.toThrow();
    expect(() => c.crawlRuns.download("x", "csv")).not.toThrow();
  });

  it("a missing API key is refused when the client is created", () => {
    expect(() => createImportIoClient({ apiKey: "" })).toThrow(ValidationError);
    expect(() => createImportIoClient({} as never)).toThrow(/apiKey/);
  });
});

describe("input the client no longer refuses itself (issue 11)", () => {
  // Issue 11 removed the hand validator (packages/importio/src/validate.ts), and issue 13 made inputs line-separated
  // JSON objects: what each `_url` holds is Import.io's to judge. Before, a relative or non-http URL was a
  // ValidationError naming `urls[i]`; now it is sent as given (only a line break, which would make two inputs, is refused).
  it("a relative or non-http input URL, or a blank one, is sent as given, one input object per line", async () => {
    await client().extractors.setInputs(extractorId, ["https://a.example", "/p/1", "ftp://a.example/x", { _url: " ", "Max Screens": 5 }]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.headers["content-type"]).toBe("application/x-ndjson");
    expect(server.requests[0]!.body).toBe('{"_url":"https://a.example"}\n{"_url":"/p/1"}\n{"_url":"ftp://a.example/x"}\n{"_url":" ","Max Screens":5}\n');
  });

  it("an empty password is sent: Import.io documents none as required (issue 13)", async () => {
    await client().extractors.setCredentials(extractorId, { username: "u", password: "" }, { validate: "strict" });
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ username: "u", password: "" });
  });

  it("a rule importkit only inferred (an id in UUID form) is warned about once and sent in the default mode", async () => {
    const c = client();
    server.fallback = { status: 200, json: { guid: "3c9d2f1e", name: "x" } };
    await c.extractors.get("3c9d2f1e");
    await c.extractors.get("3c9d2f1e");
    expect(server.requests).toHaveLength(2);
    expect(log.lines.filter((l) => l.startsWith("warn"))).toEqual([expect.stringMatching(/getExtractor: extractorId must be a UUID.*validate: "strict" refuses it/)]);
  });
});

describe("the API key never appears in an error, a log line or what an error exposes", () => {
  const jsonFaults: Fault[] = [
    { status: 401, json: { code: 401, message: `Invalid _apikey=${KEY}` } },
    { status: 403, json: { code: 403, error: `key ${KEY} may not do this` } },
    { status: 404, json: { code: 404, message: "Not found" }, headers: { "set-cookie": `s=${KEY}`, location: `https://api.import.io/x?_apikey=${KEY}` } },
    { status: 429, headers: { "retry-after": "600" }, json: { code: 429, message: `slow down ${KEY}` } },
    { status: 500, body: `<html><title>Error at /extractors?_apikey=${KEY}</title></html>`, headers: { "content-type": "text/html" } },
    { status: 200, body: `{"echo":"${KEY}"`, headers: { "content-type": "application/json" } },
    { fault: "reset-before-headers" },
    { fault: "no-headers" },
  ];
  const streamFaults: Fault[] = [
    { fault: "stall-body", partialBody: `{"url":"https://a.example/?_apikey=${KEY}"}\n`, headers: { "content-type": "application/x-ndjson" } },
    { fault: "reset-after-headers", partialBody: '{"url":"a"}\n', headers: { "content-type": "application/x-ndjson" } },
    { status: 200, body: `{"url":"a"}\nnot json: ${KEY}\n`, headers: { "content-type": "application/x-ndjson" } },
    { status: 200, body: `{"url":"a"}\nnot json: _apikey=${KEY}&x=1\n`, headers: { "content-type": "application/x-ndjson" } },
  ];
  // The crawl run itself echoes the key (as a webhook URL might): ImportFailedError and WaitTimeoutError
  // carry the run, and must carry it redacted.
  const echoingRun = (state: string) => crawlrun(state, { webhooks: [{ url: `https://hooks.example/?_apikey=${KEY}` }], files: { note: KEY } });

  async function expectNoKey(error: unknown) {
    expect(error).toBeInstanceOf(ImportkitError);
    const renderings = [
      ...renderingsOf(error),
      JSON.stringify((error as { request?: unknown }).request ?? null),
      inspect((error as { body?: unknown }).body, { depth: 10 }),
      ...log.lines,
    ];
    for (const text of renderings) expect(text).not.toContain(KEY);
    // And the key really was sent: the checks above are not vacuous.
    expect(keyOf(server.requests[0]!.url)).toEqual([KEY]);
  }

  it.each(jsonFaults.map((f, i) => [i, f] as const))("JSON call, fault %i", async (_i, fault) => {
    server.fallback = fault;
    await expectNoKey(await onFakeClock(server, () => client({ timeout: 100, maxRetries: 1 }).extractors.get(extractorId).catch((e: unknown) => e)));
  });

  it.each(jsonFaults.map((f, i) => [i, f] as const))("download, fault %i", async (_i, fault) => {
    server.fallback = fault;
    const error = await onFakeClock(server, () =>
      client({ timeout: 100, maxRetries: 1 })
        .crawlRuns.download(crawlrunId, "csv")
        .then((download) => new Response(download.body).text())
        .catch((e: unknown) => e),
    );
    // A 200 with any body is a successful download; every other fault must fail, without the key.
    if (!("status" in fault && fault.status === 200)) await expectNoKey(error);
  });

  it.each(streamFaults.map((f, i) => [i, f] as const))("rows(), fault in the body %i", async (_i, fault) => {
    server.fallback = fault;
    const error = await onFakeClock(server, () =>
      (async () => {
        for await (const _row of client({ timeout: 100, maxRetries: 0 }).crawlRuns.rows(crawlrunId));
      })().catch((e: unknown) => e),
    );
    await expectNoKey(error);
  });

  it("saveTo, a stall mid-file", async () => {
    server.fallback = streamFaults[0]!;
    // A fetch of the client's own (the counted global one) instead of saveTo's node:http transport, for the clock.
    const fetchOfItsOwn = (input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init);
    await expectNoKey(
      await onFakeClock(server, () =>
        client({ timeout: 100, fetch: fetchOfItsOwn }).crawlRuns.download(crawlrunId, "json").saveTo(`/tmp/.importkit-never-${process.pid}.ndjson`).catch((e: unknown) => e),
      ),
    );
  });

  it("startAndWait(): ImportFailedError and WaitTimeoutError carry the run redacted", async () => {
    server.fallback = byRoute({ [START]: { status: 200, json: { crawlRunId: crawlrunId } }, [POLL]: { status: 200, json: echoingRun("FAILED") } });
    const failed = (await client().extractors.startAndWait(extractorId, { interval: 5 }).catch((e: unknown) => e)) as ImportFailedError;
    expect(failed).toBeInstanceOf(ImportFailedError);
    await expectNoKey(failed);
    expect(inspect(failed.resource, { depth: 10 })).toContain("[REDACTED]");

    server.requests.length = 0;
    server.fallback = byRoute({ [START]: { status: 200, json: { crawlRunId: crawlrunId } }, [POLL]: { status: 200, json: echoingRun("STARTED") } });
    const timedOut = (await onFakeClock(server, () => client().extractors.startAndWait(extractorId, { interval: 10, deadline: 100 }).catch((e: unknown) => e))) as WaitTimeoutError;
    expect(timedOut).toBeInstanceOf(WaitTimeoutError);
    await expectNoKey(timedOut);
    expect((timedOut.lastSeen as Crawlrun | undefined)?.state).toBe("STARTED");
  });

  it("the key pasted where an id belongs is not echoed by the ValidationError", async () => {
    server.queue({ status: 200, json: extractor });
    await client().extractors.get(extractorId);
    await expectNoKey(await client({ validate: "strict" }).extractors.get(KEY).catch((e: unknown) => e));
    // An input URL carrying the key and a line break (refused: it would become two inputs).
    await expectNoKey(await client().extractors.setInputs(extractorId, [`https://a.example/?_apikey=${KEY}\nq=${KEY}`]).catch((e: unknown) => e));
  });

  it("a site password sent with setCredentials is redacted like the key", async () => {
    const password = "site-PASSWORD-sentinel-31337";
    server.fallback = { status: 400, json: { code: 400, message: `password ${password} is too weak` } };
    const error = await client().extractors.setCredentials(extractorId, { username: "bot", password }).catch((e: unknown) => e);
    await expectNoKey(error);
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(password);
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ username: "bot", password });
  });
});
