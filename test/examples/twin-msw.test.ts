import { setupServer } from "msw/node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTwin } from "@importkit/twin";
import { twinHandlers } from "@importkit/twin/msw";
import { createImportIoClient } from "@importkit/importio";

const importio = createTwin({ provider: "importio" });
const server = setupServer(...twinHandlers(importio));
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

// Your code: no `fetch` option, so it calls https://api.import.io with the global fetch, which MSW intercepts.
async function scrapeUrls(apiKey: string, extractorId: string): Promise<string[]> {
  const client = createImportIoClient({ apiKey });
  const run = await client.extractors.startAndWait(extractorId, { interval: 1 });
  const urls: string[] = [];
  for await (const row of client.crawlRuns.rows(run.guid!)) if (row.url) urls.push(row.url);
  return urls;
}

it("runs the extractor and reads its rows", async () => {
  const urls = await scrapeUrls(importio.credentials.apiKey, importio.seeded.extractorId);
  expect(urls).toEqual(["https://shop.example.com/p/1001", "https://shop.example.com/p/1002", "https://shop.example.com/p/1003"]);
});
