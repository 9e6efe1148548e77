/**
 * Evidence lines read from files are kept as offsets and read back when printed
 * (evidence.ts, record-part.ts `lineSource`): the suspects, evidence included, must be those of
 * the same lines fed in-process (where lines are copied as bytes). Two files (the second
 * one's offsets restart at 0), CRLF line ends (the reader drops the CR, so must the line read
 * back), files of several 4 MiB read buffers (the offset of each buffer), 1 and 2 threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLogBuffer } from '../../samples/generate-log.js';
import { LogRecord, parseRecord } from '../../halog/parse/record.js';
import { Detector, type DetectOptions, type DetectSnapshot } from '../../halog/detect/detector.js';
import { suspects } from '../../halog/detect/verdict.js';
import { openSources } from '../../halog/read/sources.js';
import { readRecords } from '../../halog/read/record-reader.js';

const DETECTOR = new URL('../../halog/detect/detector.js', import.meta.url);

/** Feeds lines in-process as the reader cuts them (CR before the newline dropped). */
function feed(d: Detector, buf: Buffer): void {
  const rec = new LogRecord();
  for (let p = 0; p < buf.length;) {
    let nl = buf.indexOf(0x0a, p);
    if (nl < 0) nl = buf.length;
    let e = nl;
    if (e > p && buf[e - 1] === 0x0d) e--;
    if (e > p) {
      if (parseRecord(buf, p, e, rec)) d.onRecord(rec);
      else d.onInvalid(rec);
    }
    p = nl + 1;
  }
}

test('evidence read back from files equals evidence copied in-process (two files, CRLF, 1 and 2 threads)', async () => {
  // The default traffic has a pool of scanners (flagged, with evidence all over the file).
  const a = generateLogBuffer({ seed: 11, lines: 30_000, malformedRate: 0.01, tcpRate: 0.01 });
  const b = Buffer.from(generateLogBuffer({ seed: 12, lines: 12_000, malformedRate: 0.01 }).toString('latin1').replaceAll('\n', '\r\n'), 'latin1');
  assert.ok(a.length > 2 * (4 << 20), `${a.length} bytes: several read buffers`);
  const ref = new Detector();
  feed(ref, a);
  feed(ref, b);
  const want = suspects(ref);
  assert.ok(want.length >= 5, `${want.length} suspects`);
  assert.ok(want.every((s) => s.rules.every((r) => r.evidence.length > 0)));
  const dir = mkdtempSync(join(tmpdir(), 'haloscope-detect-evidence-'));
  try {
    writeFileSync(join(dir, 'a.log'), a);
    writeFileSync(join(dir, 'b.log'), b);
    for (const threads of [1, 2]) {
      const sources = openSources([join(dir, 'a.log'), join(dir, 'b.log')]);
      const { job } = await readRecords<DetectOptions, DetectSnapshot>(sources, DETECTOR, {}, { threads, parallelMinBytes: 0 });
      assert.deepEqual(suspects(job as Detector), want, `${threads} thread(s)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
