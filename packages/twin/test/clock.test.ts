/**
 * Time under the test's control. `poll` (default): a life cycle moves one step per read of the resource, lists do
 * not move it. `manual`: nothing moves until `twin.advance(ms)`, then one step per `stepMs`; timestamps follow the
 * twin clock. No test here waits on the wall clock.
 */
import { describe, expect, it } from "vitest";
import { createTwin } from "@importkit/twin";

const START = Date.UTC(2026, 2, 12, 9, 0, 0);

describe("the twin clock", () => {
  it("manual: polls do not move a run; advance does, a step per stepMs, with timestamps on the twin clock", async () => {
    const twin = createTwin({ provider: "gitbook", clock: "manual", stepMs: 2_000, now: START });
    const headers = { authorization: `Bearer ${twin.credentials.token}`, "content-type": "application/json" };
    const org = `https://api.gitbook.com/v1/org/${twin.credentials.organizationId}/imports`;
    const run = await (
      await twin.fetch(org, { method: "POST", headers, body: JSON.stringify({ source: { type: "file", files: ["a.md"] }, target: { space: twin.credentials.spaceId } }) })
    ).json();
    expect(run.createdAt).toBe("2026-03-12T09:00:00.000Z");
    const status = async () => (await (await twin.fetch(`${org}/${run.id}`, { headers })).json()) as { status: string; startedAt?: string; completedAt?: string };
    for (let i = 0; i < 5; i++) expect((await status()).status).toBe("pending");
    twin.advance(1_999);
    expect((await status()).status).toBe("pending");
    twin.advance(1);
    expect(await status()).toMatchObject({ status: "in-progress", startedAt: "2026-03-12T09:00:02.000Z" });
    twin.advance(60_000);
    expect(await status()).toMatchObject({ status: "completed", completedAt: "2026-03-12T09:00:04.000Z" });
    expect(twin.now()).toBe(START + 62_000);
  });

  it("poll: one step per read of the resource; a list does not move it", async () => {
    const twin = createTwin({ provider: "document360" });
    const headers = { api_token: twin.credentials.apiToken, "content-type": "application/json" };
    const base = "https://apihub.document360.io/v2/Project/Export";
    const { id } = await (await twin.fetch(base, { method: "POST", headers, body: JSON.stringify({ entity: "Project" }) })).json();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await (await twin.fetch(`${base}/${id}`, { headers })).json()).status);
    expect(statuses).toEqual(["InProgress", "Completed", "Completed"]);

    const importio = createTwin({ provider: "importio" });
    const key = `_apikey=${importio.credentials.apiKey}`;
    const { crawlRunId } = await (await importio.fetch(`https://api.import.io/extractors/${importio.seeded.extractorId}/start?${key}`, { method: "POST" })).json();
    for (let i = 0; i < 3; i++) await importio.fetch(`https://api.import.io/crawlruns?${key}`);
    expect((await (await importio.fetch(`https://api.import.io/crawlruns/${crawlRunId}?${key}`)).json()).state).toBe("STARTED");
  });

  it("manual: a SharinPix import gets its image after one step", async () => {
    const twin = createTwin({ provider: "sharinpix", clock: "manual" });
    const { createHmac } = await import("node:crypto");
    const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const head = `${part({ typ: "JWT", alg: "HS256" })}.${part({ iss: twin.credentials.secretId, admin: true })}`;
    const authorization = `Token token="${head}.${createHmac("sha256", twin.credentials.secret).update(head).digest("base64url")}"`;
    const created = await (
      await twin.fetch(`${twin.baseUrl}/imports`, { method: "POST", headers: { authorization, "content-type": "application/json" }, body: JSON.stringify({ album_id: "a", url: "https://i.example.com/1.png" }) })
    ).json();
    const get = async () => (await (await twin.fetch(`${twin.baseUrl}/imports/${created.id}`, { headers: { authorization } })).json()).image_id;
    expect(await get()).toBeNull();
    twin.advance(1_000);
    expect(await get()).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses a bad clock, step or advance", () => {
    expect(() => createTwin({ provider: "gitbook", clock: "fast" as never })).toThrow(/clock must be "poll" or "manual"/);
    expect(() => createTwin({ provider: "gitbook", stepMs: 0 })).toThrow(/stepMs must be a positive number/);
    expect(() => createTwin({ provider: "gitbook", now: "yesterday" as never })).toThrow(/now must be a date/);
    expect(() => createTwin({ provider: "gitbook" }).advance(-1)).toThrow(/finite number of milliseconds/);
    expect(() => createTwin({ provider: "confluence" as never })).toThrow(/unknown provider "confluence". Known providers: gitbook, importio, document360, sharinpix/);
    expect(() => createTwin({ provider: "gitbook", baseUrl: "ftp://x" })).toThrow(/baseUrl must be http\(s\)/);
  });
});
