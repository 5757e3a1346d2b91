#!/usr/bin/env node
/**
 * The `importkit` command. Parses the command line (program.ts) and exits with the command's code: 0 ok, 1 API or
 * network failure, 2 usage, 3 the import failed, 130 interrupted (exit.ts).
 */
import { CommanderError } from "commander";
import { createProgram } from "./program.js";

const USAGE = 2;

async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // --help and --version end here with 0; everything else commander refuses is a usage error (it printed why).
    return error.code === "commander.helpDisplayed" || error.code === "commander.version" ? 0 : USAGE;
  }
  return typeof process.exitCode === "number" ? process.exitCode : 0;
}

/** Exits once stdout and stderr have taken everything written (a pipe may still hold it). */
function exit(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write("", done);
  process.stderr.write("", done);
}

main(process.argv.slice(2)).then(exit, (error: unknown) => {
  // Never reached by a command's own failure (runner.ts reports those): only a bug in the CLI gets here.
  process.stderr.write(`importkit: internal error: ${(error as Error)?.message ?? String(error)}\n`);
  exit(1);
});
