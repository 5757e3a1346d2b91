// Contract tests: the real Import.io client against the real Prism server built from specs/importio/openapi.yaml.
// Every operation of the spec and every status code it documents is exercised; the list of both is read
// from the spec itself, so an operation or status added there fails here until it is covered.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  ApiError,
  AuthenticationError,
  CrawlAlreadyRunningError,
  createImportIoClient,
  CRAWLRUN_FILE_TYPES,
  ImportFailedError,
  InvalidRequestError,
  NotFoundError,
  REPORT_RUN_FILE_TYPES,
  type Download,
  type ImportIoClient,
  type ImportIoClientOptions,
  type ResultRow,
  type Crawlrun,
} from "@importkit/importio";
import { contractFetch, mockUrl, type ContractFetch } from "../../../test/contract.ts";

const apiKey = "importio_contract_key_1234";
const extractorId = "3c9d2f1e-8b7a-4c6d-9e5f-1a2b3c4d5e6f";
const crawlrunId = "8b4c7e6d-3a2f-4b1c-8d0e-6f7a8b9c0d1e";
const reportId = "d091cdbc-8f7e-4a6b-9c5d-1e2f3a4b5c6d";
const reportRunId = "25e612f1-3ecd-4fb0-80a2-6d7e8f900112";
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

function client(fetch: typeof globalThis.fetch, extra: Partial<ImportIoClientOptions> = {}): ImportIoClient {
  return createImportIoClient({ apiKey, baseUrl: mockUrl("importio"), fetch, ...extra });
}

/** The text of a result file: a download awaits to a `Download`, whose `body` is the stream. */
async function text(download: PromiseLike<Download>): Promise<string> {
  return new Response((await download).body).text();
}

/** Operation → documented status codes, straight from the spec. */
const spec = parse(readFileSync(new URL("../../../specs/importio/openapi.yaml", import.meta.url), "utf8")) as {
  paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>>;
};
const documented = new Map<string, number[]>();
for (const item of Object.values(spec.paths)) {
  for (const [method, operation] of Object.entries(item)) {
    if (!["get", "put", "post", "delete", "patch"].includes(method) || !operation.operationId) continue;
    documented.set(operation.operationId, Object.keys(operation.responses ?? {}).map(Number));
  }
}

/**
 * A fetch that serves the named example `page-N` for `_page=N`: the spec names each list page's example
 * `page-1`, `page-2`, `page-3` (the empty end). Also records the query of every request.
 */
function pagedFetch() {
  const guard = contractFetch();
  const pages: string[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    const request = new Request(input, init);
    const page = new URL(request.url).searchParams.get("_page") ?? "1";
    pages.push(page);
    const headers = new Headers(request.headers);
    headers.set("Prefer", `example=page-${page}`);
    return guard.fetch(new Request(request, { headers }));
  };
  return { fetch, pages, guard };
}

/** A fetch that walks `GET /crawlruns/{id}` through the given named examples, one per poll. */
function crawlrunSequence(states: string[]) {
  const guard = contractFetch();
  const polls: string[] = [];
  const methods: string[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    let request = new Request(input, init);
    methods.push(`${request.method} ${new URL(request.url).pathname}`);
    if (/^\/crawlruns\/[^/]+$/.test(new URL(request.url).pathname)) {
      const state = states[Math.min(polls.length, states.length - 1)]!;
      polls.push(state);
      const headers = new Headers(request.headers);
      headers.set("Prefer", `example=${state}`);
      request = new Request(request, { headers });
    }
    return guard.fetch(request);
  };
  return { fetch, polls, methods };
}

/** One call per operation of the spec: what a user of the client would write. A list awaits to its first page. */
const calls: Record<string, (c: ImportIoClient) => PromiseLike<unknown>> = {
  getCurrentUser: (c) => c.users.current(),
  getCurrentUserSubscription: (c) => c.users.subscription(),
  listExtractors: (c) => c.extractors.list(undefined, { maxPages: 1 }),
  getExtractor: (c) => c.extractors.get(extractorId),
  deleteExtractor: (c) => c.extractors.archive(extractorId),
  getExtractorInputs: (c) => c.extractors.getInputs(extractorId),
  updateExtractorInputs: (c) => c.extractors.setInputs(extractorId, ["https://shop.example.com/p/1001"]),
  startExtractor: (c) => c.extractors.start(extractorId),
  stopExtractor: (c) => c.extractors.stop(extractorId),
  duplicateExtractor: (c) => c.extractors.duplicate(extractorId),
  updateExtractorCredentials: (c) => c.extractors.setCredentials(extractorId, { username: "bot", password: "pw-1234" }),
  listCrawlruns: (c) => c.crawlRuns.list(),
  getCrawlrun: (c) => c.crawlRuns.get(crawlrunId),
  getCrawlrunFile: (c) => text(c.crawlRuns.download(crawlrunId, "csv")),
  listReports: (c) => c.reports.list(),
  getReport: (c) => c.reports.get(reportId),
  deleteReport: (c) => c.reports.delete(reportId),
  startReport: (c) => c.reports.start(reportId),
  listReportRunsForReport: (c) => c.reportRuns.listForReport(reportId),
  listReportRuns: (c) => c.reportRuns.list(),
  getReportRun: (c) => c.reportRuns.get(reportRunId),
  getReportRunFile: (c) => text(c.reportRuns.download(reportRunId, "csv")),
};

