// Types of scripts/readme-examples.mjs, for test/release-harness.test.ts and test/docs.test.ts.
export interface ReadmeExample {
  ext: "ts" | "mjs";
  code: string;
  line: number;
  /** False for a `compile-only` block: typechecked, never run. */
  run: boolean;
}
export declare const EXAMPLE_ENVIRONMENT: readonly string[];
export declare function extractExamples(markdown: string): ReadmeExample[];
export declare function examplesOf(file: string): ReadmeExample[];
export declare function importedPackages(code: string): string[];
