import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Every provider whose spec importkit curates, in the order they are documented. */
export const providers = ["gitbook", "importio", "document360", "sharinpix"] as const;
export type Provider = (typeof providers)[number];

export function isProvider(name: string): name is Provider {
  return (providers as readonly string[]).includes(name);
}

/**
 * Absolute path of a provider's OpenAPI document.
 *
 * Inside the monorepo the hand-curated source (`specs/<provider>/openapi.yaml`) wins, so a spec edit
 * is seen without re-bundling; a published package has only its bundles (`dist/<provider>.yaml`).
 */
export function specPath(provider: Provider): string {
  if (!isProvider(provider)) {
    throw new TypeError(`Unknown provider "${String(provider)}". Known providers: ${providers.join(", ")}.`);
  }
  const source = fileURLToPath(new URL(`../../../specs/${provider}/openapi.yaml`, import.meta.url));
  if (existsSync(source)) return source;
  return fileURLToPath(new URL(`../dist/${provider}.yaml`, import.meta.url));
}
