/**
 * Streaming a finished export's zip from its `download_url`. That URL is on another host than the API (a
 * storage link), so the request goes through a retrying fetch of its own that never adds the api_token.
 */
import {
  apiErrorClassFor,
  createRetryingFetch,
  ImportkitError,
  loadFileHelpers,
  InvalidResponseError,
  RateLimitError,
  retryDelayFromHeaders,
  type ApiClient,
  type ApiError,
  type CommonClientOptions,
  type RequestExtras,
  type RequestOptions,
} from "@importkit/core";
import type { SavedFile, SaveOptions } from "@importkit/core/node";

export const DOWNLOAD_OPERATION = "downloadExport";

/** A finished export's zip, as a stream. Read `body` or call `saveTo` once. */
export interface ExportDownload {
  /** The zip's bytes, streamed (never buffered); the client's `timeout` applies between chunks. */
  body: ReadableStream<Uint8Array>;
  /** The URL it came from, with secret query parameters (signatures) redacted. */
  url: string;
  contentType: string | null;
  /** From Content-Length, when the server sent one. */
  contentLength: number | undefined;
  /**
   * Writes the zip to `path` (Node, Bun, Deno): to a temporary file first, renamed into place only once every
   * byte arrived, so a failed download never leaves a truncated zip behind.
   */
  saveTo(path: string, options?: SaveOptions): Promise<SavedFile>;
}

type DownloadFetchOptions = Pick<CommonClientOptions, "fetch" | "maxRetries" | "timeout" | "signal"> & { userAgent: string };

const MAX_SNIPPET_CHARS = 300;

type DownloadApi = Pick<ApiClient<{}>, "redactor" | "logger" | "streamInit">;

export function createExportDownloader(api: DownloadApi, options: DownloadFetchOptions) {
  // No `authorize` and no client-wide headers: both are for the API host, and the storage host must never see
  // the api_token. No rate-limit budget either: the per-token limit does not count these requests.
  const retrying = createRetryingFetch({
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    redactor: api.redactor,
    logger: api.logger,
  });

  /** `extras.transport`: what to download with instead of the client's fetch (exports.saveTo passes Node's http). */
  return async function streamZip(downloadUrl: URL, requestOptions: RequestOptions = {}, extras: RequestExtras = {}): Promise<ExportDownload> {
    const request = new Request(downloadUrl, {
      headers: { "User-Agent": options.userAgent, ...requestOptions.headers },
      ...(requestOptions.signal ? { signal: requestOptions.signal } : {}),
    });
    // streamInit carries the per-request settings (stream, timeout, maxRetries) in the keys openapi-fetch copies
    // onto its Request; copying them the same way reuses core's retrying fetch unchanged.
    const { parseAs: _parseAs, signal: _signal, headers: _headers, ...carried } = api.streamInit(requestOptions, { ...extras, operation: DOWNLOAD_OPERATION });
    Object.assign(request, carried);

    const response = await retrying(request);
    const url = api.redactor.url(downloadUrl);
    if (!response.ok) throw downloadError(api, response, url, await response.text().catch(() => ""));
    if (!response.body) {
      throw new InvalidResponseError(`${DOWNLOAD_OPERATION} (GET ${url}) answered ${response.status} with no body.`, {
        status: response.status,
        operation: DOWNLOAD_OPERATION,
        request: { method: "GET", url },
      });
    }
    const body = response.body;
    const length = Number(response.headers.get("content-length"));
    let saving = false;
    return {
      body,
      url,
      contentType: response.headers.get("content-type"),
      contentLength: Number.isFinite(length) && response.headers.has("content-length") ? length : undefined,
      async saveTo(path, saveOptions) {
        if (saving || body.locked) throw new ImportkitError("This export download was already read; call exports.download() again to save it.");
        saving = true;
        // Loaded on demand so that browser bundles of download() never pull in node:fs.
        const { saveStream } = await loadFileHelpers("saveTo");
        return saveStream(body, path, saveOptions);
      },
    };
  };
}

function downloadError(api: DownloadApi, response: Response, url: string, text: string): ApiError {
  const snippet = api.redactor.text(bodySnippet(text)) || response.statusText || "no details given";
  const ErrorClass = apiErrorClassFor(response.status);
  const init = {
    status: response.status,
    message: `${DOWNLOAD_OPERATION} (GET ${url}) failed with ${response.status}: ${snippet}`,
    body: api.redactor.text(text.slice(0, 64 * 1024)),
    headers: api.redactor.headers(response.headers),
    operation: DOWNLOAD_OPERATION,
    request: { method: "GET", url },
  };
  return ErrorClass === RateLimitError
    ? new RateLimitError({ ...init, retryAfterMs: retryDelayFromHeaders(response.headers) })
    : new ErrorClass(init);
}

// Storage hosts answer errors in HTML or XML (`<Error><Code>AuthenticationFailed</Code>…`): keep the gist.
function bodySnippet(text: string): string {
  const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1];
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  const gist = (title ?? code ?? text).replace(/\s+/g, " ").trim();
  return gist.length > MAX_SNIPPET_CHARS ? `${gist.slice(0, MAX_SNIPPET_CHARS)}…` : gist;
}
