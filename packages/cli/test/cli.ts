/**
 * Runs `importkit` as users run it: the built command (`node packages/cli/dist/bin.js …`, built by the project's
 * global setup, build-setup.ts) in a child process of its own, with stdout and stderr as pipes
 * (so progress comes as plain lines) and no credential in its environment unless the test gives one.
 *
 * `startCli` returns the running process: tests wait for a line it prints (`waitFor`) before they act — never for a
 * fixed time — and every child still running when a test ends is killed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

export const root = fileURLToPath(new URL("../../..", import.meta.url));
// The built command, not the sources through tsx: what ships, and ~0.2–0.5 s less per run (no transform).
const bin = join(root, "packages", "cli", "dist", "bin.js");
const CREDENTIAL_VARS = ["GITBOOK_TOKEN", "IMPORTIO_API_KEY", "DOCUMENT360_API_TOKEN", "SHARINPIX_SECRET_URL"];

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in the output so far or to come (stdout and stderr). */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Ctrl-C. */
  interrupt(): void;
  readonly result: Promise<CliResult>;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed (default: closed at once). */
  stdin?: string;
  cwd?: string;
}

const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
});

export function startCli(args: string[], options: CliOptions = {}): RunningCli {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1" };
  for (const name of CREDENTIAL_VARS) delete env[name];
  Object.assign(env, options.env);
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? root,
    env: env as NodeJS.ProcessEnv,
    stdio: ["pipe", "pipe", "pipe"],
  });
  running.add(child);
  let stdout = "";
  let stderr = "";
  const waiters: { pattern: RegExp; resolve: (match: RegExpMatchArray) => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const match = (stdout + "\n" + stderr).match(waiter.pattern);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => ((stdout += chunk), check()));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => ((stderr += chunk), check()));
  child.stdin!.end(options.stdin ?? "");
  const result = new Promise<CliResult>((resolve) => {
    child.on("close", (code, signal) => {
      running.delete(child);
      for (const waiter of waiters) waiter.resolve(Object.assign([] as unknown as RegExpMatchArray, { missing: true }));
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        waiters.push({
          pattern,
          resolve: (match) => ((match as { missing?: boolean }).missing ? reject(new Error(`the CLI exited before printing ${pattern}:\n${stdout}\n${stderr}`)) : resolve(match)),
        });
        check();
      });
    },
    interrupt: () => void child.kill("SIGINT"),
    result,
  };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).result;
}

/** The JSON document a `--json` command printed. */
export function json<T = any>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON document:\n${result.stdout}\n--- stderr:\n${result.stderr}`);
  }
}
