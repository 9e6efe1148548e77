import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLogBuffer } from '../../samples/generate-log.js';
import { haloscope } from './run-report.js';

const TWO = { HALOG_THREADS: '2', HALOG_PARALLEL_MIN_BYTES: '0' };

test('report: progress line on stderr only when asked or on a TTY, and never on stdout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'h6-prog-'));
  try {
    const f = join(dir, 'x.log');
    writeFileSync(f, generateLogBuffer({ seed: 1, lines: 10000 }));
    const silent = haloscope(['report', 'status', '-q', f], TWO);
    assert.equal(silent.err, '', 'stderr is not a TTY: no progress');
    const shown = haloscope(['report', 'status', '-q', '--progress', f], TWO);
    assert.match(shown.err, /\r\[#+\.*\] +\d+% [\d.]+\/[\d.]+ MB [\d.]+ MB\/s ETA \d+s/);
    assert.match(shown.err, /100% /, 'reaches 100%');
    assert.ok(shown.err.endsWith('\r\x1b[K'), 'erased at the end');
    assert.equal(shown.out, silent.out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
