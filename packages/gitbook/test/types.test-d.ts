// Type tests: what the generated types let through, and what they refuse at compile time.
import { describe, expectTypeOf, it } from "vitest";
import {
  createGitBookClient,
  ImportFailedError,
  WaitTimeoutError,
  type APIPromise,
  type ImportRun,
  type ImportRunList,
  type ImportRunStatus,
  type ListPromise,
  type Page,
  type WithResponse,
} from "@importkit/gitbook";

const gitbook = createGitBookClient({ token: "t" });
const organizationId = "org";

describe("@importkit/gitbook types", () => {
  it("returns typed runs", () => {
    expectTypeOf(gitbook.imports.get("r", { organizationId })).resolves.toEqualTypeOf<ImportRun>();
    expectTypeOf(gitbook.imports.get("r", { organizationId })).toEqualTypeOf<APIPromise<ImportRun>>();
    expectTypeOf(gitbook.imports.get("r", { organizationId }).withResponse()).resolves.toEqualTypeOf<WithResponse<ImportRun>>();
    expectTypeOf(gitbook.imports.cancel("r", { organizationId })).resolves.toEqualTypeOf<ImportRun>();
    expectTypeOf(gitbook.imports.waitFor("r", { organizationId })).resolves.toEqualTypeOf<ImportRun>();
    expectTypeOf<ImportRunStatus>().toEqualTypeOf<"pending" | "in-progress" | "completed" | "failed" | "cancelled">();
    expectTypeOf(gitbook.imports.list({ organizationId })).toExtend<AsyncIterable<ImportRun>>();
  });

  it("types list items and pages, never any", async () => {
    const list = gitbook.imports.list({ organizationId }, { maxPages: 3 });
    expectTypeOf(list).toEqualTypeOf<ListPromise<ImportRun, ImportRunList>>();
    for await (const run of list) {
      expectTypeOf(run).not.toBeAny();
      expectTypeOf(run).toEqualTypeOf<ImportRun>();
    }
    const page = await list;
    expectTypeOf(page).toEqualTypeOf<Page<ImportRun, ImportRunList>>();
    expectTypeOf(page.items).not.toBeAny();
    expectTypeOf(page.items).toEqualTypeOf<ImportRun[]>();
    expectTypeOf(page.body).toEqualTypeOf<ImportRunList>();
    expectTypeOf(page.getNextPage()).resolves.toEqualTypeOf<Page<ImportRun, ImportRunList>>();
    expectTypeOf(list.toArray()).resolves.toEqualTypeOf<ImportRun[]>();
  });

  it("hands onProgress a typed run", () => {
    void gitbook.imports.waitFor(
      "r",
      { organizationId },
      {
        deadline: 60_000,
        interval: 500,
        onProgress: (run, info) => {
          expectTypeOf(run).not.toBeAny();
          expectTypeOf(run).toEqualTypeOf<ImportRun>();
          expectTypeOf(run.status).toEqualTypeOf<ImportRunStatus>();
          expectTypeOf(info).toEqualTypeOf<{ polls: number; elapsedMs: number }>();
        },
      },
    );
    void gitbook.imports.startAndWait(
      { organizationId, source: { type: "website", url: "https://x" }, target: { space: "s" } },
      { onProgress: (run) => expectTypeOf(run).toEqualTypeOf<ImportRun>() },
    );
  });

  it("types what the wait errors carry, with the package's own re-exports", () => {
    const error: unknown = undefined;
    if (error instanceof WaitTimeoutError) {
      expectTypeOf(error.lastSeen).not.toBeAny();
      expectTypeOf(error.lastSeen).toEqualTypeOf<ImportRun | undefined>();
      // The README's own line compiles.
      expectTypeOf(error.lastSeen?.status).toEqualTypeOf<ImportRunStatus | undefined>();
      expectTypeOf(error.deadlineMs).toEqualTypeOf<number>();
    }
    if (error instanceof ImportFailedError) {
      expectTypeOf(error.resource).not.toBeAny();
      expectTypeOf(error.resource).toEqualTypeOf<ImportRun | undefined>();
      expectTypeOf(error.status).toEqualTypeOf<string>();
      expectTypeOf(error.reason).toEqualTypeOf<string | undefined>();
    }
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
    // @ts-expect-error: organizationId is required
    void gitbook.imports.start({ source: { type: "website", url: "https://x" }, target: { space: "s" } });
  });

  it("refuses a missing path parameter", () => {
    // @ts-expect-error: the run's id comes first, the organization beside it
    void gitbook.imports.get({ organizationId, importRunId: "r" });
    // @ts-expect-error: organizationId is required
    void gitbook.imports.get("r", {});
    // @ts-expect-error: the organization is required
    void gitbook.imports.cancel("r");
    // @ts-expect-error: the organization comes second and the wait's options third
    void gitbook.imports.waitFor("r", { deadline: 1000 });
    // @ts-expect-error: organizationId is required
    void gitbook.imports.list({});
    // @ts-expect-error: the raw client needs the path parameters too
    void gitbook.raw.GET("/org/{organizationId}/imports/{importRunId}", { params: { path: { organizationId } } });
  });

  it("refuses a wrong status filter, and options in the params", () => {
    void gitbook.imports.list({ organizationId, status: "active" });
    // @ts-expect-error: "running" is not a status filter
    void gitbook.imports.list({ organizationId, status: "running" });
    // @ts-expect-error: limit is a number
    void gitbook.imports.list({ organizationId, limit: "10" });
    // @ts-expect-error: maxPages is an option now, not a parameter
    void gitbook.imports.list({ organizationId, maxPages: 2 });
    // @ts-expect-error: maxPages is a number
    void gitbook.imports.list({ organizationId }, { maxPages: "2" });
  });

  it("refuses wrong wait options", () => {
    // @ts-expect-error: the overall limit is `deadline`; `timeout` is per attempt and a number
    void gitbook.imports.waitFor("r", { organizationId }, { timeout: "1m" });
    // @ts-expect-error: onProgress gets an ImportRun, which has no `state`
    void gitbook.imports.waitFor("r", { organizationId }, { onProgress: (run) => run.state });
    // @ts-expect-error: deadline is a number of ms
    void gitbook.imports.waitFor("r", { organizationId }, { deadline: "10m" });
  });

  it("requires a token", () => {
    // @ts-expect-error: token is required
    createGitBookClient({});
  });
});
