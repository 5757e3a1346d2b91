import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));
// The Prism servers the contract tests use (test/contract.ts): only the projects that have contract tests start them
// (a global setup runs once per project that declares it; declared at the top, it ran for every project and the root).
const PRISM_SETUP = "./test/global-setup.ts";
const PROVIDERS = ["gitbook", "importio", "document360", "sharinpix"];
const packages = readdirSync(`${root}packages`).filter((name) => existsSync(`${root}packages/${name}/package.json`));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources of the workspace packages, never stale builds.
    alias: [
      { find: /^@importkit\/core\/(node|internal|batch)$/, replacement: `${root}packages/core/src/$1.ts` },
      // core's own package import (package.json "imports"): the file helpers, as Node resolves them.
      { find: /^#files$/, replacement: `${root}packages/core/src/node.ts` },
      { find: /^#request-validator$/, replacement: `${root}packages/twin/src/request-validator.ts` },
      { find: /^@importkit\/twin\/(server|msw)$/, replacement: `${root}packages/twin/src/$1.ts` },
      { find: /^@importkit\/(gitbook|importio|document360|sharinpix)\/operations$/, replacement: `${root}packages/$1/src/generated/operations.ts` },
      ...packages.map((name) => ({ find: new RegExp(`^@importkit/${name}$`), replacement: `${root}packages/${name}/src/index.ts` })),
    ],
  },
  test: {
    reporters: ["default", "./test/summary-reporter.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      ...packages
        .filter((name) => existsSync(`${root}packages/${name}/test`))
        .map((name) => ({
          extends: true as const,
          test: {
            name,
            include: [`packages/${name}/test/**/*.test.ts`],
            ...(PROVIDERS.includes(name) ? { globalSetup: [PRISM_SETUP] } : {}),
            // The CLI's tests run the built command (packages/cli/test/cli.ts): built once before they start.
            ...(name === "cli" ? { globalSetup: ["./packages/cli/test/build-setup.ts"] } : {}),
          },
        })),
      { extends: true as const, test: { name: "repo", include: ["test/**/*.test.ts"], globalSetup: [PRISM_SETUP] } },
      {
        extends: true as const,
        test: {
          name: "types",
          include: [],
          typecheck: { enabled: true, only: true, include: ["packages/*/test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
        },
      },
    ],
  },
});
