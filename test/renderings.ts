/**
 * The ways an error reaches a person or a log: its message, its stack, String(), JSON and util.inspect (hidden
 * properties and causes included). A test that an error keeps a secret out searches every one of them.
 * test/leak-scan.test.ts goes further (causes one by one, every own property) across all four clients.
 */
import { inspect } from "node:util";

export function renderingsOf(error: unknown): string[] {
  const e = error as Error;
  return [e.message, e.stack ?? "", String(error), JSON.stringify(error), inspect(error, { depth: 10, showHidden: true })];
}
