export * from "./errors.js";
export { Redactor, REDACTED, type RedactorOptions } from "./redact.js";
export { redactingLogger, type Logger, type LogLevel, type RedactingLogger } from "./logger.js";
export { sleep, anySignal } from "./signals.js";
export {
  createRetryingFetch,
  certainlyNotActed,
  retryDelayFromHeaders,
  backoffDelay,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  MAX_RETRY_DELAY_MS,
  type RequestExtras,
  type RetryingFetchOptions,
} from "./retry.js";
export {
  RateLimitBudget,
  epochResetPolicy,
  relativeResetPolicy,
  PROBE_PATIENCE_MS,
  type BudgetRelease,
  type RateLimitPolicy,
  type RateLimitReading,
} from "./rate-limit.js";
export {
  createApiClient,
  type ApiClient,
  type CommonClientOptions,
  type RequestOptions,
  type SaveToOptions,
  type ProviderDefinition,
  type ErrorDetails,
} from "./client.js";
export { paginate, PageIterable, DEFAULT_MAX_PAGES, type PaginateOptions } from "./paginate.js";
export { waitFor, DEFAULT_WAIT_TIMEOUT_MS, type WaitOptions, type PollSpec, type WaitState } from "./wait.js";
export { validateValue, validateCall, type Schema, type OperationSchema } from "./validate.js";
export { loadFileHelpers } from "./files.js";
