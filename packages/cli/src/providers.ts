/**
 * The providers the CLI knows and where each one's credential comes from. Imports nothing: the command tree
 * (program.ts) reads it at startup, and `--help` must stay cheap.
 */
export const PROVIDERS = ["gitbook", "importio", "document360", "sharinpix"] as const;
export type Provider = (typeof PROVIDERS)[number];

export const CREDENTIALS: Readonly<Record<Provider, { env: string; what: string }>> = {
  gitbook: { env: "GITBOOK_TOKEN", what: "a GitBook access token" },
  importio: { env: "IMPORTIO_API_KEY", what: "an Import.io API key" },
  document360: { env: "DOCUMENT360_API_TOKEN", what: "a Document360 API token" },
  sharinpix: { env: "SHARINPIX_SECRET_URL", what: "a SharinPix secret URL (sharinpix://<id>:<secret>@<host>/api/v1)" },
};
