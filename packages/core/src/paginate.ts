import { PaginationLimitError } from "./errors.js";

export const DEFAULT_MAX_PAGES = 1_000;

export interface PaginateOptions<TPage, TItem, TCursor> {
  /** Fetches one page; `cursor` is undefined for the first. */
  fetchPage(cursor: TCursor | undefined): Promise<TPage>;
  items(page: TPage): readonly TItem[];
  /** The cursor of the page after `page`, or undefined when `page` is the last. */
  next(page: TPage, cursor: TCursor | undefined): TCursor | undefined;
  /** Stop with PaginationLimitError after this many pages (default 1 000). */
  maxPages?: number;
  /** Names the list in the error, e.g. `gitbook.imports.list`. */
  label?: string;
}

/**
 * A lazily fetched list: `for await` walks every item across pages, fetching each page only when the
 * previous one is used up. A list that never stops handing out cursors ends in a PaginationLimitError.
 */
export class PageIterable<TItem, TPage = unknown> implements AsyncIterable<TItem> {
  readonly #pages: () => AsyncGenerator<TPage>;
  readonly #items: (page: TPage) => readonly TItem[];

  constructor(pages: () => AsyncGenerator<TPage>, items: (page: TPage) => readonly TItem[]) {
    this.#pages = pages;
    this.#items = items;
  }

  /** Page by page, as the API returns them. */
  pages(): AsyncIterable<TPage> {
    return { [Symbol.asyncIterator]: () => this.#pages() };
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<TItem> {
    for await (const page of this.#pages()) yield* this.#items(page);
  }

  /** Every item, in order. Mind the memory on long lists: prefer `for await`. */
  async toArray(): Promise<TItem[]> {
    const all: TItem[] = [];
    for await (const item of this) all.push(item);
    return all;
  }
}

export function paginate<TPage, TItem, TCursor>(options: PaginateOptions<TPage, TItem, TCursor>): PageIterable<TItem, TPage> {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  if (!Number.isInteger(maxPages) || maxPages < 1) {
    throw new RangeError(`maxPages must be a whole number of at least 1 (got ${String(maxPages)}).`);
  }
  async function* pages(): AsyncGenerator<TPage> {
    let cursor: TCursor | undefined;
    for (let count = 1; ; count++) {
      const page = await options.fetchPage(cursor);
      yield page;
      const next = options.next(page, cursor);
      if (next === undefined) return;
      if (count >= maxPages) {
        throw new PaginationLimitError(
          `${options.label ?? "The list"} still had more pages after ${maxPages} (the page cap); stopped to avoid an endless loop. ` +
            `Narrow the query or raise maxPages.`,
          { maxPages },
        );
      }
      cursor = next;
    }
  }
  return new PageIterable(pages, options.items);
}