describe("coverage of the spec", () => {
  it("has a call for each of the spec's 22 operations, and no other", () => {
    expect(documented.size).toBe(22);
    expect(Object.keys(calls).sort()).toEqual([...documented.keys()].sort());
  });
});

describe("every documented status code", () => {
  const errorClasses: Record<number, typeof ApiError> = {
    400: InvalidRequestError,
    401: AuthenticationError,
    403: AuthenticationError,
    404: NotFoundError,
    500: ApiError,
  };
  const fetches = new Map<number, ContractFetch>();
  for (const statuses of documented.values()) {
    for (const status of statuses) if (!fetches.has(status)) fetches.set(status, contractFetch({ prefer: `code=${status}` }));
  }

  for (const [operation, statuses] of documented) {
    for (const status of statuses) {
      it(`${operation} → ${status}`, async () => {
        const guard = fetches.get(status)!;
        const before = guard.requests;
        const outcome = await calls[operation]!(client(guard.fetch, { maxRetries: 0 })).then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        expect(guard.requests - before).toBe(1);
        if (status === 200) {
          expect(outcome.ok, String(!outcome.ok && outcome.error)).toBe(true);
          return;
        }
        expect(outcome.ok).toBe(false);
        const error = (outcome as { error: ApiError }).error;
        expect(error).toBeInstanceOf(errorClasses[status]!);
        if (status === 500) expect(error.constructor).toBe(ApiError);
        expect(error.status).toBe(status);
        expect(error.operation).toBe(operation);
        // Import.io's envelope {code, message} is read: the examples use the HTTP status as code.
        expect(error.code).toBe(status);
        expect(error.message).toMatch(new RegExp(`^${operation} \\(\\w+ http://[^)]+\\) failed with ${status}: \\w`));
      });
    }
  }
});

describe("users", () => {
  const plain = contractFetch();
  it("current() and subscription() return the parsed bodies", async () => {
    const c = client(plain.fetch);
    expect((await c.users.current()).username).toBe("ada.lovelace");
    expect((await c.users.subscription()).planCode).toBe("ENTERPRISE_ANNUAL");
  });
});

describe("lists follow _page until a page comes back empty", () => {
  it.each([
    ["extractors.list", (c: ImportIoClient) => c.extractors.list({ _perpage: 2 }), 4],
    ["crawlRuns.list", (c: ImportIoClient) => c.crawlRuns.list({ _sort: "_meta.creationTimestamp", _sortDirection: "DESC" }), 4],
    ["reports.list", (c: ImportIoClient) => c.reports.list(), 4],
    ["reportRuns.listForReport", (c: ImportIoClient) => c.reportRuns.listForReport(reportId), 3],
    ["reportRuns.list", (c: ImportIoClient) => c.reportRuns.list(), 3],
  ] as const)("%s walks three pages", async (_name, list, count) => {
    const paged = pagedFetch();
    const items = await list(client(paged.fetch)).toArray();
    expect(items).toHaveLength(count);
    expect(new Set(items.map((i) => i.guid)).size).toBe(count);
    expect(paged.pages).toEqual(["1", "2", "3"]);
  });

  it("sends the caller's paging and sorting as on the wire", async () => {
    const paged = pagedFetch();
    const urls: string[] = [];
    const spy: typeof globalThis.fetch = (input, init) => {
      urls.push(new Request(input, init).url);
      return paged.fetch(input, init);
    };
    await client(spy).extractors.list({ _page: 2, _perpage: 2, _sort: "name", _sortDirection: "ASC" }).toArray();
    expect(paged.pages).toEqual(["2", "3"]);
    const query = new URL(urls[0]!).searchParams;
    expect(Object.fromEntries(query)).toEqual({ _page: "2", _perpage: "2", _sort: "name", _sortDirection: "ASC", _apikey: apiKey });
  });

  it("exposes the pages themselves", async () => {
    const paged = pagedFetch();
    const sizes: number[] = [];
    for await (const page of client(paged.fetch).crawlRuns.list().pages()) sizes.push(page.items.length);
    expect(sizes).toEqual([2, 2, 0]);
  });

  it("awaited, a list is its first page, which fetches the next one on demand", async () => {
    const paged = pagedFetch();
    const first = await client(paged.fetch).crawlRuns.list();
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBe(2);
    expect(paged.pages).toEqual(["1"]);
    const second = await first.getNextPage();
    expect(second.items.map((run) => run.guid)).not.toEqual(first.items.map((run) => run.guid));
    expect(paged.pages).toEqual(["1", "2"]);
  });
});

