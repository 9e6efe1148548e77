import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeLog } from '../../samples/generate-log.js';
import { OUR_HALOG } from '../helpers/paths.js';

/**
 * Memory is bounded by the number of distinct keys, not by the input: the peak RSS of a
 * report over 10x more lines of the same traffic mix stays about the same.
 */
function peakRssKb(file: string, args: string[]): number {
  const fd = openSync(file, 'r');
  try {
    const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, OUR_HALOG, ...args], {
      stdio: [fd, 'ignore', 'pipe'],
      env: { ...process.env, HALOG_THREADS: '1' },
    });
    const lines = r.stderr.toString().trim().split('\n');
    return Number(lines[lines.length - 1]);
  } finally {
    closeSync(fd);
  }
}

test('peak memory does not grow with the input size', async (t) => {
  if (!existsSync('/usr/bin/time')) {
    if (process.env.CI) throw new Error('/usr/bin/time missing (apt-get install -y time)');
    t.skip('/usr/bin/time missing (apt-get install -y time)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'halog-mem-'));
  try {
    const small = join(dir, 'small.log');
    const big = join(dir, 'big.log');
    await writeLog({ seed: 5, bytes: 8 << 20, clients: 2000 }, small);
    await writeLog({ seed: 5, bytes: 96 << 20, clients: 2000 }, big);
    for (const flags of [['-s', '0', '-st'], ['-s', '0', '-srv'], ['-s', '0', '-pct'], ['-s', '0', '-ic'], ['-s', '0', '-e', '-q']]) {
      const a = peakRssKb(small, flags);
      const b = peakRssKb(big, flags);
      t.diagnostic(`halog ${flags.join(' ')}: ${Math.round(a / 1024)} MB on 8 MB, ${Math.round(b / 1024)} MB on 96 MB`);
      assert.ok(a > 0 && b > 0, 'RSS measured');
      assert.ok(b < a + 24 * 1024, `halog ${flags.join(' ')}: ${b} KB on 96 MB vs ${a} KB on 8 MB`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
