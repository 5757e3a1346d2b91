/**
 * How fast `importkit --help` answers, and how much memory it takes: the time from spawning `node
 * packages/cli/dist/bin.js --help` to its exit (what a person waits for) and the process's peak RSS.
 * Goals: ≤ 200 ms (median) and ≤ 60 MB (highest). Also measured, for reference: `node -e 0` (the floor Node itself
 * sets), `importkit --version`, and the help of a leaf command.
 *
 *   node --conditions=importkit-source --import tsx bench/cli-startup.ts [--runs 20] [--no-build]
 *
 * The CLI is measured as users run it: built to JavaScript first (`node scripts/build.mjs --packages cli`), not
 * through tsx. Each run is a fresh process; runs of the variants alternate so that a busy machine slows each alike.
 * CPU time (user + system) is printed beside the wall time: on a shared, busy machine it moves far less.
 * Peak RSS comes from the child itself (`process.resourceUsage().maxRSS` on exit, through a preloaded one-line
 * module written to fd 3), so no external `time` tool is needed.
 */
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const TIME_GOAL_MS = 200;
const RSS_GOAL_MB = 60;

const args = process.argv.slice(2);
const runsAt = args.indexOf("--runs");
const runs = runsAt === -1 ? 20 : Number(args[runsAt + 1]);
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs takes a whole number");

if (!args.includes("--no-build")) {
  const built = spawnSync(process.execPath, [join(root, "scripts", "build.mjs"), "--packages", "cli"], { stdio: ["ignore", "ignore", "inherit"] });
  if (built.status !== 0) throw new Error("building the CLI failed");
}

const bin = join(root, "packages", "cli", "dist", "bin.js");
const REPORT_USAGE = `data:text/javascript,${encodeURIComponent(
  'import { writeSync } from "node:fs"; process.on("exit", () => { const u = process.resourceUsage(); writeSync(3, JSON.stringify({ rss: u.maxRSS, cpu: u.userCPUTime + u.systemCPUTime })); });',
)}`;

interface Sample {
  ms: number;
  /** User + system CPU time of the child: what it costs, steadier than wall time on a busy machine. */
  cpuMs: number;
  rssMB: number;
}

function once(argv: string[]): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", REPORT_USAGE, ...argv], { stdio: ["ignore", "ignore", "pipe", "pipe"], cwd: root });
    let usage = "";
    let stderr = "";
    child.stdio[3]!.on("data", (chunk: Buffer) => (usage += chunk));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`${argv.join(" ")} exited ${code}: ${stderr}`));
      const { rss, cpu } = JSON.parse(usage) as { rss: number; cpu: number };
      resolve({ ms, cpuMs: cpu / 1000, rssMB: rss / 1024 });
    });
  });
}

const variants: Record<string, string[]> = {
  "node -e 0": ["-e", "0"],
  "importkit --help": [bin, "--help"],
  "importkit --version": [bin, "--version"],
  "importkit gitbook import --help": [bin, "gitbook", "import", "--help"],
};
const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
// One warm-up run each (disk cache), not counted.
for (const argv of Object.values(variants)) await once(argv);
for (let i = 0; i < runs; i++) {
  for (const [name, argv] of Object.entries(variants)) samples[name]!.push(await once(argv));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(`importkit startup, ${runs} runs each (node ${process.version}, built CLI: packages/cli/dist/bin.js)`);
for (const [name, list] of Object.entries(samples)) {
  const times = list.map((s) => s.ms);
  const rss = list.map((s) => s.rssMB);
  const cpu = list.map((s) => s.cpuMs);
  console.log(
    `  ${name.padEnd(32)} median ${median(times).toFixed(0).padStart(4)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})   CPU ${median(cpu).toFixed(0).padStart(3)} ms   peak RSS ${Math.max(...rss).toFixed(1)} MB (median ${median(rss).toFixed(1)})`,
  );
}
const help = samples["importkit --help"]!;
const helpMs = median(help.map((s) => s.ms));
const helpRss = Math.max(...help.map((s) => s.rssMB));
console.log(`  goal: --help ≤ ${TIME_GOAL_MS} ms (median ${helpMs.toFixed(0)} ms: ${helpMs <= TIME_GOAL_MS ? "met" : "MISSED"}), ≤ ${RSS_GOAL_MB} MB (highest ${helpRss.toFixed(1)} MB: ${helpRss <= RSS_GOAL_MB ? "met" : "MISSED"})`);
