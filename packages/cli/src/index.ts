/**
 * @importkit/cli as a library: the command tree (to embed or test it) and the exit codes. The command itself is
 * `importkit` (bin.ts).
 */
export { createProgram } from "./program.js";
export { EXIT } from "./exit.js";
