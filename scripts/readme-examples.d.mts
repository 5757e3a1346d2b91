// Types of scripts/readme-examples.mjs, for test/release-harness.test.ts.
export interface ReadmeExample {
  ext: "ts" | "mjs";
  code: string;
  line: number;
}
export declare function extractExamples(markdown: string): ReadmeExample[];
export declare function examplesOf(file: string): ReadmeExample[];
