/**
 * A progress line on stderr: bytes read, MB/s, ETA. Only when stderr is a TTY and the input
 * size is known; redrawn at most 10 times a second; erased when done.
 */
export interface Progress {
  update(done: number, total: number): void;
  finish(): void;
}

const NOOP: Progress = { update: () => undefined, finish: () => undefined };

export function progressBar(stream: NodeJS.WriteStream, totalKnown: boolean, enabled: boolean | undefined): Progress {
  if (enabled === false || (enabled === undefined && (!stream.isTTY || !totalKnown))) return NOOP;
  const t0 = performance.now();
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = performance.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const s = (now - t0) / 1000;
      const rate = s > 0 ? done / s : 0;
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      const width = 30;
      const fill = Math.round(frac * width);
      const eta = rate > 0 && total > 0 ? Math.max(0, (total - done) / rate) : 0;
      const line = `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(frac * 100).toFixed(0).padStart(3)}% ${(done / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB ${(rate / 1e6).toFixed(1)} MB/s ETA ${eta.toFixed(0)}s`;
      stream.write(`\r${line}\x1b[K`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
