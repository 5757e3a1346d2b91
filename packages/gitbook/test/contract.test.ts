// Contract tests: the real GitBook client against the real Prism server built from specs/gitbook/openapi.yaml.
import { describe, expect, it } from "vitest";
import {
  AbortError,
  ApiError,
  AuthenticationError,
  createGitBookClient,
  ImportFailedError,
  InvalidRequestError,
  NotFoundError,
  PaginationLimitError,
  RateLimitError,
  ValidationError,
  WaitTimeoutError,
  type GitBookClientOptions,
  type ImportRun,
} from "@importkit/gitbook";
import { contractFetch, mockUrl } from "../../../test/contract.ts";

const organizationId = "org_acme";
const token = "gb_test_token_contract";

function client(fetch: typeof globalThis.fetch, extra: Partial<GitBookClientOptions> = {}) {
  return createGitBookClient({ token, baseUrl: mockUrl("gitbook"), fetch, ...extra });
}

describe("imports.list", () => {
  const paging = contractFetch({ exampleFromQuery: "page" });
  const endless = contractFetch({ prefer: "example=endless" });
  const empty = contractFetch({ prefer: "example=empty" });

  it("follows next.page across three pages and stops after the third", async () => {
    const runs = await client(paging.fetch).imports.list({ organizationId, status: "active", limit: 2 }).toArray();
    expect(paging.requests).toBe(3);
    expect(runs).toHaveLength(5);
    expect(new Set(runs.map((r) => r.id)).size).toBe(5);
  });

  it("exposes the pages themselves", async () => {
    const pages: number[] = [];
    for await (const page of client(paging.fetch).imports.list({ organizationId }).pages()) pages.push(page.items.length);
    expect(pages).toEqual([2, 2, 1]);
  });

  it("stops at the page cap with a clear error when the cursor never ends", async () => {
    const seen: ImportRun[] = [];
    const iterate = async () => {
      for await (const run of client(endless.fetch).imports.list({ organizationId }, { maxPages: 4 })) seen.push(run);
    };
    const error = await iterate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaginationLimitError);
    expect((error as Error).message).toMatch(/after 4 .*page cap/);
    expect(endless.requests).toBe(4);
    expect(seen.length).toBeGreaterThan(0);
  });

  it("ends at once on an empty list", async () => {
    expect(await client(empty.fetch).imports.list({ organizationId }).toArray()).toEqual([]);
  });
});

describe("imports.start / get / cancel", () => {
  const plain = contractFetch();
  const fileExample = contractFetch({ prefer: "example=file" });
  const created201 = contractFetch({ prefer: "code=201" });

  it("starts a website import", async () => {
    const run = await client(plain.fetch).imports.start({
      organizationId,
      source: { type: "website", url: "https://docs.example.com" },
      target: { space: "space_1" },
    });
    expect(run.status).toBe("pending");
    expect(run.id).toBeTruthy();
  });

  it("starts a file import", async () => {
    const run = await client(fileExample.fetch).imports.start({
      organizationId,
      source: { type: "file", files: ["upload-1.md", "upload-2.md"] },
      target: { space: "space_1", changeRequest: "cr_1" },
      enhance: false,
    });
    expect(run.source?.type).toBe("file");
  });

  it("gets a run", async () => {
    const run = await client(plain.fetch).imports.get("run_completed", { organizationId });
    expect(run.status).toBe("completed");
    expect(run.pages?.length).toBeGreaterThan(0);
  });

  it("cancels a run (200 today, 201 on older API versions)", async () => {
    expect((await client(plain.fetch).imports.cancel("run_1", { organizationId })).status).toBe("cancelled");
    expect((await client(created201.fetch).imports.cancel("run_1", { organizationId })).id).toBeTruthy();
  });
});

describe("every documented error status becomes its typed error", () => {
  const cases = [
    [400, InvalidRequestError],
    [401, AuthenticationError],
    [403, AuthenticationError],
    [404, NotFoundError],
    [429, RateLimitError],
    [500, ApiError],
  ] as const;
  const calls = {
    listImportRuns: (c: ReturnType<typeof client>) => c.imports.list({ organizationId }).toArray(),
    startImportRun: (c: ReturnType<typeof client>) =>
      c.imports.start({ organizationId, source: { type: "website", url: "https://example.com" }, target: { space: "s" } }),
    getImportRun: (c: ReturnType<typeof client>) => c.imports.get("run_1", { organizationId }),
    cancelImportRun: (c: ReturnType<typeof client>) => c.imports.cancel("run_1", { organizationId }),
  };
  const fetches = Object.fromEntries(cases.map(([status]) => [status, contractFetch({ prefer: `code=${status}` })]));

  for (const [operation, run] of Object.entries(calls)) {
    for (const [status, ErrorClass] of cases) {
      it(`${operation} → ${status} is ${ErrorClass.name}`, async () => {
        const error = await run(client(fetches[status]!.fetch, { maxRetries: 0 })).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ErrorClass);
        const apiError = error as ApiError;
        expect(apiError.status).toBe(status);
        expect(apiError.operation).toBe(operation);
        expect(apiError.code).toBe(status);
        expect(apiError.message).toContain(`failed with ${status}`);
      });
    }
  }

  it("a 429 carries the wait and the rate-limit headers", async () => {
    const error = (await calls.getImportRun(client(fetches[429]!.fetch, { maxRetries: 0 })).catch((e: unknown) => e)) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    // The spec's example reset is GitBook's documented one, long past: the wait is clamped to 0, never negative.
    expect(error.retryAfterMs).toBe(0);
    expect(error.headers["x-ratelimit-remaining"]).toBe("0");
    expect(error.message).toContain("API rate limit exceeded");
  });

  it("429 and 500 are retried maxRetries times", async () => {
    const f429 = fetches[429]!;
    const before = f429.requests;
    await calls.getImportRun(client(f429.fetch, { maxRetries: 2 })).catch(() => {});
    expect(f429.requests - before).toBe(3);
  });
});

