/**
 * The request validator where Prism cannot run: browsers. Bundlers pick this file through the package's `browser`
 * field. Prism's validator needs Node built-ins (`path` through type-is/mime-types, `Buffer` for multipart bodies,
 * and `os` plus a file-system $ref resolver to load operations), so in a browser the twin checks what its own
 * handlers check (route, method, credentials, the fields each operation reads) and nothing more.
 */
import type { RequestValidatorLoader } from "./request-validator.js";

export const loadRequestValidator: RequestValidatorLoader = async () => undefined;
