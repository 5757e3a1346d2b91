/**
 * A file-system failure while saving a download or keeping a checkpoint, as a typed error instead of a raw Node
 * error (EACCES, EISDIR, ENOTDIR, ENOSPC, …): `ImportkitError → FileError`. Apart from errors.ts because only the
 * Node file helpers raise it (the browser bundle never loads those helpers, but the class stays public for `instanceof`).
 */
import { ImportkitError } from "./errors.js";

/** What each common code means, for the message. */
const EXPLAINED: Record<string, string> = {
  EISDIR: "it is a directory",
  ENOTDIR: "a parent of it is a file, not a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is used up",
  ENOENT: "a directory on the way does not exist (removed while saving?)",
  ENAMETOOLONG: "the name is too long",
  EMFILE: "too many open files",
  EBUSY: "the file is busy",
  EXDEV: "cross-device rename",
};

/** `<what the code means> (<code>)`, e.g. `permission denied (EACCES)`. */
export function explainCode(code: string): string {
  return `${EXPLAINED[code] ?? "the file system refused it"} (${code})`;
}

export class FileError extends ImportkitError {
  /** The system error code, e.g. `EACCES`, `EISDIR`, `ENOTDIR`, `ENOSPC`. */
  readonly code: string;
  /** The path the failure is about (the target, one of its parents, or a checkpoint file). */
  readonly path: string;
  /** The system call that failed, when known (`open`, `rename`, …). */
  readonly syscall: string | undefined;

  constructor(message: string, init: { code: string; path: string; syscall?: string | undefined; cause?: unknown }) {
    super(message, init.cause === undefined ? {} : { cause: init.cause });
    this.code = init.code;
    this.path = init.path;
    this.syscall = init.syscall;
  }

  /** `Cannot <doing> <path>: <what the code means> (<code>).` */
  static explain(doing: string, path: string, code: string, syscall?: string, cause?: unknown): FileError {
    return new FileError(`Cannot ${doing} ${path}: ${explainCode(code)}.`, { code, path, syscall, cause });
  }
}

/** A Node file-system error (it has a string `code`) as a FileError about `path`; anything else as it was. */
export function asFileError(error: unknown, doing: string, path: string): unknown {
  if (error instanceof ImportkitError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return error;
  const syscall = (error as { syscall?: unknown }).syscall;
  // The cause keeps the code and syscall, not Node's message (which repeats the path, and nothing more).
  return FileError.explain(doing, path, code, typeof syscall === "string" ? syscall : undefined);
}
