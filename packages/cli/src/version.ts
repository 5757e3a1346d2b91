// Written by scripts/sync-versions.mjs from this package's package.json (`pnpm version-packages`): do not edit.
export const VERSION = "0.1.0";
