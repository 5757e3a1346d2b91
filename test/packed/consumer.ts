// A small consumer, typechecked by scripts/smoke.mjs against the installed tarballs under each tsconfig.*.json here
// (beside entries.ts, which it generates: a namespace import of every export of every package). The README
// examples (```ts smoke blocks) are the real consumer code; this file holds what they do not show.
import * as core from "@importkit/core";
import * as docs from "@importkit/docs";
import * as gitbook from "@importkit/gitbook";
import * as importio from "@importkit/importio";
import * as specs from "@importkit/specs";

// The error classes are one hierarchy whichever package they are imported from.
export function isApiError(error: unknown): error is gitbook.ApiError {
  return error instanceof importio.ApiError && error instanceof core.ImportkitError;
}

export const specFile: string = specs.specPath("gitbook");
export const page: string = docs.docsPath("index");
