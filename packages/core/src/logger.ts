import type { Redactor } from "./redact.js";

/** Any console-like logger. Messages reach it already redacted. */
export interface Logger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
  error?(message: string, fields?: Record<string, unknown>): void;
}

export type LogLevel = "debug" | "info" | "warn" | "error";

export type RedactingLogger = Required<Logger> & {
  /** Whether a level reaches a sink: lets hot paths skip building (and redacting) messages nobody reads. */
  enabled(level: LogLevel): boolean;
};

/** A logger whose every message and field goes through the redactor first. Never throws. */
export function redactingLogger(logger: Logger | undefined, redactor: Redactor): RedactingLogger {
  const emit = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    const sink = logger?.[level];
    if (!sink) return;
    try {
      sink.call(logger, redactor.text(message), fields === undefined ? undefined : redactor.value(fields));
    } catch {
      // A broken logger must never break a request.
    }
  };
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    enabled: (level) => typeof logger?.[level] === "function",
  };
}
