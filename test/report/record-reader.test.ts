import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseScanBuffer, takeScanBuffer } from '../../halog/parse/bytes.js';
import { CHUNK_SIZE } from '../../halog/read/chunks.js';
import { readRecords } from '../../halog/read/record-reader.js';
import { closeSources, openSources } from '../../halog/read/sources.js';
import { CORPUS } from '../helpers/paths.js';
import { generateLogBuffer } from '../../samples/generate/generate.js';
import type { CountSnapshot } from './status-count-job.js';
import type { Tally, TallyOptions } from './tally-job.js';

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

const TALLY_JOB = new URL('./tally-job.js', import.meta.url);

/** Runs `fn` on a generated log (6000 lines from `seed`) with HALOG_CHUNK_BYTES at `chunkBytes`, restored after. */
async function withTallyLog(seed: number, chunkBytes: number, fn: (file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'haloscope-wq-'));
  const chunkEnv = process.env.HALOG_CHUNK_BYTES;
  try {
    const file = join(dir, 'in.log');
    writeFileSync(file, generateLogBuffer({ seed, lines: 6000, format: 'local', malformedRate: 0.02, tcpRate: 0.05 }));
    process.env.HALOG_CHUNK_BYTES = String(chunkBytes);
    await fn(file);
  } finally {
    if (chunkEnv === undefined) delete process.env.HALOG_CHUNK_BYTES;
    else process.env.HALOG_CHUNK_BYTES = chunkEnv;
    rmSync(dir, { recursive: true, force: true });
  }
}

test('record reader: a job that merges in any order gets the same tallies from claimed chunks on 3 threads as on one', () =>
  withTallyLog(5, 65536, async (file) => {
    const one = await readRecords<TallyOptions, Tally>(openSources([file, file]), TALLY_JOB, { spinPerRecord: 0 }, { threads: 1 });
    let progressed = 0;
    const three = await readRecords<TallyOptions, Tally>(openSources([file, file]), TALLY_JOB, { spinPerRecord: 20000 }, {
      threads: 3,
      parallelMinBytes: 0,
      onProgress: (done, total) => {
        assert.ok(done >= progressed && done <= total, `progress ${done} of ${total} after ${progressed}`);
        progressed = done;
      },
    });
    assert.ok(three.threadsUsed >= 1, 'the workers took part');
    assert.deepEqual((three.job as unknown as { tally: Tally }).tally, (one.job as unknown as { tally: Tally }).tally);
    assert.deepEqual(three.stats, one.stats);
    assert.equal(progressed, one.stats.bytes);
    // the main thread read its claimed chunks into its SIMD scan buffer and gave it back
    const scan = takeScanBuffer(CHUNK_SIZE);
    assert.ok(scan, 'the scan buffer is free again after a claimed-chunks run');
    releaseScanBuffer(scan);
  }));

test('record reader: a worker whose job is full stops claiming chunks after the one it is in; the main thread reads the rest', () =>
  // ~35 chunks of 32 KB (~170 lines each); a worker is full after its first 200 records.
  withTallyLog(9, 32768, async (file) => {
    const one = await readRecords<TallyOptions, Tally>(openSources([file, file]), TALLY_JOB, {}, { threads: 1 });
    const two = await readRecords<TallyOptions, Tally>(openSources([file, file]), TALLY_JOB, { spinPerRecord: 20000, fullAfterRecords: 200 }, { threads: 2, parallelMinBytes: 0 });
    const main = two.job as unknown as { tally: Tally; parts: number[] };
    assert.equal(two.threadsUsed, 1, 'the worker took part');
    assert.equal(main.parts.length, 1);
    const worker = main.parts[0]!;
    assert.ok(worker >= 200 && worker < 200 + 2 * 170, `the worker stopped after the chunk that filled it: ${worker} records`);
    assert.deepEqual(main.tally, (one.job as unknown as { tally: Tally }).tally, 'every line read once');
    assert.deepEqual(two.stats, one.stats);
  }));
