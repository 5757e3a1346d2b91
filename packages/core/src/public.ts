/**
 * What every provider package re-exports for its users, in one place: the error hierarchy and the option
 * types its methods take. `export * from "@importkit/core/public"` keeps the four packages in step.
 */
export * from "./errors.js";
export type { CommonClientOptions, RequestOptions } from "./client.js";
export type { Logger, LogLevel } from "./logger.js";
export type { WaitOptions } from "./wait.js";
export type { PageIterable } from "./paginate.js";
