import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRecords } from '../../halog/read/record-reader.js';
import { closeSources, openSources } from '../../halog/read/sources.js';
import { CORPUS } from '../helpers/paths.js';
import type { CountSnapshot } from './status-count-job.js';

const JOB = new URL('./status-count-job.js', import.meta.url);
const sorted = <K, V>(m: Map<K, V>): [K, V][] => [...m].sort((a, b) => String(a[0]).localeCompare(String(b[0])));

async function run(files: string[], threads: number): Promise<{ snap: CountSnapshot; stats: { lines: number; records: number; invalid: number; bytes: number }; threadsUsed: number; progress: number }> {
  const sources = openSources(files);
  let progress = 0;
  try {
    const r = await readRecords<{ keepOrder: boolean }, CountSnapshot>(sources, JOB, { keepOrder: true }, { threads, parallelMinBytes: 0, onProgress: (d) => (progress = d) });
    return { snap: r.job.snapshot(), stats: r.stats, threadsUsed: r.threadsUsed, progress };
  } finally {
    closeSources(sources);
  }
}

test('record reader: worker threads over ranges and gzip give the same records, in input order, as one thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'h6-reader-'));
  try {
    const log = readFileSync(join(CORPUS, 'access.log'));
    const half = log.indexOf(0x0a, log.length >> 1) + 1;
    const a = join(dir, 'a.log');
    const b = join(dir, 'b.log.gz');
    const c = join(dir, 'c.log');
    writeFileSync(a, log.subarray(0, half));
    writeFileSync(b, gzipSync(log.subarray(half)));
    writeFileSync(c, log);
    const files = [a, b, c];
    const one = await run(files, 1);
    const two = await run(files, 2);
    const three = await run(files, 3);
    assert.equal(one.threadsUsed, 0);
    assert.equal(two.threadsUsed, 2);
    // 7661 corpus lines, twice; 12 non-traffic lines each time.
    assert.equal(one.stats.lines, 2 * 7661);
    assert.equal(one.stats.invalid, 2 * 12);
    assert.equal(one.stats.records, 2 * 7649);
    for (const other of [two, three]) {
      assert.deepEqual(other.stats, one.stats);
      assert.deepEqual(sorted(other.snap.status), sorted(one.snap.status));
      assert.deepEqual(sorted(other.snap.clients), sorted(one.snap.clients));
      assert.deepEqual(sorted(other.snap.invalid), sorted(one.snap.invalid));
      assert.deepEqual(other.snap.order, one.snap.order, 'records are merged in input order');
      assert.equal(other.progress, one.stats.bytes, 'progress reaches the input size');
    }
    assert.equal(one.snap.clients.get('127.2.7.70'), 2 * 2500);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