describe("extractors", () => {
  const plain = contractFetch();

  it("get, archive and duplicate return the extractor", async () => {
    const c = client(plain.fetch);
    expect((await c.extractors.get(extractorId)).fields?.map((f) => f.name)).toEqual(["Name", "Price"]);
    expect((await c.extractors.archive(extractorId)).archived).toBe(true);
    expect((await c.extractors.duplicate(extractorId)).name).toBe("Product pages (copy)");
  });

  it("getInputs returns one input object per line of the answer", async () => {
    const inputs = await client(plain.fetch).extractors.getInputs(extractorId);
    expect(inputs.length).toBeGreaterThan(0);
    for (const input of inputs) expect(typeof input._url).toBe("string");
  });

  it("getInputs reads the seed's single object too, one input per URL of its _url", async () => {
    const seedForm = contractFetch({ prefer: "example=urls" });
    const spy: typeof globalThis.fetch = (input, init) => {
      const request = new Request(input, init);
      const headers = new Headers(request.headers);
      headers.set("accept", "application/json");
      return seedForm.fetch(new Request(request, { headers }));
    };
    const inputs = await client(spy).extractors.getInputs(extractorId);
    expect(inputs.map((i) => i._url)).toEqual(["https://shop.example.com/p/1001", "https://shop.example.com/p/1002", "https://shop.example.com/p/1003"]);
  });

  it("setInputs writes the list as line-separated JSON, one object per input, attributes kept", async () => {
    const bodies: string[] = [];
    const spy: typeof globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      bodies.push(await request.clone().text());
      return plain.fetch(request);
    };
    await client(spy).extractors.setInputs(extractorId, ["https://shop.example.com/p/1", new URL("https://shop.example.com/p/2"), { _url: "https://shop.example.com/p/3", "Max Screens": 50 }]);
    expect(bodies[0]).toBe('{"_url":"https://shop.example.com/p/1"}\n{"_url":"https://shop.example.com/p/2"}\n{"_url":"https://shop.example.com/p/3","Max Screens":50}\n');
  });

  it("start and stop return the crawl run id", async () => {
    const c = client(plain.fetch);
    expect(await c.extractors.start(extractorId)).toEqual({ crawlRunId: "be7fab9a-6d5c-4e4f-9a3b-9c0d1e2f3a4b" });
    expect(await c.extractors.stop(extractorId)).toEqual({ crawlRunId: "9c5d8f7e-4b3a-4c2d-9e1f-7a8b9c0d1e2f" });
  });

  it("setCredentials sends the login the spec asks for", async () => {
    await expect(client(plain.fetch).extractors.setCredentials(extractorId, { username: "bot@example.com", password: "s3cret-pw" })).resolves.toBeUndefined();
  });
});

