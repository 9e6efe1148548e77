import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLogBuffer } from '../../samples/generate-log.js';
import { haloscope } from './run-report.js';

const ONE = { HALOG_THREADS: '1' };
const TWO = { HALOG_THREADS: '2', HALOG_PARALLEL_MIN_BYTES: '0' };

test('report: two worker threads give byte-identical reports to one thread; .gz, globs and stdin read the same records', () => {
  const dir = mkdtempSync(join(tmpdir(), 'h6-par-'));
  try {
    const log = generateLogBuffer({ seed: 6, lines: 8000, malformedRate: 0.002, tcpRate: 0.02, format: 'rfc3164' });
    const whole = join(dir, 'whole.log');
    writeFileSync(whole, log);
    for (const kind of ['urls', 'timeline']) {
      const args = ['report', kind, '--json', '-q', '--collapse-ids', whole];
      const a = haloscope(args, ONE);
      const b = haloscope(args, TWO);
      assert.equal(a.status, 0, a.err);
      assert.ok(JSON.parse(a.out).rows.length > 0);
      assert.equal(b.out, a.out, `${kind}: 2 threads = 1 thread`);
    }
    // The same log as three parts: plain, gzip, plain; named by a glob the shell did not expand.
    const third = Math.floor(log.length / 3);
    const c1 = log.indexOf(0x0a, third) + 1;
    const c2 = log.indexOf(0x0a, 2 * third) + 1;
    writeFileSync(join(dir, 'part-1.log'), log.subarray(0, c1));
    writeFileSync(join(dir, 'part-2.log.gz'), gzipSync(log.subarray(c1, c2)));
    writeFileSync(join(dir, 'part-3.log'), log.subarray(c2));
    const ref = haloscope(['report', 'urls', '--json', '-q', whole], ONE).out;
    assert.equal(haloscope(['report', 'urls', '--json', '-q', join(dir, 'part-*')], TWO).out, ref, 'glob + gzip, 2 threads');
    assert.equal(haloscope(['report', 'urls', '--json', '-q', join(dir, 'part-?.log*')], ONE).out, ref, 'glob + gzip, 1 thread');
    assert.equal(haloscope(['report', 'urls', '--json', '-q', '-'], TWO, log).out, ref, 'stdin');
    assert.equal(haloscope(['report', 'urls', '--json', '-q'], TWO, gzipSync(log)).out, ref, 'gzip on stdin');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
