// Type tests: what the generated types let through, and what they refuse at compile time.
import { describe, expectTypeOf, it } from "vitest";
import {
  createImportIoClient,
  CRAWLRUN_FILE_TYPES,
  ImportFailedError,
  REPORT_RUN_FILE_TYPES,
  WaitTimeoutError,
  type APIPromise,
  type Crawlrun,
  type CrawlrunFileType,
  type CrawlrunState,
  type CrawlRunRef,
  type Download,
  type DownloadPromise,
  type Extractor,
  type ExtractorInput,
  type ListPromise,
  type Page,
  type Report,
  type ReportRun,
  type ReportRunFileType,
  type ResultRow,
  type SavedFile,
  type Subscription,
  type User,
  type WithResponse,
} from "@importkit/importio";

const importio = createImportIoClient({ apiKey: "k" });
const id = "3c9d2f1e-8b7a-4c6d-9e5f-1a2b3c4d5e6f";

/** What `for await` over a list yields. */
type ItemOf<L> = L extends AsyncIterable<infer Item> ? Item : never;

describe("@importkit/importio types", () => {
  it("returns the spec's types", () => {
    expectTypeOf(importio.users.current()).toEqualTypeOf<APIPromise<User>>();
    expectTypeOf(importio.users.current()).resolves.toEqualTypeOf<User>();
    expectTypeOf(importio.users.subscription()).resolves.toEqualTypeOf<Subscription>();
    expectTypeOf(importio.extractors.get(id)).resolves.toEqualTypeOf<Extractor>();
    expectTypeOf(importio.extractors.get(id).withResponse()).resolves.toEqualTypeOf<WithResponse<Extractor>>();
    expectTypeOf(importio.extractors.archive(id)).resolves.toEqualTypeOf<Extractor>();
    expectTypeOf(importio.extractors.getInputs(id)).resolves.toEqualTypeOf<ExtractorInput[]>();
    expectTypeOf(importio.extractors.setInputs(id, [{ _url: "https://a.example", "Max Screens": 50 }])).resolves.toEqualTypeOf<void>();
    expectTypeOf(importio.extractors.setInputs(id, ["https://a.example"])).resolves.toEqualTypeOf<void>();
    expectTypeOf(importio.extractors.start(id)).resolves.toEqualTypeOf<CrawlRunRef & { crawlRunId: string }>();
    expectTypeOf(importio.extractors.startAndWait(id)).resolves.toEqualTypeOf<Crawlrun>();
    expectTypeOf(importio.crawlRuns.get(id)).resolves.toEqualTypeOf<Crawlrun>();
    expectTypeOf(importio.crawlRuns.waitFor(id)).resolves.toEqualTypeOf<Crawlrun>();
    expectTypeOf(importio.reports.get(id)).resolves.toEqualTypeOf<Report>();
    expectTypeOf(importio.reportRuns.get(id)).resolves.toEqualTypeOf<ReportRun>();
  });

  it("lists await to their first page and iterate typed items (never any)", () => {
    expectTypeOf(importio.extractors.list()).toEqualTypeOf<ListPromise<Extractor, Extractor[]>>();
    expectTypeOf(importio.extractors.list()).resolves.toEqualTypeOf<Page<Extractor, Extractor[]>>();
    expectTypeOf<ItemOf<ReturnType<typeof importio.extractors.list>>>().not.toBeAny();
    expectTypeOf<ItemOf<ReturnType<typeof importio.extractors.list>>>().toEqualTypeOf<Extractor>();
    expectTypeOf<ItemOf<ReturnType<typeof importio.crawlRuns.list>>>().not.toBeAny();
    expectTypeOf<ItemOf<ReturnType<typeof importio.crawlRuns.list>>>().toEqualTypeOf<Crawlrun>();
    expectTypeOf<ItemOf<ReturnType<typeof importio.reports.list>>>().toEqualTypeOf<Report>();
    expectTypeOf<ItemOf<ReturnType<typeof importio.reportRuns.list>>>().toEqualTypeOf<ReportRun>();
    expectTypeOf<ItemOf<ReturnType<typeof importio.reportRuns.listForReport>>>().not.toBeAny();
    expectTypeOf<ItemOf<ReturnType<typeof importio.reportRuns.listForReport>>>().toEqualTypeOf<ReportRun>();
    expectTypeOf(importio.crawlRuns.list({ _perpage: 50 }, { maxPages: 2 }).toArray()).resolves.toEqualTypeOf<Crawlrun[]>();
    expectTypeOf(importio.crawlRuns.list().pages()).toEqualTypeOf<AsyncIterable<Page<Crawlrun, Crawlrun[]>>>();
    void (async () => {
      const page = await importio.extractors.list();
      expectTypeOf(page.items).toEqualTypeOf<Extractor[]>();
      expectTypeOf(page.getNextPage()).resolves.toEqualTypeOf<Page<Extractor, Extractor[]>>();
      for await (const run of importio.crawlRuns.list()) {
        expectTypeOf(run).not.toBeAny();
        expectTypeOf(run.state).toEqualTypeOf<CrawlrunState | undefined>();
      }
    })();
  });

  it("onProgress sees a crawl run (never any)", () => {
    void importio.crawlRuns.waitFor(id, {
      deadline: 60_000,
      onProgress: (run, info) => {
        expectTypeOf(run).not.toBeAny();
        expectTypeOf(run).toEqualTypeOf<Crawlrun>();
        expectTypeOf(info).toEqualTypeOf<{ polls: number; elapsedMs: number }>();
      },
    });
    void importio.extractors.startAndWait(id, {
      onProgress: (run) => {
        expectTypeOf(run).not.toBeAny();
        expectTypeOf(run).toEqualTypeOf<Crawlrun>();
      },
    });
  });

  it("the package's errors type what they carry as a crawl run or a report run (what its waitFors poll)", () => {
    const error: unknown = new Error("x");
    if (error instanceof WaitTimeoutError) {
      expectTypeOf(error.lastSeen).not.toBeAny();
      expectTypeOf(error.lastSeen).toEqualTypeOf<Crawlrun | ReportRun | undefined>();
      expectTypeOf(error.deadlineMs).toEqualTypeOf<number>();
      const seen = error.lastSeen;
      if (seen && "state" in seen) expectTypeOf(seen.state).toEqualTypeOf<CrawlrunState | undefined>();
    }
    if (error instanceof ImportFailedError) {
      expectTypeOf(error.resource).not.toBeAny();
      expectTypeOf(error.resource).toEqualTypeOf<Crawlrun | ReportRun | undefined>();
      expectTypeOf(error.status).toEqualTypeOf<string>();
    }
  });

  it("downloads await to a Download (a byte stream, saveTo); rows are result rows unless told otherwise", () => {
    expectTypeOf(importio.crawlRuns.download(id, "xlsx")).toEqualTypeOf<DownloadPromise>();
    expectTypeOf(importio.crawlRuns.download(id, "xlsx")).resolves.toEqualTypeOf<Download>();
    expectTypeOf(importio.reportRuns.download(id, "csv")).resolves.toEqualTypeOf<Download>();
    // Typed as fetch's own body, so it pipes into the platform's streams (TypeScript 5.7+'s DOM types).
    expectTypeOf<Download["body"]>().toEqualTypeOf<NonNullable<Response["body"]>>();
    expectTypeOf((d: Download) => d.body.pipeThrough(new CompressionStream("gzip")).pipeThrough(new DecompressionStream("gzip")).pipeThrough(new TextDecoderStream())).returns.toEqualTypeOf<ReadableStream<string>>();
    expectTypeOf(importio.crawlRuns.download(id, "files").saveTo("out.zip")).resolves.toEqualTypeOf<SavedFile>();
    expectTypeOf(importio.crawlRuns.download(id, "files").saveTo("out.zip", { onProgress: (p) => void p.bytes })).resolves.toEqualTypeOf<SavedFile>();
    expectTypeOf<ReturnType<Download["saveTo"]>>().resolves.toEqualTypeOf<SavedFile>();
    expectTypeOf(importio.crawlRuns.rows(id)).toEqualTypeOf<AsyncIterable<ResultRow>>();
    expectTypeOf(importio.crawlRuns.rows<{ url: string }>(id)).toEqualTypeOf<AsyncIterable<{ url: string }>>();
  });

  it("file types are the spec's enums, and the runtime lists hold every one of them", () => {
    expectTypeOf<CrawlrunFileType>().toEqualTypeOf<"csv" | "xlsx" | "log" | "sample" | "json" | "files">();
    expectTypeOf<ReportRunFileType>().toEqualTypeOf<"csv" | "xlsx" | "json">();
    expectTypeOf<CrawlrunState>().toEqualTypeOf<"PENDING" | "STARTED" | "FINISHED" | "FAILED" | "CANCELLED">();
    expectTypeOf(CRAWLRUN_FILE_TYPES).toEqualTypeOf<readonly CrawlrunFileType[]>();
    expectTypeOf(REPORT_RUN_FILE_TYPES).toEqualTypeOf<readonly ReportRunFileType[]>();
  });

  it("refuses what the spec does not allow", () => {
    // @ts-expect-error: report runs have no log file
    void importio.reportRuns.download(id, "log");
    // @ts-expect-error: not a crawl run file type
    void importio.crawlRuns.download(id, "pdf");
    // @ts-expect-error: inputs are a list (of URLs or input objects), not one newline-separated string
    void importio.extractors.setInputs(id, "https://a.example\nhttps://b.example");
    // @ts-expect-error: a password is required
    void importio.extractors.setCredentials(id, { username: "u" });
    // @ts-expect-error: _sortDirection is ASC or DESC
    void importio.extractors.list({ _sortDirection: "UP" });
    // @ts-expect-error: _perpage is a number
    void importio.crawlRuns.list({ _perpage: "50" });
    // @ts-expect-error: maxPages is an option (second argument), not a query parameter
    void importio.extractors.list({ maxPages: 2 });
    // @ts-expect-error: the raw client needs the path parameters too
    void importio.raw.GET("/crawlruns/{crawlrunId}", {});
  });

  it("refuses wrong wait options", () => {
    // @ts-expect-error: onProgress receives a crawl run, not a string
    void importio.crawlRuns.waitFor(id, { onProgress: (run: string) => void run });
    // @ts-expect-error: deadline is a number of milliseconds
    void importio.crawlRuns.waitFor(id, { deadline: "10m" });
    // @ts-expect-error: crawlruns is now crawlRuns
    void importio.crawlruns;
    // @ts-expect-error: extractors.run is now startAndWait
    void importio.extractors.run(id);
  });

  it("requires an API key", () => {
    // @ts-expect-error: apiKey is required
    createImportIoClient({});
  });
});
