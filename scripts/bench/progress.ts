// Progress of a long step: a cli-progress bar on a terminal, a plain line every 10% otherwise
// (CI logs, pipes), so a full run never looks stuck.
import cliProgress from "cli-progress";

export interface Progress {
  update(done: number): void;
  stop(): void;
}

export function startProgress(label: string, total: number, log: (line: string) => void): Progress {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `  ${label} [{bar}] {percentage}% {value}/{total} {eta_formatted}`, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return { update: (done) => bar.update(Math.min(done, total)), stop: () => bar.stop() };
  }
  let nextTenth = 1;
  return {
    update(done) {
      if (total <= 0 || nextTenth > 10 || done < (nextTenth * total) / 10) return;
      const tenths = Math.min(10, Math.floor((done * 10) / total));
      log(`  ${label}: ${tenths * 10}% (${done}/${total})`);
      nextTenth = tenths + 1;
    },
    stop() {},
  };
}
