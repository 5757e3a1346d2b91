/**
 * One run of a command: where its output goes and in which form, the secrets that must never show, and the
 * signal that Ctrl-C aborts.
 *
 * Streams: the command's result goes to stdout (human text, or one JSON document with `--json`); notices, warnings
 * and progress go to stderr, so `importkit … --json | jq` and `importkit … --out - > file` stay clean. `--quiet`
 * keeps stderr for errors only and prints no human result (the exit code and `--json` still tell).
 *
 * Everything printed as text or JSON goes through a redactor that knows the credential in use (and every value the
 * user marked secret, such as SharinPix `--header` values), on top of the clients' own redaction, so no secret can
 * reach the terminal or a log even through a path nobody thought of. Raw data written on purpose (a result file to
 * `--out -`, rows) is the user's data and is passed as it is.
 */
import { Redactor } from "@importkit/core/internal";
import type { Logger } from "@importkit/core";
import { createProgressView, type ProgressSpec, type ProgressView } from "./progress.js";

export type Output = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export interface Io {
  stdout: Output;
  stderr: Output;
  stdin: NodeJS.ReadableStream;
  env: Readonly<Record<string, string | undefined>>;
}

export interface OutputFlags {
  json?: boolean | undefined;
  quiet?: boolean | undefined;
  verbose?: boolean | undefined;
}

export class Session {
  readonly redactor = new Redactor();
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly io: Io;
  /** Aborted by the first Ctrl-C (or SIGTERM). */
  readonly signal: AbortSignal;
  #resultPrinted = false;

  constructor(io: Io, flags: OutputFlags, signal: AbortSignal) {
    this.io = io;
    this.json = flags.json === true;
    this.quiet = flags.quiet === true;
    this.verbose = flags.verbose === true && !this.quiet;
    this.signal = signal;
  }

  /** Hides `secret` in everything this session prints from now on. */
  addSecret(secret: string | undefined): void {
    this.redactor.addSecret(secret);
  }

  /** A line of the human result, on stdout (not with `--json` or `--quiet`). */
  say(text: string): void {
    if (this.json || this.quiet) return;
    this.io.stdout.write(`${this.redactor.text(text)}\n`);
  }

  /** A notice on stderr: what is happening (not with `--quiet`). */
  note(text: string): void {
    if (this.quiet) return;
    this.io.stderr.write(`${this.redactor.text(text)}\n`);
  }

  warn(text: string): void {
    if (this.quiet) return;
    this.io.stderr.write(`warning: ${this.redactor.text(text)}\n`);
  }

  debug(text: string): void {
    if (!this.verbose) return;
    this.io.stderr.write(`debug: ${this.redactor.text(text)}\n`);
  }

  /** An error on stderr, whatever the flags. */
  error(text: string): void {
    this.io.stderr.write(`importkit: ${this.redactor.text(text)}\n`);
  }

  /**
   * The command's result: with `--json` one JSON document on stdout (secrets redacted), else `human` (a line, or
   * lines) unless `--quiet`. Called once per command.
   */
  result(value: unknown, human?: string | (() => string)): void {
    this.#resultPrinted = true;
    if (this.json) {
      this.io.stdout.write(`${JSON.stringify(this.redactor.value(value), null, 2)}\n`);
      return;
    }
    if (this.quiet || human === undefined) return;
    this.say(typeof human === "function" ? human() : human);
  }

  get resultPrinted(): boolean {
    return this.#resultPrinted;
  }

  /** The clients' logger: warnings as notices, the rest with `--verbose`. Lines arrive redacted by the client. */
  get logger(): Logger {
    return {
      debug: (message) => this.debug(message),
      info: (message) => this.debug(message),
      warn: (message) => this.warn(message),
      error: (message) => this.warn(message),
    };
  }

  /**
   * Progress on stderr: bars with counts, rate and ETA on a terminal; plain lines on a pipe or in CI; nothing with
   * `--quiet`. The bar library is loaded only here.
   */
  progress(spec: ProgressSpec): Promise<ProgressView> {
    return createProgressView(spec, { stream: this.io.stderr, mode: this.quiet ? "silent" : this.interactive ? "bar" : "lines", redactor: this.redactor });
  }

  /** A terminal a person watches: stderr is a TTY and this is not CI. */
  get interactive(): boolean {
    const ci = this.io.env.CI;
    return this.io.stderr.isTTY === true && (ci === undefined || ci === "" || ci === "0" || ci === "false");
  }
}
