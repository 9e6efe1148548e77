import { readSync } from 'node:fs';
import type { Source } from './sources.js';

/** A byte range of one seekable input; ranges start at a line start and end after a newline or at EOF. */
export interface Range {
  readonly sourceIndex: number;
  readonly start: number;
  readonly end: number;
}

/**
 * Splits the inputs, taken as one stream, into `parts` lists of ranges of about equal size,
 * each boundary moved forward to the next line start so no line is cut.
 */
export function splitRanges(sources: readonly Source[], parts: number): Range[][] {
  const total = sources.reduce((n, s) => n + s.size, 0);
  const target = Math.ceil(total / parts);
  const out: Range[][] = [];
  let current: Range[] = [];
  let filled = 0;
  sources.forEach((s, sourceIndex) => {
    let pos = 0;
    while (pos < s.size) {
      const room = target - filled;
      if (pos + room >= s.size || out.length === parts - 1) {
        current.push({ sourceIndex, start: pos, end: s.size });
        filled += s.size - pos;
        pos = s.size;
        break;
      }
      const cut = nextLineStart(s, pos + room);
      current.push({ sourceIndex, start: pos, end: cut });
      pos = cut;
      out.push(current);
      current = [];
      filled = 0;
    }
  });
  if (current.length) out.push(current);
  return out;
}

/** The position after the first newline at or after `from`; `s.size` when there is none. */
export function nextLineStart(s: Source, from: number): number {
  const probe = Buffer.allocUnsafe(64 << 10);
  let pos = from;
  while (pos < s.size) {
    const n = readSync(s.fd, probe, 0, Math.min(probe.length, s.size - pos), pos);
    if (n <= 0) break;
    const nl = probe.indexOf(0x0a);
    if (nl >= 0 && nl < n) return pos + nl + 1;
    pos += n;
  }
  return s.size;
}
