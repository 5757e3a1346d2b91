/**
 * The CLI's tests run the built command (packages/cli/dist/bin.js, what ships), so the project builds it first: once,
 * before any test worker starts (the one build is incremental: ~0.5 s when nothing changed), so that no test runs a
 * stale `dist/` and no two workers build at once.
 */
import { buildPackages } from "../../../scripts/built.ts";

export default function setup(): void {
  buildPackages(["cli"]);
}
