import type { ApiError, ApiErrorInit } from "./errors.js";

/**
 * What a provider needs to re-raise `from` as a more precise class (Document360's export cap, Import.io's busy
 * extractor): every field of the answer kept, the message replaced.
 */
export function refinedErrorInit(from: ApiError, message: string): ApiErrorInit {
  const { status, code, requestId, body, headers, operation, request } = from;
  return { status, message, code, requestId, body, headers, operation, request, cause: from.cause };
}
