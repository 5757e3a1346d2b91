/**
 * @importkit/core: what every importkit client shares, as its users see it. Each provider package re-exports all of
 * this, so users import from the provider's package; this entry is the public API (the toolkit providers are built
 * with is `@importkit/core/internal`, which is not).
 */
export * from "./errors.js";
export { FileError } from "./file-error.js";
export { CheckpointLockedError, CheckpointDamagedError } from "./checkpoint.js";
export type { CommonClientOptions, RequestOptions, ValidationMode } from "./options.js";
export { DEFAULT_LOW_SPEED_LIMIT, DEFAULT_LOW_SPEED_TIME_MS } from "./low-speed.js";
export type { ListOptions } from "./client.js";
export type { Logger, LogLevel } from "./logger.js";
export { APIPromise, type WithResponse } from "./api-promise.js";
export { ListPromise, DEFAULT_MAX_PAGES, type Page } from "./list.js";
export { DownloadPromise, type ByteStream, type Download, type SaveToOptions } from "./download.js";
export type { SavedFile } from "./files.js";
export { DEFAULT_WAIT_DEADLINE_MS, type WaitForOptions } from "./poll.js";
export { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, MAX_RETRY_DELAY_MS, MAX_RETRIES_LIMIT } from "./retry-policy.js";
export { DEFAULT_MAX_RESPONSE_BYTES } from "./response-body.js";
