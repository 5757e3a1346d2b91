// Types of scripts/sync-versions.mjs, for test/versions.test.ts.
export declare const VERSION_PACKAGES: readonly string[];
export declare function versionModule(version: string): string;
export declare function versionModules(root: string): Array<{
  name: string;
  file: string;
  expected: string;
  actual: string | undefined;
  upToDate: boolean;
}>;