describe("a body the spec forbids ends in an InvalidRequestError that names the problem", () => {
  const guarded = contractFetch();
  const start = (body: unknown) =>
    client(guarded.fetch)
      .imports.start({ organizationId, ...(body as object) } as never)
      .catch((e: unknown) => e);

  it.each([
    ["no target", { source: { type: "website", url: "https://example.com" } }, /target: is required/],
    ["a 3 000-character URL", { source: { type: "website", url: `https://example.com/${"a".repeat(2980)}` }, target: { space: "s" } }, /source\.url: must have at most 2048 characters \(got 3000\)/],
    ["51 files", { source: { type: "file", files: Array.from({ length: 51 }, (_, i) => `f${i}.md`) }, target: { space: "s" } }, /source\.files: must have at most 50 items \(got 51\)/],
    ["an organization id with a slash", { organizationId: "org/../x", source: { type: "file", files: [] }, target: { space: "s" } }, /organizationId: must match/],
  ])("%s", async (_name, body, problem) => {
    const error = await start(body);
    // Refused by the client from the spec's own schema: an InvalidRequestError (ValidationError), nothing sent.
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as InvalidRequestError).status).toBe(400);
    expect((error as InvalidRequestError).operation).toBe("startImportRun");
    expect((error as Error).message).toMatch(problem);
    expect(guarded.requests).toBe(0);
  });

  it("the same bodies are refused by the spec itself (Prism), so the client's check is not stricter than the API", async () => {
    const bodies = [
      { source: { type: "website", url: "https://example.com" } },
      { source: { type: "website", url: `https://example.com/${"a".repeat(2980)}` }, target: { space: "s" } },
      { source: { type: "file", files: Array.from({ length: 51 }, (_, i) => `f${i}.md`) }, target: { space: "s" } },
    ];
    for (const body of bodies) {
      const response = await guarded.fetch(`${mockUrl("gitbook")}/org/${organizationId}/imports`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(400);
    }
    expect(guarded.takeViolations()).toHaveLength(3);
  });
});

describe("imports.waitFor", () => {
  /** A fetch that walks the run through the given statuses, one per poll, via Prism's named examples. */
  function statusSequence(statuses: string[]) {
    const polls: string[] = [];
    const guard = contractFetch();
    const fetch: typeof globalThis.fetch = (input, init) => {
      const request = new Request(input, init);
      const status = statuses[Math.min(polls.length, statuses.length - 1)]!;
      polls.push(status);
      const headers = new Headers(request.headers);
      headers.set("Prefer", `example=${status}`);
      return guard.fetch(new Request(request, { headers }));
    };
    return { fetch, polls };
  }
  const ref = ["run_1", { organizationId }] as const;

  it("reports progress on every poll and returns the completed run", async () => {
    const seq = statusSequence(["pending", "in-progress", "in-progress", "completed"]);
    const progress: string[] = [];
    const run = await client(seq.fetch).imports.waitFor(...ref, { interval: 5, onProgress: (r) => progress.push(r.status) });
    expect(run.status).toBe("completed");
    expect(progress).toEqual(["pending", "in-progress", "in-progress", "completed"]);
  });

  it("throws ImportFailedError with the run's reason when it fails", async () => {
    const seq = statusSequence(["in-progress", "failed"]);
    const error = (await client(seq.fetch).imports.waitFor(...ref, { interval: 5 }).catch((e: unknown) => e)) as ImportFailedError;
    expect(error).toBeInstanceOf(ImportFailedError);
    expect(error.status).toBe("failed");
    expect(error.reason).toBeTruthy();
    expect(error.message).toContain(error.reason);
  });

  it("throws ImportFailedError when the run is cancelled", async () => {
    const seq = statusSequence(["cancelled"]);
    const error = (await client(seq.fetch).imports.waitFor(...ref, { interval: 5 }).catch((e: unknown) => e)) as ImportFailedError;
    expect(error).toBeInstanceOf(ImportFailedError);
    expect(error.status).toBe("cancelled");
  });

  it("honours the caller's signal, during a wait between polls", async () => {
    const seq = statusSequence(["in-progress"]);
    const controller = new AbortController();
    const started = Date.now();
    const error = await client(seq.fetch)
      .imports.waitFor(...ref, {
        interval: 60_000,
        signal: controller.signal,
        onProgress: () => setTimeout(() => controller.abort(), 20),
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(seq.polls).toHaveLength(1);
  });

  it("gives up after its overall timeout with the last run seen", async () => {
    const seq = statusSequence(["in-progress"]);
    const error = (await client(seq.fetch).imports.waitFor(...ref, { interval: 10, deadline: 200 }).catch((e: unknown) => e)) as WaitTimeoutError;
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error.lastSeen?.status).toBe("in-progress");
  });
});
