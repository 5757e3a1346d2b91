/**
 * Progress on stderr, three ways:
 * - `bar`: a terminal a person watches — a cli-progress bar with counts, rate and ETA (bytes for downloads), or a
 *   live status line when there is nothing to count;
 * - `lines`: a pipe or CI — plain lines, one per status change and per tenth of the work (a redrawn bar is noise
 *   in a log);
 * - `silent`: `--quiet`.
 * cli-progress is imported only for `bar`, so `--help`, pipes and CI never load it.
 */
import type { Redactor } from "@importkit/core/internal";

export interface ProgressSpec {
  /** What is in progress, e.g. `import run 7fK2…` or `export.zip`. */
  title: string;
  /** What is counted; absent: only a status is shown. */
  unit?: "pages" | "URLs" | "items" | "bytes" | undefined;
}

export interface ProgressView {
  /** The latest count (of `total`, when known) and status (e.g. `in-progress`). */
  update(value: number, total: number | undefined, status?: string): void;
  /** Ends the view; `line` is printed after it (not when silent). */
  stop(line?: string): void;
}

export interface ProgressTarget {
  stream: NodeJS.WritableStream & { columns?: number };
  mode: "bar" | "lines" | "silent";
  redactor: Redactor;
}

export async function createProgressView(spec: ProgressSpec, target: ProgressTarget): Promise<ProgressView> {
  if (target.mode === "silent") return { update() {}, stop() {} };
  if (target.mode === "lines") return linesView(spec, target);
  return barView(spec, target);
}

const KB = 1000;
/** 1.2 MB, 340 kB, 12 B (SI units, like most download tools). */
export function formatBytes(bytes: number): string {
  if (bytes < KB) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes / KB;
  let unit = 0;
  while (value >= KB && unit < units.length - 1) {
    value /= KB;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

function formatCount(value: number, unit: ProgressSpec["unit"]): string {
  return unit === "bytes" ? formatBytes(value) : String(value);
}

function formatRate(value: number, elapsedMs: number, unit: ProgressSpec["unit"]): string {
  if (elapsedMs < 200 || value === 0) return "";
  const perSecond = (value * 1000) / elapsedMs;
  if (unit === "bytes") return `${formatBytes(Math.round(perSecond))}/s`;
  return `${perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond)} ${unit}/s`;
}

function linesView(spec: ProgressSpec, target: ProgressTarget): ProgressView {
  let lastStatus: string | undefined;
  let lastTenth = -1;
  let lastValue = -1;
  let lastTotal: number | undefined;
  const write = (text: string) => target.stream.write(`${target.redactor.text(text)}\n`);
  return {
    update(value, total, status) {
      const known = spec.unit !== undefined && total !== undefined && total > 0;
      const tenth = known ? Math.floor((Math.min(value, total) * 10) / total) : -1;
      // Pages and URLs are few: every change is worth a line. Bytes and items only per tenth (or status change).
      // Without a count, each status is a line; pages and URLs are few, so each change is one; bytes and items are
      // many, so only each tenth is (their status moves with every item).
      const changed =
        spec.unit === undefined
          ? status !== lastStatus
          : spec.unit === "pages" || spec.unit === "URLs"
            ? value !== lastValue || total !== lastTotal || status !== lastStatus
            : tenth !== lastTenth || (lastValue === -1 && value === 0);
      if (!changed) return;
      lastStatus = status;
      lastTenth = tenth;
      lastValue = value;
      lastTotal = total;
      const count = spec.unit === undefined ? "" : known ? ` ${formatCount(value, spec.unit)}/${formatCount(total, spec.unit)} ${spec.unit === "bytes" ? "" : spec.unit}`.trimEnd() : ` ${formatCount(value, spec.unit)}${spec.unit === "bytes" ? "" : ` ${spec.unit}`}`;
      write(`  ${spec.title}:${count}${status ? ` (${status})` : ""}`);
    },
    stop(line) {
      if (line) write(line);
    },
  };
}

async function barView(spec: ProgressSpec, target: ProgressTarget): Promise<ProgressView> {
  const { default: cliProgress } = await import("cli-progress");
  const started = Date.now();
  const counted = spec.unit !== undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: target.stream as NodeJS.WriteStream,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
      // The ETA of cli-progress, rate and human counts from the payload (bytes as kB/MB).
      format: counted
        ? `  {title} {bar} {done}/{all}{unitName} | {rate} | ETA {eta_formatted}{status}`
        : `  {title}: {status} | {duration_formatted}`,
      formatValue: (value, _options, type) => (type === "percentage" ? String(value).padStart(3) : String(value)),
    },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  const payload = (value: number, total: number | undefined, status: string | undefined) => ({
    title: target.redactor.text(spec.title),
    done: formatCount(value, spec.unit),
    all: total === undefined ? "?" : formatCount(total, spec.unit),
    unitName: spec.unit === "bytes" || spec.unit === undefined ? "" : ` ${spec.unit}`,
    rate: formatRate(value, Date.now() - started, spec.unit) || "…",
    status: counted ? (status ? ` | ${target.redactor.text(status)}` : "") : target.redactor.text(status ?? "…"),
  });
  return {
    update(value, total, status) {
      // Without a known total the bar has nothing to fill: it stays empty while the counts move.
      const barTotal = counted ? (total && total > 0 ? total : Math.max(value, 1) * 2) : 1;
      if (!running) {
        bar.start(barTotal, counted ? value : 0, payload(value, total, status));
        running = true;
      } else {
        bar.setTotal(barTotal);
        bar.update(counted ? value : 0, payload(value, total, status));
      }
    },
    stop(line) {
      if (running) bar.stop();
      if (line) target.stream.write(`${target.redactor.text(line)}\n`);
    },
  };
}
