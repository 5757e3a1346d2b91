/**
 * Runs one leaf command: a session (output flags, redactor, Ctrl-C signal), the handler, and the exit code its
 * outcome maps to (exit.ts). Errors are printed here, once: the message (already redacted by the client, and again
 * by the session) on stderr, and with `--json` also as the JSON result on stdout.
 */
import type { Command } from "commander";
import { ApiError, AuthenticationError, ConnectionError, NotFoundError } from "@importkit/core";
import { EXIT, errorJson, exitCodeFor, UsageError } from "./exit.js";
import { trapInterrupts } from "./interrupts.js";
import { Session, type Io } from "./session.js";

export interface RunContext {
  /** The command's arguments, as declared (variadic ones as arrays). */
  args: unknown[];
  options: Record<string, any>;
  session: Session;
  command: Command;
}

/** A command's implementation; resolves to its exit code (0 when nothing is returned). */
export type Handler = (context: RunContext) => Promise<number | void>;

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

export async function execute(command: Command, load: () => Promise<Handler>, io: Io = processIo()): Promise<number> {
  const options = command.opts();
  let session: Session | undefined;
  const trap = trapInterrupts(() => session?.note("stopping… (press Ctrl-C again to quit at once)"));
  session = new Session(io, options, trap.signal);
  try {
    const handler = await load();
    return (await handler({ args: command.processedArgs, options, session, command })) ?? EXIT.ok;
  } catch (error) {
    // Whatever a request says once Ctrl-C aborted it, the command was interrupted.
    const code = trap.signal.aborted && !(error instanceof UsageError) ? EXIT.interrupted : exitCodeFor(error);
    report(session, error, code);
    return code;
  } finally {
    trap.dispose();
  }
}

function report(session: Session, error: unknown, code: number): void {
  if (session.json && !session.resultPrinted) session.io.stdout.write(`${JSON.stringify(session.redactor.value(errorJson(error, code)), null, 2)}\n`);
  if (code === EXIT.interrupted) {
    session.error("interrupted");
    return;
  }
  const message = (error as Error | undefined)?.message ?? String(error);
  session.error(`${message}${hint(error)}`);
  // Not one of ours: a bug. The stack (redacted) says where, with --verbose.
  if (!(error instanceof Error) || error.constructor === Error || error instanceof TypeError || error instanceof RangeError) {
    session.debug((error as Error)?.stack ?? "");
  }
}

function hint(error: unknown): string {
  if (error instanceof AuthenticationError) return "\n  (check the credential: its environment variable, or --credentials-file)";
  if (error instanceof NotFoundError) return "\n  (check the id; with --mock the twin holds only its seeded resources and what this command created)";
  if (error instanceof ConnectionError) return "\n  (check the network, or --base-url)";
  if (error instanceof ApiError && error.requestId) return `\n  (request id ${error.requestId})`;
  return "";
}
