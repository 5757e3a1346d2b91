/**
 * Where each provider's credential comes from: an environment variable, or `--credentials-file PATH` (`-` reads
 * stdin), so it never has to be typed on a command line (where `ps` and shell history would keep it). It is never
 * printed: the session registers it with its redactor before any request is made.
 */
import { readFile } from "node:fs/promises";
import { UsageError } from "./exit.js";
import { CREDENTIALS, type Provider } from "./providers.js";
import type { Io } from "./session.js";

export async function readCredential(provider: Provider, file: string | undefined, io: Io): Promise<string> {
  const { env, what } = CREDENTIALS[provider];
  let value: string | undefined;
  if (file !== undefined) {
    try {
      value = file === "-" ? await readAll(io.stdin) : await readFile(file, "utf8");
    } catch (error) {
      // The path is the user's own; the content is never quoted.
      throw new UsageError(`cannot read --credentials-file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    value = value.trim();
    if (value === "") throw new UsageError(`--credentials-file ${file === "-" ? "- (stdin)" : file} is empty; it should hold ${what}`);
  } else {
    value = io.env[env]?.trim();
    if (!value) throw new UsageError(`no credential: set ${env} to ${what}, pass --credentials-file PATH (- for stdin), or try --mock`);
  }
  return value;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  stream.setEncoding("utf8");
  for await (const chunk of stream) text += chunk as string;
  return text;
}