describe("extractors.startAndWait", () => {
  it("starts, follows the crawl run from PENDING to FINISHED and reports each poll", async () => {
    const seq = crawlrunSequence(["pending", "started", "started", "finished"]);
    const progress: string[] = [];
    const run = await client(seq.fetch).extractors.startAndWait(extractorId, { interval: 5, onProgress: (r) => progress.push(r.state!) });
    expect(run.state).toBe("FINISHED");
    expect(progress).toEqual(["PENDING", "STARTED", "STARTED", "FINISHED"]);
    expect(seq.methods[0]).toBe(`POST /extractors/${extractorId}/start`);
    // The run it follows is the one the start named.
    expect(seq.methods[1]).toBe("GET /crawlruns/be7fab9a-6d5c-4e4f-9a3b-9c0d1e2f3a4b");
    expect(seq.methods.filter((m) => m.startsWith("POST"))).toHaveLength(1);
  });

  it.each([
    ["failed", "FAILED", /ended FAILED: the crawl run failed \(2 of 20 URLs succeeded, 18 failed\)/],
    ["cancelled", "CANCELLED", /ended CANCELLED: the crawl run was stopped/],
  ])("throws ImportFailedError when the run ends %s", async (example, state, message) => {
    const seq = crawlrunSequence(["started", example]);
    const error = await client(seq.fetch).extractors.startAndWait(extractorId, { interval: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportFailedError);
    if (!(error instanceof ImportFailedError)) return;
    expect(error.status).toBe(state);
    expect(error.message).toMatch(message);
    // Typed as a crawl run by the package's own ImportFailedError: no cast.
    expect((error.resource as Crawlrun | undefined)?.state).toBe(state);
  });
});

describe("crawl run result files (text types; binary bytes are in downloads.test.ts)", () => {
  const plain = contractFetch();

  it("csv and log arrive byte for byte as the spec's examples (the fixtures)", async () => {
    const c = client(plain.fetch);
    expect(await text(c.crawlRuns.download(crawlrunId, "csv"))).toBe(fixture("crawlrun-results.csv").toString("utf8"));
    expect(await text(c.crawlRuns.download(crawlrunId, "log"))).toBe(fixture("crawlrun.log").toString("utf8"));
    expect(await text(c.crawlRuns.download(crawlrunId, "json"))).toBe(fixture("crawlrun-results.ndjson").toString("utf8"));
  });

  it("sample is a JSON array of rows", async () => {
    const sample = JSON.parse(await text(client(plain.fetch).crawlRuns.download(crawlrunId, "sample"))) as ResultRow[];
    expect(sample[0]?.url).toBe("https://shop.example.com/p/1001");
  });

  it("asks for each file type's own media type (and JSON only as a fallback for errors)", async () => {
    const accepts: string[] = [];
    const spy: typeof globalThis.fetch = (input, init) => {
      const request = new Request(input, init);
      accepts.push(`${new URL(request.url).pathname.split("/").pop()} ${request.headers.get("accept")}`);
      return plain.fetch(request);
    };
    const c = client(spy);
    for (const fileType of CRAWLRUN_FILE_TYPES) await text(c.crawlRuns.download(crawlrunId, fileType));
    expect(accepts).toEqual([
      "csv text/csv, application/json;q=0.1",
      "xlsx application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, application/json;q=0.1",
      "log text/plain, text/csv, application/json;q=0.1",
      "sample application/json",
      "json application/x-ndjson, application/json;q=0.1",
      "files application/zip, application/json;q=0.1",
    ]);
  });

  it("rows() parses the json file's lines", async () => {
    const rows: ResultRow[] = [];
    for await (const row of client(plain.fetch).crawlRuns.rows(crawlrunId)) rows.push(row);
    expect(rows.map((r) => r.result?.sequenceNumber)).toEqual([0, 1, 2]);
    expect(rows[1]?.result?.extractorData?.data?.[0]?.group?.[0]?.Description?.[0]?.text).toBe("Brass lamp\nwith a linen shade");
  });
});

describe("the vendor's 400s on start and stop (issue 13)", () => {
  const refused = contractFetch({ prefer: "code=400" });

  it("starting an extractor already crawling (or archived) is a CrawlAlreadyRunningError, never resent", async () => {
    const error = await client(refused.fetch).extractors.start(extractorId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrawlAlreadyRunningError);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toMatch(/already running|already in progress/);
    expect(refused.requests).toBe(1);
  });

  it("stopping with nothing in progress is an InvalidRequestError with Import.io's words", async () => {
    const error = await client(refused.fetch).extractors.stop(extractorId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).not.toBeInstanceOf(CrawlAlreadyRunningError);
    expect((error as Error).message).toMatch(/No in progress crawl/i);
  });
});

describe("reports and report runs", () => {
  const plain = contractFetch();

  it("reportRuns.waitFor returns the run once FINISHED (statuses modelled as the crawl runs', inferred)", async () => {
    const run = await client(plain.fetch).reportRuns.waitFor(reportRunId, { interval: 5 });
    expect(run.status).toBe("FINISHED");
  });

  it("get, delete and start", async () => {
    const c = client(plain.fetch);
    expect((await c.reports.get(reportId)).type).toBe("CHANGE");
    await expect(c.reports.delete(reportId)).resolves.toBeUndefined();
    await expect(c.reports.start(reportId)).resolves.toBeUndefined();
  });

  it("reportRuns.get returns the run", async () => {
    expect((await client(plain.fetch).reportRuns.get(reportRunId)).summary).toEqual({ added: 1, removed: 0, changed: 2 });
  });

  it("downloads every report-run file type", async () => {
    const c = client(plain.fetch);
    const bodies = new Map<string, string>();
    for (const fileType of REPORT_RUN_FILE_TYPES) bodies.set(fileType, await text(c.reportRuns.download(reportRunId, fileType)));
    expect(bodies.get("csv")).toBe(fixture("crawlrun-results.csv").toString("utf8"));
    expect(JSON.parse(bodies.get("json")!)).toMatchObject({ removed: [] });
    expect(bodies.get("xlsx")).toBeTruthy();
  });
});
