import { afterAll, beforeAll, expect, it } from "vitest";
import { startMockServer, type MockServer } from "@importkit/mock";
import { createGitBookClient } from "@importkit/gitbook";

// Prism, in process, from the curated spec: it refuses a request the spec does not allow (the client then throws)
// and answers with the spec's examples. A contract test of the requests your code sends.
let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ provider: "gitbook" });
});
afterAll(() => mock.close());

it("starts an import the spec accepts", async () => {
  const gitbook = createGitBookClient({ token: "any-token", baseUrl: mock.url });

  const run = await gitbook.imports.start({
    organizationId: "kP3nW8xQ2tYv6Rb0Lm4Z",
    source: { type: "website", url: "https://docs.example.com/" },
    target: { space: "Sd7fG2hJ9kLq4Wx1Zc8V" },
  });

  expect(run.status).toBe("pending");
});
