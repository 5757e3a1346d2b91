import { expect, it } from "vitest";
import { createTwin } from "@importkit/twin";
import { createGitBookClient, type GitBookClient } from "@importkit/gitbook";

// Your code: imports a website into a space and says how many pages it brought.
async function importWebsite(gitbook: GitBookClient, organizationId: string, space: string, url: string) {
  const run = await gitbook.imports.start({ organizationId, source: { type: "website", url }, target: { space } });
  const done = await gitbook.imports.waitFor(run.id, { organizationId }, { interval: 1 });
  return { id: done.id, pages: done.pages?.length ?? 0 };
}

it("imports a website and counts its pages", async () => {
  const twin = createTwin({ provider: "gitbook" });
  const { token, organizationId, spaceId } = twin.credentials;
  const gitbook = createGitBookClient({ token, fetch: twin.fetch }); // no port, no network

  const result = await importWebsite(gitbook, organizationId, spaceId, "https://docs.example.com/");

  expect(result.pages).toBe(4);
  // The run it started is the run it waited for, and the one the API lists.
  const listed = await gitbook.imports.list({ organizationId });
  expect(listed.items.map((run) => [run.id, run.status])).toEqual([[result.id, "completed"]]);
});
