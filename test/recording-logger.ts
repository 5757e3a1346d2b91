/** A logger that keeps every line (level, message, fields), for tests that scan logs for secrets or retries. */
export function recordingLogger() {
  const lines: string[] = [];
  const record = (level: string) => (message: string, fields?: unknown) => {
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  };
  return { lines, logger: { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") } };
}
