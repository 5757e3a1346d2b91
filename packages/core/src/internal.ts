/**
 * @importkit/core/internal: the toolkit the provider packages are built with. Not a public API: it changes with
 * the providers, in any release. Users import from a provider package (or `@importkit/core`).
 */
export { createApiClient, type ApiClient, type ProviderDefinition, type ErrorDetails, type WaitHow, type DownloadHow } from "./client.js";
export type { OperationTable, OperationSpec, OperationInput, OperationData, PageItem, PaginationRule, WaitRule, BodyEncoder, HttpMethod } from "./operation.js";
export { buildRequest, readPath, isJsonMediaType, isNdjsonMediaType, operationMatcher } from "./operation.js";
export type { OutgoingRequest, Transport, Call, Sent } from "./pipeline.js";
export { createPipeline } from "./pipeline.js";
export { Redactor, REDACTED, type RedactorOptions } from "./redact.js";
export { redactingLogger, type RedactingLogger } from "./logger.js";
export { RateLimitBudget, epochResetPolicy, relativeResetPolicy, PROBE_PATIENCE_MS, type RateLimitPolicy, type RateLimitReading } from "./rate-limit.js";
export { certainlyNotActed, retryDelayFromHeaders, backoffDelay, decideOnStatus, decideOnFailure } from "./retry-policy.js";
export { decideRedirect, MAX_REDIRECTS } from "./redirect-policy.js";
export { checkCredential, checkRequestOptions, checkBaseUrl, checkWhole, checkDuration, headerValueProblem, MAX_TIMER_MS } from "./options.js";
export { validateValue, validateCall, conforms, type Schema, type OperationSchema, type FoundIssue, type CallCheck } from "./validate.js";
export { pollUntilDone, stateOf, requestOptionsOf, type PollSpec } from "./poll.js";
export { sleep, anySignal, abortErrorFrom } from "./signals.js";
export { loadFileHelpers } from "./files.js";
export { refinedErrorInit } from "./refined-error.js";

/**
 * A provider re-exports an error class typed with its own resources, so that `error instanceof ImportFailedError`
 * in that package narrows `resource` (and `lastSeen`) to them: the same class at run time, a narrower type.
 */
export interface TypedErrorClass<E> {
  new (...args: never[]): E;
  readonly prototype: E;
}

// The one checkpointed batch runner (SharinPix's bulk import configures it) is `@importkit/core/batch`: an entry of
// its own, so the providers without bulk imports never load it. Its errors are public (and so here too).
export { CheckpointDamagedError, CheckpointLockedError } from "./checkpoint.js";
