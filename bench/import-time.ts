/**
 * What importing a provider package costs a fresh process: `node -e "await import('@importkit/<provider>')"` against
 * bare `node -e ""` (both ESM), and `@gitbook/api` beside them as the peer.
 *
 *   node --import tsx bench/import-time.ts [rounds]   (or `pnpm bench import-time`)
 *
 * Each round starts one process of every kind, in an order that alternates from round to round; the medians of the
 * wall time (spawn to exit) are compared with bare node's (goal: at most 1.1×), with the process's own CPU time and
 * the number of ES modules it loaded beside them. The packages are the built ones, resolved by name from the
 * repository root through their package.json `exports`, as users import them (scripts/built.ts builds them first).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { buildPackages } from "../scripts/built.ts";

const GOAL_RATIO = 1.1;
const root = fileURLToPath(new URL("..", import.meta.url));
const PROVIDERS = ["gitbook", "importio", "document360", "sharinpix"];

const rounds = Number(process.argv.slice(2).find((a) => !a.startsWith("--")) ?? 21);
buildPackages(PROVIDERS);

/** The script each process runs: the import, then its own CPU time and how many modules of ours and others it loaded. */
function script(specifier: string | undefined): string {
  const load = specifier ? `await import(${JSON.stringify(specifier)});` : "";
  return `${load} const u = process.cpuUsage(); process.stdout.write(JSON.stringify({ cpu: (u.user + u.system) / 1000 }));`;
}

interface Sample {
  wallMs: number;
  cpuMs: number;
}

function run(specifier: string | undefined): Sample {
  const started = performance.now();
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script(specifier)], { cwd: root, encoding: "utf8" });
  const wallMs = performance.now() - started;
  if (result.status !== 0) throw new Error(`importing ${specifier} failed:\n${result.stderr}`);
  return { wallMs, cpuMs: (JSON.parse(result.stdout) as { cpu: number }).cpu };
}

/** The ES modules a specifier loads (its own and its dependencies'), counted by a resolve hook in a fresh process. */
function moduleCount(specifier: string): number {
  const hook = `data:text/javascript,${encodeURIComponent(
    `export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.startsWith("file:")) process.stderr.write("\\n@module " + r.url); return r; }`,
  )}`;
  const register = `import { register } from "node:module"; register(${JSON.stringify(hook)});`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", `${register} await import(${JSON.stringify(specifier)});`], { cwd: root, encoding: "utf8" });
  return new Set(result.stderr.split("\n").filter((line) => line.startsWith("@module "))).size;
}

const kinds: Array<{ name: string; specifier: string | undefined }> = [
  { name: "bare node", specifier: undefined },
  ...PROVIDERS.map((p) => ({ name: `@importkit/${p}`, specifier: `@importkit/${p}` })),
  { name: "@gitbook/api (peer)", specifier: "@gitbook/api" },
];

const samples = new Map<string, Sample[]>(kinds.map((k) => [k.name, []]));
for (const kind of kinds) run(kind.specifier); // warm the file cache
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? kinds : [...kinds].reverse();
  for (const kind of order) samples.get(kind.name)!.push(run(kind.specifier));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const bareSamples = samples.get("bare node")!;
const bare = { wall: median(bareSamples.map((s) => s.wallMs)), min: Math.min(...bareSamples.map((s) => s.wallMs)), cpu: median(bareSamples.map((s) => s.cpuMs)) };
console.log(
  `Import in a fresh process, ${rounds} rounds (bare node: median ${bare.wall.toFixed(1)} ms wall, fastest ${bare.min.toFixed(1)} ms, ${bare.cpu.toFixed(1)} ms CPU).\n` +
    `The ratio is the median of each round's ratio to the bare node run beside it (the two share the machine's load);\n` +
    `the fastest runs' ratio is the cost without any load at all. CPU counts V8's compiler threads too, which run beside the main one.`,
);
let unmet = 0;
for (const kind of kinds.slice(1)) {
  const own = samples.get(kind.name)!;
  const wall = median(own.map((s) => s.wallMs));
  const min = Math.min(...own.map((s) => s.wallMs));
  const cpu = median(own.map((s) => s.cpuMs));
  const ratio = median(own.map((s, i) => s.wallMs / bareSamples[i]!.wallMs));
  const isOurs = kind.specifier?.startsWith("@importkit/") ?? false;
  if (isOurs && ratio > GOAL_RATIO) unmet++;
  console.log(
    `  ${kind.name.padEnd(22)} ${ratio.toFixed(2)}× bare node (fastest runs ${(min / bare.min).toFixed(2)}×)   wall ${wall.toFixed(1)} ms (+${(wall - bare.wall).toFixed(1)})` +
      `   CPU ${cpu.toFixed(1)} ms (+${(cpu - bare.cpu).toFixed(1)})   ${moduleCount(kind.specifier!)} modules` +
      (isOurs ? `   goal ≤ ${GOAL_RATIO}×: ${ratio <= GOAL_RATIO ? "met" : "NOT MET"}` : ""),
  );
}
if (unmet) console.log(`  ${unmet} of ${PROVIDERS.length} providers over the goal`);
