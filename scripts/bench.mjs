// Runs the benchmarks in bench/ one after another, each in a process of its own, and exits non-zero if one fails.
//   pnpm bench                       every benchmark
//   pnpm bench sharinpix-bulk        one (or several) by name; extra arguments after `--` go to each
// They print figures and goals; they are never part of `pnpm test` (speed is not checked by timed tests).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const benchDir = fileURLToPath(new URL("../bench/", import.meta.url));
const available = readdirSync(benchDir)
  .filter((file) => file.endsWith(".ts"))
  .map((file) => file.slice(0, -".ts".length))
  .sort();

const args = process.argv.slice(2);
const split = args.indexOf("--");
const names = split === -1 ? args : args.slice(0, split);
const passThrough = split === -1 ? [] : args.slice(split + 1);
const unknown = names.filter((name) => !available.includes(name));
if (unknown.length) {
  console.error(`unknown benchmark: ${unknown.join(", ")} (there are: ${available.join(", ")})`);
  process.exit(2);
}

let failed = 0;
for (const name of names.length ? names : available) {
  console.log(`\n# bench/${name}.ts`);
  // The benchmarks load the built packages (scripts/built.ts); `--source` measures the TypeScript sources, with the
  // condition that resolves every workspace package to its sources.
  const conditions = passThrough.includes("--source") ? ["--conditions=importkit-source"] : [];
  const result = spawnSync(process.execPath, [...conditions, "--import", "tsx", `${benchDir}${name}.ts`, ...passThrough], {
    stdio: "inherit",
  });
  if (result.status !== 0) {
    console.error(`bench/${name}.ts failed (exit ${result.status ?? result.signal})`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
