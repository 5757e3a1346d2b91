/**
 * Lists that page: one type for every list operation. Awaiting it gives the first page (`items`, `nextCursor`,
 * `getNextPage()`); `for await` walks every item across pages, fetching each page only when the previous one is used
 * up; `pages()` walks the pages. A list resumes from a cursor saved from an earlier page (`nextCursor`), passed back
 * as the operation's own page parameter. A list that never stops handing out cursors ends in a PaginationLimitError.
 * Nothing is sent until the list is awaited or iterated.
 */
import { PaginationLimitError } from "./errors.js";

export const DEFAULT_MAX_PAGES = 1_000;

export interface Page<Item, Body = unknown> {
  readonly items: Item[];
  /** The page's body as the API returned it (e.g. with its `next` / `previous` cursors). */
  readonly body: Body;
  /**
   * Pass this as the list's page parameter to resume right after this page (GitBook `page`, Import.io `_page`);
   * undefined on the last page.
   */
  readonly nextCursor: string | number | undefined;
  hasNextPage(): boolean;
  /** The next page; rejects with PaginationLimitError past `maxPages`. */
  getNextPage(): Promise<Page<Item, Body>>;
}

export interface ListSource<Item, Body> {
  /** Fetches the page at `cursor` (undefined: where the caller asked to start). */
  fetchPage(cursor: string | number | undefined): Promise<Body>;
  items(body: Body): Item[];
  /** The cursor of the page after `body`, or undefined when `body` is the last. */
  next(body: Body, cursor: string | number | undefined): string | number | undefined;
  maxPages: number;
  /** Names the list in the error, e.g. `listImportRuns`. */
  label: string;
}

export class ListPromise<Item, Body = unknown> implements PromiseLike<Page<Item, Body>>, AsyncIterable<Item> {
  readonly #source: ListSource<Item, Body>;
  /** Why the list can never be fetched (bad input): every way of reading it rejects with this. */
  readonly #refusal: Error | undefined;
  #first: Promise<Page<Item, Body>> | undefined;

  constructor(source: ListSource<Item, Body>, refusal?: Error) {
    this.#source = source;
    this.#refusal = refusal;
  }

  #page(cursor: string | number | undefined, count: number): Promise<Page<Item, Body>> {
    if (this.#refusal) return Promise.reject(this.#refusal);
    const source = this.#source;
    return source.fetchPage(cursor).then((body) => {
      const nextCursor = source.next(body, cursor);
      const page: Page<Item, Body> = {
        items: source.items(body),
        body,
        nextCursor,
        hasNextPage: () => nextCursor !== undefined,
        getNextPage: () => {
          if (nextCursor === undefined) return Promise.reject(new PaginationLimitError(`${source.label}: there is no page after the last one.`, { maxPages: source.maxPages }));
          if (count >= source.maxPages) return Promise.reject(this.#limit());
          return this.#page(nextCursor, count + 1);
        },
      };
      return page;
    });
  }

  #limit(): PaginationLimitError {
    const { label, maxPages } = this.#source;
    return new PaginationLimitError(
      `${label} still had more pages after ${maxPages} (the page cap); stopped to avoid an endless loop. Narrow the query or raise maxPages.`,
      { maxPages },
    );
  }

  then<R1 = Page<Item, Body>, R2 = never>(
    onfulfilled?: ((value: Page<Item, Body>) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return (this.#first ??= this.#page(undefined, 1)).then(onfulfilled, onrejected);
  }

  /** Page by page, as the API returns them. */
  pages(): AsyncIterable<Page<Item, Body>> {
    const list = this;
    return {
      async *[Symbol.asyncIterator]() {
        let page = await list.#page(undefined, 1);
        yield page;
        while (page.hasNextPage()) {
          page = await page.getNextPage();
          yield page;
        }
      },
    };
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Item> {
    for await (const page of this.pages()) yield* page.items;
  }

  /** Every item, in order. Mind the memory on long lists: prefer `for await`. */
  async toArray(): Promise<Item[]> {
    const all: Item[] = [];
    for await (const item of this) all.push(item);
    return all;
  }
}
