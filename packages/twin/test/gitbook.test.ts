/**
 * The GitBook twin over plain fetch: a run's life cycle (pending → in-progress with pages → completed), failure with
 * a reason, cancel, list with real cursors, credentials, the documented rate limit, and Prism refusing bad requests.
 * Every answer is checked against the spec (spec-check.ts).
 */
import { afterEach, describe, expect, it } from "vitest";
import { createTwin, type Twin } from "@importkit/twin";
import { gitbookStatuses } from "../src/providers/gitbook.ts";
import { checked, checkedResponses, violations } from "./spec-check.ts";

const API = "https://api.gitbook.com/v1";
let twin: Twin<"gitbook">;

function client(t: Twin<"gitbook">) {
  const f = checked(t);
  const headers = { authorization: `Bearer ${t.credentials.token}`, "content-type": "application/json" };
  const org = `${API}/org/${t.credentials.organizationId}`;
  return {
    start: (body: unknown = { source: { type: "website", url: "https://docs.example.com/" }, target: { space: t.credentials.spaceId } }) =>
      f(`${org}/imports`, { method: "POST", headers, body: JSON.stringify(body) }),
    get: (id: string) => f(`${org}/imports/${id}`, { headers }),
    cancel: (id: string) => f(`${org}/imports/${id}/cancel`, { method: "POST", headers }),
    list: (query = "") => f(`${org}/imports${query}`, { headers }),
    raw: f,
  };
}

afterEach(() => {
  expect(violations(twin)).toEqual([]);
});

