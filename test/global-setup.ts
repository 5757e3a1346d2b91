import { existsSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { startMockServer, type MockServer } from "../packages/mock/src/index.ts";
import { providers, type Provider } from "../packages/specs/src/index.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Origin of the Prism mock server of each provider whose spec exists. */
    mockUrls: Partial<Record<Provider, string>>;
  }
}

const specFile = (p: Provider) => new URL(`../specs/${p}/openapi.yaml`, import.meta.url);

/**
 * One Prism server per spec (port 0, request validation on), for the run of one project (vitest.config.ts declares
 * this setup on the projects with contract tests): a provider's project gets its own provider's server, `repo` all.
 */
export default async function setup(project: TestProject) {
  const wanted = providers.filter((p) => existsSync(specFile(p)) && (project.name === "repo" || project.name === p));
  const servers: MockServer[] = await Promise.all(wanted.map((provider) => startMockServer({ provider })));
  project.provide("mockUrls", Object.fromEntries(servers.map((s) => [s.provider, s.url])));
  return async () => {
    await Promise.all(servers.map((s) => s.close()));
  };
}
