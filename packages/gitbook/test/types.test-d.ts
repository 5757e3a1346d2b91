// Type tests: what the generated types let through, and what they refuse at compile time.
import { describe, expectTypeOf, it } from "vitest";
import { createGitBookClient, type ImportRun, type ImportRunStatus } from "@importkit/gitbook";

const gitbook = createGitBookClient({ token: "t" });
const organizationId = "org";

describe("@importkit/gitbook types", () => {
  it("returns typed runs", () => {
    expectTypeOf(gitbook.imports.get({ organizationId, importRunId: "r" })).resolves.toEqualTypeOf<ImportRun>();
    expectTypeOf<ImportRunStatus>().toEqualTypeOf<"pending" | "in-progress" | "completed" | "failed" | "cancelled">();
    expectTypeOf(gitbook.imports.list({ organizationId })).toExtend<AsyncIterable<ImportRun>>();
  });

  it("refuses a wrong body", () => {
    // @ts-expect-error: target is required
    void gitbook.imports.start({ organizationId, source: { type: "website", url: "https://x" } });
    // @ts-expect-error: a website source has a url, not files
    void gitbook.imports.start({ organizationId, source: { type: "website", files: ["a"] }, target: { space: "s" } });
    // @ts-expect-error: unknown source type
    void gitbook.imports.start({ organizationId, source: { type: "git", url: "https://x" }, target: { space: "s" } });
    // @ts-expect-error: enhance is a boolean
    void gitbook.imports.start({ organizationId, source: { type: "file", files: [] }, target: { space: "s" }, enhance: "yes" });
  });

  it("refuses a missing path parameter", () => {
    // @ts-expect-error: importRunId is required
    void gitbook.imports.get({ organizationId });
    // @ts-expect-error: organizationId is required
    void gitbook.imports.list({});
    // @ts-expect-error: the raw client needs the path parameters too
    void gitbook.raw.GET("/org/{organizationId}/imports/{importRunId}", { params: { path: { organizationId } } });
  });

  it("refuses a wrong status filter", () => {
    void gitbook.imports.list({ organizationId, status: "active" });
    // @ts-expect-error: "running" is not a status filter
    void gitbook.imports.list({ organizationId, status: "running" });
    // @ts-expect-error: limit is a number
    void gitbook.imports.list({ organizationId, limit: "10" });
  });

  it("requires a token", () => {
    // @ts-expect-error: token is required
    createGitBookClient({});
  });
});