describe("GitBook twin", () => {
  it("walks a website import through pending, in-progress with pages appearing, to completed", async () => {
    twin = createTwin({ provider: "gitbook" });
    const api = client(twin);
    const started = await api.start();
    expect(started.status).toBe(201);
    const run = await started.json();
    expect(run).toMatchObject({ object: "import-run", status: "pending", source: { type: "website" } });
    expect(run.urls.location).toBe(`${twin.baseUrl}/org/${twin.credentials.organizationId}/imports/${run.id}`);

    const seen: string[] = [];
    let current = run;
    while (!["completed", "failed", "cancelled"].includes(current.status)) {
      current = await (await api.get(run.id)).json();
      seen.push(`${current.status}:${(current.pages ?? []).map((p: { status: string }) => p.status[0]).join("")}`);
    }
    expect(seen).toEqual(["in-progress:p", "in-progress:cp", "in-progress:ccp", "in-progress:cccp", "completed:cccc"]);
    expect(current.id).toBe(run.id);
    expect(current.completedAt).toBeDefined();
    // The run's own URL (the twin's base URL) answers too, as does the bare path on the twin's origin.
    expect((await api.raw(run.urls.location, { headers: { authorization: `Bearer ${twin.credentials.token}` } })).status).toBe(200);
    expect(checkedResponses(twin)).toBeGreaterThanOrEqual(7);
  });

  it("fails a run with the reason the test gives, and the next one started when asked before", async () => {
    twin = createTwin({ provider: "gitbook" });
    const api = client(twin);
    const run = await (await api.start()).json();
    await api.get(run.id);
    twin.failImport(run.id, "The website answered 503.");
    const failed = await (await api.get(run.id)).json();
    expect(failed).toMatchObject({ status: "failed", reason: "The website answered 503." });

    twin.failNextImport("Too many pages.");
    const next = await (await api.start()).json();
    expect(await (await api.get(next.id)).json()).toMatchObject({ status: "failed", reason: "Too many pages." });
    expect(() => twin.failImport("nope", "x")).toThrow(/no import "nope"/);
  });

  it("cancels an active run; cancelling a finished one is a documented 400", async () => {
    twin = createTwin({ provider: "gitbook" });
    const api = client(twin);
    const run = await (await api.start({ source: { type: "file", files: ["uploads/a.md"] }, target: { space: twin.credentials.spaceId } })).json();
    const cancelled = await api.cancel(run.id);
    expect(cancelled.status).toBe(200);
    expect((await cancelled.json()).status).toBe("cancelled");
    expect((await (await api.get(run.id)).json()).status).toBe("cancelled");
    const again = await api.cancel(run.id);
    expect(again.status).toBe(400);
    expect((await again.json()).error.message).toMatch(/already cancelled/);
    expect((await api.get("unknownRun")).status).toBe(404);
  });

  it("lists the runs actually started, newest first, with next.page cursors that end", async () => {
    twin = createTwin({ provider: "gitbook" });
    const api = client(twin);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await (await api.start()).json()).id);
    const seen: string[] = [];
    let query = "?limit=2";
    let pages = 0;
    for (;;) {
      const page = await (await api.list(query)).json();
      pages++;
      expect(page.count).toBe(5);
      seen.push(...page.items.map((r: { id: string }) => r.id));
      if (!page.next) break;
      query = `?limit=2&page=${encodeURIComponent(page.next.page)}`;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    // Filters and a bad cursor.
    await api.cancel(ids[0]!);
    expect((await (await api.list("?status=cancelled")).json()).items.map((r: { id: string }) => r.id)).toEqual([ids[0]]);
    expect((await (await api.list("?status=active")).json()).count).toBe(4);
    expect((await api.list("?page=garbage")).status).toBe(400);
    // Seeded runs appear like started ones.
    twin.seed.importRun({ status: "failed", reason: "Seeded failure" });
    expect((await (await api.list("?status=failed")).json()).items[0]).toMatchObject({ status: "failed", reason: "Seeded failure" });
  });

  it("walks through every run status the spec lists", async () => {
    twin = createTwin({ provider: "gitbook" });
    const api = client(twin);
    const seen = new Set<string>();
    const done = await (await api.start()).json();
    seen.add(done.status);
    for (let i = 0; i < 6; i++) seen.add((await (await api.get(done.id)).json()).status);
    twin.failNextImport();
    const failing = await (await api.start()).json();
    seen.add((await (await api.get(failing.id)).json()).status);
    const cancelled = await (await api.start()).json();
    seen.add((await (await api.cancel(cancelled.id)).json()).status);
    expect([...seen].sort()).toEqual(gitbookStatuses().sort());
  });

  it("takes only its Bearer token, in the documented envelope otherwise", async () => {
    twin = createTwin({ provider: "gitbook", credentials: { token: "my-token", organizationId: "myOrg", spaceId: "mySpace" } });
    expect(twin.credentials).toEqual({ token: "my-token", organizationId: "myOrg", spaceId: "mySpace" });
    const f = checked(twin);
    const none = await f(`${API}/org/myOrg/imports`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: { code: 401, message: "You must be authenticated to access this resource" } });
    const wrong = await f(`${API}/org/myOrg/imports`, { headers: { authorization: "Bearer other" } });
    expect(wrong.status).toBe(401);
    const ok = await f(`${API}/org/myOrg/imports`, { headers: { authorization: "Bearer my-token" } });
    expect(ok.status).toBe(200);
    expect((await f(`${API}/org/otherOrg/imports`, { headers: { authorization: "Bearer my-token" } })).status).toBe(404);
    // Nothing leaves for the network: an address the twin does not answer is refused before any request.
    await expect(twin.fetch("https://example.com/v1/org/myOrg/imports")).rejects.toThrow(/not an address of the gitbook twin/);
  });

  it("counts X-RateLimit-Remaining down, answers 429 with the documented headers when spent, and resets with the window", async () => {
    twin = createTwin({ provider: "gitbook", rateLimit: { limit: 3 } });
    const api = client(twin);
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await api.list();
      expect(r.status).toBe(200);
      remaining.push(r.headers.get("x-ratelimit-remaining")!);
      expect(r.headers.get("x-ratelimit-limit")).toBe("3");
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const refused = await api.list();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");
    const reset = Number(refused.headers.get("x-ratelimit-reset"));
    // UTC epoch seconds, the end of the window the first request opened.
    expect(reset).toBe(Math.ceil((twin.requests[0]!.at + 60_000) / 1000));
    expect((await refused.json()).error.code).toBe(429);
    twin.advance(60_000);
    expect((await api.list()).headers.get("x-ratelimit-remaining")).toBe("2");
  });

  it("refuses a request the spec refuses (Prism's validator), in GitBook's 400 envelope", async () => {
    twin = createTwin({ provider: "gitbook" });
    expect(await twin.ready()).toBe("prism");
    const api = client(twin);
    const refused = await api.start({ source: { type: "website" }, target: {} });
    expect(refused.status).toBe(400);
    const body = await refused.json();
    expect(body.error.code).toBe(400);
    expect(body.error.message).toMatch(/must have required property 'url'/);
    expect(twin.requests.at(-1)!.violations!.length).toBeGreaterThan(0);
    expect((await api.list("?limit=5000")).status).toBe(400);
    // Off: the twin's own checks remain (an unknown space is a 404).
    const lax = createTwin({ provider: "gitbook", validateRequests: false });
    expect(await lax.ready()).toBe("none");
  });
});
