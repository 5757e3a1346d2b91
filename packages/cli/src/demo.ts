/**
 * `importkit demo`: a GitBook import, end to end, against the embedded mock server (no account, no network).
 * start → waitFor with visible progress → the finished run.
 */
import { createGitBookClient, type ImportRun } from "@importkit/gitbook";
import { startMockServer } from "@importkit/mock";
import { progressView } from "./progress.js";

/**
 * A mock serves fixed examples, so on its own every poll would say `completed` at once. The demo asks it for
 * the spec's named examples in the order a real run goes through them (Prism's `Prefer: example=`).
 */
function scriptedRunFetch(statuses: string[]): typeof fetch {
  let polls = 0;
  return (input, init) => {
    const request = new Request(input, init);
    if (request.method !== "GET") return fetch(request);
    const status = statuses[Math.min(polls++, statuses.length - 1)]!;
    const headers = new Headers(request.headers);
    headers.set("Prefer", `example=${status}`);
    return fetch(new Request(request, { headers }));
  };
}

const STAGES = ["pending", "in-progress", "completed"] as const;

export async function runDemo(out: NodeJS.WriteStream = process.stdout): Promise<ImportRun> {
  const mock = await startMockServer({ provider: "gitbook" });
  try {
    out.write(`GitBook mock server (Prism, from specs/gitbook/openapi.yaml): ${mock.url}\n`);
    const gitbook = createGitBookClient({
      token: "demo-token",
      baseUrl: mock.url,
      fetch: scriptedRunFetch(["pending", "in-progress", "in-progress", "completed"]),
    });
    const organizationId = "kP3nW8xQ2tYv6Rb0Lm4Z";
    const run = await gitbook.imports.start({
      organizationId,
      source: { type: "website", url: "https://docs.example.com/" },
      target: { space: "Sd7fG2hJ9kLq4Wx1Zc8V" },
    });
    out.write(`started import run ${run.id} (${run.status})\n`);

    const view = progressView();
    const done = await gitbook.imports.waitFor(
      run.id,
      { organizationId },
      {
        interval: 400,
        deadline: 60_000,
        onProgress: (current, { polls }) => {
          const pages = current.pages ?? [];
          const complete = pages.filter((p) => p.status === "complete").length;
          const stage = Math.max(0, STAGES.indexOf(current.status as (typeof STAGES)[number]));
          view.update(stage + 1, STAGES.length, `${current.status}${pages.length ? `, ${complete}/${pages.length} pages` : ""} (poll ${polls})`);
        },
      },
    );
    view.stop();
    out.write(`\nfinished import run:\n${JSON.stringify(done, null, 2)}\n`);
    return done;
  } finally {
    await mock.close();
  }
}
