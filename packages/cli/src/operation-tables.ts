/**
 * Each provider's generated operation table (`packages/<provider>/src/generated/operations.ts`): the operations of its
 * spec with their method, path template and input schemas. `importkit api` matches a path against it; `sharinpix
 * bulk` checks rows with its `createImport` schema.
 *
 * The provider packages do not export their table (yet). Until they do, it is loaded from beside the provider's
 * resolved entry — `dist/generated/operations.js` in a built or installed package (tsc emits it there), or
 * `src/generated/operations.ts` when the CLI runs from source (the `importkit-source` condition) — so the table is
 * the provider's own, never a copy. Once a provider exports `operations`, this becomes a plain import.
 */
import type { OperationSpec } from "@importkit/core/internal";
import type { Provider } from "./providers.js";

export type OperationTableOf = Readonly<Record<string, OperationSpec>>;

export async function operationTable(provider: Provider): Promise<OperationTableOf> {
  const entry = import.meta.resolve(`@importkit/${provider}`);
  const file = new URL(`./generated/operations${entry.endsWith(".ts") ? ".ts" : ".js"}`, entry);
  const module = (await import(file.href)) as { operations: OperationTableOf };
  return module.operations;
}
