/**
 * What every high-level call returns, as Stainless SDKs do: a Promise that resolves to the parsed data, with
 * `.withResponse()` for the response beside it (status, headers, request id) when a caller needs more than the data.
 * The request starts at once, as with any promise; awaiting it twice does not send it twice.
 */

export interface WithResponse<T> {
  data: T;
  /** The HTTP response (its body already read into `data`). */
  response: Response;
  /** The server's request id (`x-request-id` and the like), for support tickets. */
  requestId: string | undefined;
}

const REQUEST_ID_HEADERS = ["x-request-id", "request-id", "x-correlation-id", "x-amzn-requestid", "cf-ray"];

export function requestIdOf(headers: Headers): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers.get(name);
    if (value) return value;
  }
  return undefined;
}

export class APIPromise<T> extends Promise<T> {
  readonly #result: Promise<{ data: T; response: Response }>;
  #data: Promise<T> | undefined;

  constructor(result: Promise<{ data: T; response: Response }>) {
    // The base promise is never used: `then` is overridden to read `#result`. Resolving it keeps it inert.
    super((resolve) => resolve(undefined as T));
    this.#result = result;
  }

  /** `then` on the subclass must not build another APIPromise through the species constructor. */
  static override get [Symbol.species]() {
    return Promise;
  }

  /** The data, the response and its request id. */
  async withResponse(): Promise<WithResponse<T>> {
    const { data, response } = await this.#result;
    return { data, response, requestId: requestIdOf(response.headers) };
  }

  /** The HTTP response alone (its body already read). */
  async asResponse(): Promise<Response> {
    return (await this.#result).response;
  }

  #parsed(): Promise<T> {
    return (this.#data ??= this.#result.then((r) => r.data));
  }

  override then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    // One reaction on the result, not one to pick the data and another for the caller (every `await` comes here).
    return this.#result.then((r) => (onfulfilled ? onfulfilled(r.data) : (r.data as unknown as R1)), onrejected);
  }

  override catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#parsed().catch(onrejected);
  }

  override finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#parsed().finally(onfinally);
  }
}
