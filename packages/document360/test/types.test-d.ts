// Type tests: what the client's types let through, and what they refuse at compile time.
import { describe, expectTypeOf, it } from "vitest";
import {
  createDocument360Client,
  ExportLimitError,
  InvalidRequestError,
  type ExportDocumentationStatusResponse,
  type ExportDownload,
  type ExportStatus,
  type ImportDocumentationStatusResponse,
  type ImportStatus,
  type KnownExportStatus,
  type KnownImportStatus,
  type SavedFile,
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
    expectTypeOf(d360.imports.get("i")).resolves.toEqualTypeOf<ImportDocumentationStatusResponse>();
    expectTypeOf(d360.exports.waitFor("e")).resolves.toEqualTypeOf<ExportDocumentationStatusResponse>();
    expectTypeOf(d360.imports.start({ source_documentation_url: "https://x/a.zip", import_by: "u" })).resolves.toHaveProperty("id").toEqualTypeOf<string>();
    expectTypeOf<ImportDocumentationStatusResponse["status"]>().toEqualTypeOf<ImportStatus | null | undefined>();
    expectTypeOf(d360.exports.download("e")).resolves.toEqualTypeOf<ExportDownload>();
    expectTypeOf<ReturnType<ExportDownload["saveTo"]>>().resolves.toEqualTypeOf<SavedFile>();
    expectTypeOf(d360.exports.saveTo("e", "export.zip", { onProgress: (p) => void p.bytes })).resolves.toEqualTypeOf<SavedFile>();
    expectTypeOf<ExportLimitError>().toExtend<InvalidRequestError>();
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

  it("refuses a wrong id or region", () => {
    // @ts-expect-error: the import id is a string
    void d360.imports.get(42);
    // @ts-expect-error: the raw client needs the path parameter
    void d360.raw.GET("/v2/Project/Import/{importId}", { params: { path: {} } });
    // @ts-expect-error: only eu, us or a private host
    createDocument360Client({ apiToken: "t", region: "asia" });
    createDocument360Client({ apiToken: "t", region: { privateHost: "acme" } });
    // @ts-expect-error: apiToken is required
    createDocument360Client({ region: "us" });
  });
});
