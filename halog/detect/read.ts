/**
 * Feeds every line of the inputs to a Detector on the main thread: regular files by ranges,
 * gzip (by magic number) through zlib, stdin when no file is named. Lines are parsed with the
 * full record parser; the ones it rejects are counted (stats.invalid) and skipped.
 */
import { LineAssembler, readGzip, readRange } from '../read/chunks.js';
import { closeSources, type Source } from '../read/sources.js';
import { LogRecord, parseRecord } from '../parse/record.js';
import type { Detector } from './detector.js';

export async function feedSources(d: Detector, sources: readonly Source[]): Promise<void> {
  const rec = new LogRecord();
  const asm = new LineAssembler((buf, end) => {
    let p = 0;
    while (p < end) {
      let nl = buf.indexOf(0x0a, p);
      if (nl < 0 || nl >= end) nl = end;
      let e = nl;
      if (e > p && buf[e - 1] === 0x0d) e--;
      if (e > p) {
        if (parseRecord(buf, p, e, rec)) d.onRecord(rec);
        else d.onInvalid(rec);
      }
      p = nl + 1;
    }
    return true;
  });
  try {
    for (const s of sources) {
      if (s.gzip) await readGzip(s, asm);
      else readRange(s, 0, -1, asm);
    }
  } finally {
    closeSources(sources);
  }
}
