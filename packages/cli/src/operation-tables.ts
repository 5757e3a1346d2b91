/**
 * Each provider's generated operation table (`@importkit/<provider>/operations`: the operations of its spec with their
 * method, path template and input schemas). `importkit api` matches a path against it; `sharinpix bulk` checks rows
 * with its `createImport` schema. Loaded on demand: only those two commands need it.
 */
import type { OperationSpec } from "@importkit/core/internal";
import type { Provider } from "./providers.js";

export type OperationTableOf = Readonly<Record<string, OperationSpec>>;

export async function operationTable(provider: Provider): Promise<OperationTableOf> {
  const module = (await import(`@importkit/${provider}/operations`)) as { operations: OperationTableOf };
  return module.operations;
}
