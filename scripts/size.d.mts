/** Types of scripts/size.mjs for the tests that call it. */
export interface Measured {
  /** What the flow loads: the entry and the chunks it imports statically, min+gzip per file, summed. */
  gzipped: number;
  minified: number;
  /** The chunks fetched only when used (dynamic imports). */
  lazy: { gzipped: number; minified: number };
  /** Node built-ins the bundle imports, with the files that import them. */
  nodeImports: Map<string, Set<string>>;
}
export function measure(entry: string): Promise<Measured>;
