// `list`: both pagination styles of the table, awaitable (first page) and async-iterable, resumable, capped.
import { describe, expect, expectTypeOf, it } from "vitest";
import { InvalidResponseError, ListPromise, PaginationLimitError, ValidationError, type Page } from "@importkit/core";
import { json, recordedFetch, testClient, type Thing } from "./test-api.ts";

const things = (n: number, from = 0): Thing[] => Array.from({ length: n }, (_, i) => ({ id: `t${from + i}`, status: "done" }));

/** Three cursor pages: 2 + 2 + 1 items. */
function cursorServer() {
  return recordedFetch((request) => {
    const cursor = new URL(request.url).searchParams.get("cursor");
    if (!cursor) return json({ items: things(2), next: { cursor: "c2" } });
    if (cursor === "c2") return json({ items: things(2, 2), next: { cursor: "c3" } });
    return json({ items: things(1, 4) });
  });
}

describe("list (cursor pages)", () => {
  it("sends nothing until awaited or iterated", async () => {
    const recorded = cursorServer();
    const list = testClient(recorded.fetch).list("listThings", { query: { status: "done" } });
    expect(list).toBeInstanceOf(ListPromise);
    await Promise.resolve();
    expect(recorded.requests).toHaveLength(0);
  });

  it("awaited, it is the first page: items, the body, the cursor of the next, and getNextPage()", async () => {
    const recorded = cursorServer();
    const page = await testClient(recorded.fetch).list("listThings", { query: { status: "done" } });
    expectTypeOf(page).toEqualTypeOf<Page<Thing, { items: Thing[]; next?: { cursor: string } }>>();
    expect(page.items.map((t) => t.id)).toEqual(["t0", "t1"]);
    expect(page.nextCursor).toBe("c2");
    expect(page.hasNextPage()).toBe(true);
    const second = await page.getNextPage();
    expect(second.items.map((t) => t.id)).toEqual(["t2", "t3"]);
    expect(recorded.requests.map((r) => new URL(r.url).search)).toEqual(["?status=done", "?status=done&cursor=c2"]);
  });

  it("for await walks every item across pages; pages() walks the pages", async () => {
    const recorded = cursorServer();
    const api = testClient(recorded.fetch);
    const ids: string[] = [];
    for await (const item of api.list("listThings", {})) ids.push(item.id);
    expect(ids).toEqual(["t0", "t1", "t2", "t3", "t4"]);
    const sizes: number[] = [];
    for await (const page of api.list("listThings", {}).pages()) sizes.push(page.items.length);
    expect(sizes).toEqual([2, 2, 1]);
    expect(await api.list("listThings", {}).toArray()).toHaveLength(5);
  });

  it("resumes from a saved cursor, passed back as the page parameter", async () => {
    const recorded = cursorServer();
    const api = testClient(recorded.fetch);
    const saved = (await api.list("listThings", {})).nextCursor as string;
    const rest = await api.list("listThings", { query: { cursor: saved } }).toArray();
    expect(rest.map((t) => t.id)).toEqual(["t2", "t3", "t4"]);
  });

  it("stops with PaginationLimitError after maxPages when the cursor never ends", async () => {
    const recorded = recordedFetch((_r, i) => json({ items: things(1, i), next: { cursor: `c${i + 1}` } }));
    const seen: string[] = [];
    const error = await (async () => {
      for await (const item of testClient(recorded.fetch).list("listThings", {}, { maxPages: 3 })) seen.push(item.id);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaginationLimitError);
    expect((error as Error).message).toMatch(/listThings still had more pages after 3 \(the page cap\)/);
    expect(seen).toEqual(["t0", "t1", "t2"]);
    expect(recorded.requests).toHaveLength(3);
  });

  it.each([0, -1, 1.5, Number.NaN, "2"])("maxPages %p is a ValidationError naming maxPages, on await and on iteration alike", async (maxPages) => {
    const recorded = cursorServer();
    const list = testClient(recorded.fetch).list("listThings", {}, { maxPages: maxPages as number });
    await expect(list).rejects.toBeInstanceOf(ValidationError);
    await expect(list).rejects.toThrow(/maxPages/);
    await expect(list.toArray()).rejects.toBeInstanceOf(ValidationError);
    expect(recorded.requests).toHaveLength(0);
  });

  it("a page without its items array is an InvalidResponseError", async () => {
    const recorded = recordedFetch(() => json({ things: [] }));
    await expect(testClient(recorded.fetch).list("listThings", {})).rejects.toBeInstanceOf(InvalidResponseError);
  });
});

describe("list (numbered pages)", () => {
  it("counts pages from the start until a page comes back empty", async () => {
    const recorded = recordedFetch((request) => {
      const page = Number(new URL(request.url).searchParams.get("page"));
      return json(page <= 2 ? things(3, (page - 1) * 3) : []);
    });
    const all = await testClient(recorded.fetch).list("listPages", {}).toArray();
    expect(all).toHaveLength(6);
    expect(recorded.requests.map((r) => new URL(r.url).searchParams.get("page"))).toEqual(["1", "2", "3"]);
  });

  it("starts from the page asked for", async () => {
    const recorded = recordedFetch((request) => json(Number(new URL(request.url).searchParams.get("page")) === 2 ? things(1) : []));
    const first = await testClient(recorded.fetch).list("listPages", { query: { page: 2 } });
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).toBe(3);
  });
});
