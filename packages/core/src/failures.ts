/** What a transport's failure says: its system error code, a safe copy to keep as `cause`, a plain description. */
import type { Redactor } from "./redact.js";

/** The system error code behind a fetch failure (undici nests it in `cause`). */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A copy of an error safe to keep as `cause`: redacted message and stack, no foreign properties. */
export function safeCause(error: unknown, redactor: Redactor, depth = 0): Error | undefined {
  if (!(error instanceof Error) || depth > 4) return undefined;
  const copy = new Error(redactor.cut(error.message, 1000), {
    cause: safeCause((error as { cause?: unknown }).cause, redactor, depth + 1),
  });
  copy.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") Object.assign(copy, { code });
  copy.stack = error.stack ? redactor.cut(error.stack, 4000) : copy.stack;
  return copy;
}

export function describeConnectionFailure(error: unknown, code: string | undefined, redactor: Redactor): string {
  switch (code) {
    case "ECONNREFUSED":
      return "the connection was refused";
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return "the connection was reset";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "the host name could not be resolved";
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return message === "terminated" ? "the connection closed before the response was complete" : redactor.cut(message, 300);
    }
  }
}

