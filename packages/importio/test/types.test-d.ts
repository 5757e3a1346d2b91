// Type tests: what the generated types let through, and what they refuse at compile time.
import { describe, expectTypeOf, it } from "vitest";
import {
  createImportIoClient,
  CRAWLRUN_FILE_TYPES,
  REPORT_RUN_FILE_TYPES,
  type Crawlrun,
  type CrawlrunFileType,
  type CrawlrunState,
  type CrawlRunRef,
  type Extractor,
  type ExtractorInputs,
  type PageIterable,
  type Report,
  type ReportRun,
  type ReportRunFileType,
  type ResultRow,
  type SavedFile,
  type Subscription,
  type User,
} from "@importkit/importio";

const importio = createImportIoClient({ apiKey: "k" });
const id = "3c9d2f1e-8b7a-4c6d-9e5f-1a2b3c4d5e6f";

describe("@importkit/importio types", () => {
  it("returns the spec's types", () => {
    expectTypeOf(importio.users.current()).resolves.toEqualTypeOf<User>();
    expectTypeOf(importio.users.subscription()).resolves.toEqualTypeOf<Subscription>();
    expectTypeOf(importio.extractors.get(id)).resolves.toEqualTypeOf<Extractor>();
    expectTypeOf(importio.extractors.archive(id)).resolves.toEqualTypeOf<Extractor>();
    expectTypeOf(importio.extractors.getInputs(id)).resolves.toEqualTypeOf<ExtractorInputs>();
    expectTypeOf(importio.extractors.updateInputs(id, ["https://a.example"])).resolves.toEqualTypeOf<void>();
    expectTypeOf(importio.extractors.start(id)).resolves.toEqualTypeOf<CrawlRunRef>();
    expectTypeOf(importio.extractors.run(id)).resolves.toEqualTypeOf<Crawlrun>();
    expectTypeOf(importio.crawlruns.get(id)).resolves.toEqualTypeOf<Crawlrun>();
    expectTypeOf(importio.reports.get(id)).resolves.toEqualTypeOf<Report>();
    expectTypeOf(importio.reportRuns.get(id)).resolves.toEqualTypeOf<ReportRun>();
  });

  it("lists are async iterables of the items, with their pages", () => {
    expectTypeOf(importio.extractors.list()).toEqualTypeOf<PageIterable<Extractor, Extractor[]>>();
    expectTypeOf(importio.crawlruns.list({ _perpage: 50 })).toExtend<AsyncIterable<Crawlrun>>();
    expectTypeOf(importio.reports.runs(id)).toExtend<AsyncIterable<ReportRun>>();
    expectTypeOf(importio.reportRuns.list()).toExtend<AsyncIterable<ReportRun>>();
  });

  it("downloads are byte streams; rows are result rows unless told otherwise", () => {
    expectTypeOf(importio.crawlruns.download(id, "xlsx")).resolves.toEqualTypeOf<ReadableStream<Uint8Array>>();
    expectTypeOf(importio.reportRuns.download(id, "csv")).resolves.toEqualTypeOf<ReadableStream<Uint8Array>>();
    expectTypeOf(importio.crawlruns.saveTo(id, "files", "out.zip")).resolves.toEqualTypeOf<SavedFile>();
    expectTypeOf(importio.crawlruns.rows(id)).toEqualTypeOf<AsyncIterable<ResultRow>>();
    expectTypeOf(importio.crawlruns.rows<{ url: string }>(id)).toEqualTypeOf<AsyncIterable<{ url: string }>>();
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
    void importio.crawlruns.download(id, "pdf");
    // @ts-expect-error: inputs are a list of URLs, not one newline-separated string
    void importio.extractors.updateInputs(id, "https://a.example\nhttps://b.example");
    // @ts-expect-error: a password is required
    void importio.extractors.updateCredentials(id, { username: "u" });
    // @ts-expect-error: _sortDirection is ASC or DESC
    void importio.extractors.list({ _sortDirection: "UP" });
    // @ts-expect-error: _perpage is a number
    void importio.crawlruns.list({ _perpage: "50" });
    // @ts-expect-error: the raw client needs the path parameters too
    void importio.raw.GET("/crawlruns/{crawlrunId}", {});
  });

  it("requires an API key", () => {
    // @ts-expect-error: apiKey is required
    createImportIoClient({});
  });
});
