// Type tests: what the client's types let through, and what they refuse at compile time. Document360 has no list
// operation, so there are no list items to type here.
import { describe, expectTypeOf, it } from "vitest";
import {
  createDocument360Client,
  ExportFailedError,
  ExportLimitError,
  ImportFailedError,
  InvalidRequestError,
  WaitTimeoutError,
  WorkFailedError,
  type APIPromise,
  type Download,
  type DownloadPromise,
  type ExportDocumentationStatusResponse,
  type ExportStatus,
  type ImportDocumentationStatusResponse,
  type ImportStatus,
  type KnownExportStatus,
  type KnownImportStatus,
  type SavedFile,
  type WithResponse,
} from "@importkit/document360";

const d360 = createDocument360Client({ apiToken: "t" });

describe("@importkit/document360 types", () => {
  it("keeps the known statuses as literals and lets future ones through", () => {
    expectTypeOf<KnownImportStatus>().toEqualTypeOf<"Queued" | "InProgress" | "Completed" | "Error">();
    expectTypeOf<KnownExportStatus>().toEqualTypeOf<"Initiated" | "InProgress" | "Completed" | "Error">();
    expectTypeOf<"Queued">().toExtend<ImportStatus>();
    expectTypeOf<"SomethingNew">().toExtend<ImportStatus>();
    expectTypeOf<"SomethingNew">().toExtend<ExportStatus>();
    // Not widened to plain string: the known literals stay visible to editors.
    expectTypeOf<ImportStatus>().not.toEqualTypeOf<string>();
  });

  it("returns typed bodies", () => {
    expectTypeOf(d360.imports.get("i")).toEqualTypeOf<APIPromise<ImportDocumentationStatusResponse>>();
    expectTypeOf(d360.imports.get("i")).resolves.toEqualTypeOf<ImportDocumentationStatusResponse>();
    expectTypeOf(d360.exports.get("e").withResponse()).resolves.toEqualTypeOf<WithResponse<ExportDocumentationStatusResponse>>();
    expectTypeOf(d360.exports.waitFor("e")).resolves.toEqualTypeOf<ExportDocumentationStatusResponse>();
    expectTypeOf(d360.imports.waitFor("i")).resolves.toEqualTypeOf<ImportDocumentationStatusResponse>();
    expectTypeOf(d360.imports.start({ source_documentation_url: "https://x/a.zip", import_by: "u" })).resolves.toHaveProperty("id").toEqualTypeOf<string>();
    expectTypeOf(d360.imports.startAndWait({ source_documentation_url: "https://x/a.zip", import_by: "u" })).resolves.toEqualTypeOf<ImportDocumentationStatusResponse>();
    expectTypeOf(d360.exports.startAndWait({ entity: "Project", version_id: [] })).resolves.toEqualTypeOf<ExportDocumentationStatusResponse>();
    expectTypeOf<ImportDocumentationStatusResponse["status"]>().toEqualTypeOf<ImportStatus | null | undefined>();
    expectTypeOf<ExportLimitError>().toExtend<InvalidRequestError>();
  });

  it("an export's zip is one Download: a byte stream, or saveTo", () => {
    expectTypeOf(d360.exports.download("e")).toEqualTypeOf<DownloadPromise>();
    expectTypeOf(d360.exports.download("e")).resolves.toEqualTypeOf<Download>();
    expectTypeOf<Download["body"]>().toEqualTypeOf<NonNullable<Response["body"]>>();
    expectTypeOf<ReturnType<Download["saveTo"]>>().resolves.toEqualTypeOf<SavedFile>();
    expectTypeOf(d360.exports.download("e").saveTo("export.zip", { onProgress: (p) => void p.bytes })).resolves.toEqualTypeOf<SavedFile>();
    // A status at hand (from get or waitFor) is accepted instead of an id.
    void (async () => {
      const finished = await d360.exports.waitFor("e");
      expectTypeOf(d360.exports.download(finished)).toEqualTypeOf<DownloadPromise>();
    })();
  });

  it("onProgress sees the import's or the export's status (never any)", () => {
    void d360.imports.waitFor("i", {
      deadline: 60_000,
      onProgress: (status, info) => {
        expectTypeOf(status).not.toBeAny();
        expectTypeOf(status).toEqualTypeOf<ImportDocumentationStatusResponse>();
        expectTypeOf(status.status).toEqualTypeOf<ImportStatus | null | undefined>();
        expectTypeOf(info).toEqualTypeOf<{ polls: number; elapsedMs: number }>();
      },
    });
    void d360.exports.waitFor("e", {
      onProgress: (status) => {
        expectTypeOf(status).not.toBeAny();
        expectTypeOf(status).toEqualTypeOf<ExportDocumentationStatusResponse>();
      },
    });
    void d360.exports.startAndWait(
      { entity: "Project" },
      {
        onProgress: (status) => {
          expectTypeOf(status).not.toBeAny();
          expectTypeOf(status).toEqualTypeOf<ExportDocumentationStatusResponse>();
        },
      },
    );
  });

  it("the package's errors type what they carry", () => {
    const error: unknown = new Error("x");
    if (error instanceof WaitTimeoutError) {
      expectTypeOf(error.lastSeen).not.toBeAny();
      expectTypeOf(error.lastSeen).toEqualTypeOf<ImportDocumentationStatusResponse | ExportDocumentationStatusResponse | undefined>();
      expectTypeOf(error.lastSeen?.status).toEqualTypeOf<ImportStatus | ExportStatus | null | undefined>();
      expectTypeOf(error.deadlineMs).toEqualTypeOf<number>();
    }
    if (error instanceof ImportFailedError) {
      expectTypeOf(error.resource).not.toBeAny();
      expectTypeOf(error.resource).toEqualTypeOf<ImportDocumentationStatusResponse | undefined>();
    }
    if (error instanceof ExportFailedError) {
      expectTypeOf(error.resource).not.toBeAny();
      expectTypeOf(error.resource).toEqualTypeOf<ExportDocumentationStatusResponse | undefined>();
      expectTypeOf(error).toExtend<WorkFailedError<ExportDocumentationStatusResponse>>();
    }
  });

  it("refuses a wrong body", () => {
    // @ts-expect-error: import_by is required
    void d360.imports.start({ source_documentation_url: "https://x/a.zip" });
    // @ts-expect-error: publish_article is a boolean
    void d360.imports.start({ source_documentation_url: "https://x/a.zip", import_by: "u", publish_article: "yes" });
    // @ts-expect-error: field names are the wire's snake_case
    void d360.imports.start({ sourceDocumentationUrl: "https://x/a.zip", importBy: "u" });
    // @ts-expect-error: entity is required
    void d360.exports.start({ version_id: [] });
    // @ts-expect-error: export_type is 0 or 1
    void d360.exports.start({ entity: "Project", export_type: 2 });
  });

  it("refuses a wrong id, region or option", () => {
    // @ts-expect-error: the import id is a string
    void d360.imports.get(42);
    // @ts-expect-error: download takes the export's id (a string) or its status
    void d360.exports.download(42);
    // @ts-expect-error: saveTo moved onto the download: exports.download(id).saveTo(path)
    void d360.exports.saveTo("e", "export.zip");
    // @ts-expect-error: onProgress receives the import's status, not a string
    void d360.imports.waitFor("i", { onProgress: (s: string) => void s });
    // @ts-expect-error: deadline is a number of milliseconds
    void d360.exports.waitFor("e", { deadline: "10m" });
    // @ts-expect-error: the raw client needs the path parameter
    void d360.raw.GET("/v2/Project/Import/{importId}", { params: { path: {} } });
    // @ts-expect-error: only eu, us or a private host
    createDocument360Client({ apiToken: "t", region: "asia" });
    createDocument360Client({ apiToken: "t", region: { privateHost: "acme" } });
    // @ts-expect-error: apiToken is required
    createDocument360Client({ region: "us" });
  });
});
