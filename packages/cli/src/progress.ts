import cliProgress from "cli-progress";

export interface ProgressView {
  update(value: number, total: number, label: string): void;
  stop(): void;
}

/**
 * A progress bar on a terminal; plain lines elsewhere (CI logs, pipes), where a redrawn bar is noise.
 * Each distinct label is printed once on non-TTY outputs, so logs stay short but still show every step.
 */
export function progressView(stream: NodeJS.WriteStream = process.stderr): ProgressView {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: "  {bar} {percentage}% | {label}", hideCursor: true, clearOnComplete: false, stream },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(value, total, label) {
        if (!started) {
          bar.start(total, value, { label });
          started = true;
        } else {
          bar.setTotal(total);
          bar.update(value, { label });
        }
      },
      stop: () => bar.stop(),
    };
  }
  let last = "";
  return {
    update(value, total, label) {
      const line = `  [${value}/${total}] ${label}`;
      if (line !== last) stream.write(`${line}\n`);
      last = line;
    },
    stop() {},
  };
}
