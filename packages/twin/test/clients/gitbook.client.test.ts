/**
 * The GitBook client against its twin, with nothing but `fetch: twin.fetch` (no baseUrl, no port). Client-level
 * tests are kept to this file per provider; the twins themselves are tested over plain HTTP.
 */
import { describe, expect, it } from "vitest";
import { createTwin } from "@importkit/twin";
import { createGitBookClient, ImportFailedError } from "@importkit/gitbook";

const fast = { interval: 1, maxInterval: 1 };

describe("GitBook client ↔ twin", () => {
  it("starts a run and waits for that same run to complete; list ends", async () => {
    const twin = createTwin({ provider: "gitbook" });
    const { token, organizationId, spaceId } = twin.credentials;
    const gitbook = createGitBookClient({ token, fetch: twin.fetch });
    const started = await gitbook.imports.start({ organizationId, source: { type: "website", url: "https://docs.example.com/" }, target: { space: spaceId } });
    const done = await gitbook.imports.waitFor(started.id, { organizationId }, fast);
    expect(done).toMatchObject({ id: started.id, status: "completed" });
    const listed = [];
    for await (const run of gitbook.imports.list({ organizationId })) listed.push(run.id);
    expect(listed).toEqual([started.id]);
  });

  it("reports a failed run with the twin's reason, and retries through injected 429s (the README's scenario)", async () => {
    const twin = createTwin({ provider: "gitbook" });
    const { token, organizationId, spaceId } = twin.credentials;
    const gitbook = createGitBookClient({ token, fetch: twin.fetch });
    twin.failNextImport("The website could not be reached.");
    twin.failNext("getImportRun", { status: 429, retryAfter: 0 }, 2);
    const started = await gitbook.imports.start({ organizationId, source: { type: "website", url: "https://docs.example.com/" }, target: { space: spaceId } });
    const failure = await gitbook.imports.waitFor(started.id, { organizationId }, fast).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ImportFailedError);
    expect((failure as Error).message).toContain("The website could not be reached.");
    expect(twin.requests.filter((r) => r.operationId === "getImportRun").map((r) => r.status)).toEqual([429, 429, 200]);
  });
});
