import { expect, it } from "vitest";
import { createTwin } from "@importkit/twin";
import { createGitBookClient, ImportFailedError } from "@importkit/gitbook";

it("retries through rate limits, then reports the import's failure", async () => {
  const twin = createTwin({ provider: "gitbook" });
  const { token, organizationId, spaceId } = twin.credentials;
  const gitbook = createGitBookClient({ token, fetch: twin.fetch });
  twin.failNext("getImportRun", { status: 429, retryAfter: 0 }, 2); // the next two polls are refused
  twin.failNextImport("The website could not be reached."); // the next run started fails

  const run = await gitbook.imports.start({ organizationId, source: { type: "website", url: "https://docs.example.com/" }, target: { space: spaceId } });
  const failure = await gitbook.imports.waitFor(run.id, { organizationId }, { interval: 1 }).catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(ImportFailedError);
  expect(failure).toMatchObject({ status: "failed", reason: "The website could not be reached." });
  // What the twin received: two refused polls, retried by the client, then the answer.
  expect(twin.requests.filter((r) => r.operationId === "getImportRun").map((r) => r.status)).toEqual([429, 429, 200]);
});
