import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Col, GroupTable, NCOLS } from '../../halog/analyze/group-table.js';
import { NTIMERS } from '../../halog/analyze/latency.js';
import { Analyzer } from '../../halog/analyze/report-job.js';
import { LogRecord, parseRecord } from '../../halog/parse/record.js';
import { analyzeOptions, parseReportArgs } from '../../halog/report-cli.js';
import { haloscope, reportInProcess } from './run-report.js';
import { randomInts } from '../helpers/random.js';

/** Log line `i` of a test log: a request for `url` from its own client address. */
function lineFor(url: string, i: number): string {
  return `<134>Nov 24 17:10:49 haproxy[1]: 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:1000 [24/Nov/2026:17:10:${String(i % 60).padStart(2, '0')}.931] fe_web bk_app/app1 0/0/0/${i % 50}/${i % 50} 200 10 - - ---- 1/1/1/1/0 0/0 "GET ${url} HTTP/1.1"`;
}

/** A log of requests for `urls` in an order shuffled by `seed` (deterministic), so repeated URLs spread over the whole log. */
function shuffledLog(urls: string[], seed: number): Buffer {
  const rand = randomInts(seed);
  for (let i = urls.length - 1; i > 0; i--) {
    const j = rand(i + 1);
    [urls[i], urls[j]] = [urls[j]!, urls[i]!];
  }
  return Buffer.from(urls.map(lineFor).join('\n') + '\n', 'latin1');
}

/** 15 000 lines: 12 000 distinct one-hit URLs and three heavy hitters, interleaved. */
function hostileLog(): { buf: Buffer; hot: Map<string, number> } {
  const hot = new Map([['/hot/a', 1500], ['/hot/b', 1000], ['/hot/c', 500]]);
  const urls: string[] = [];
  for (const [u, n] of hot) for (let i = 0; i < n; i++) urls.push(u);
  for (let i = 0; i < 12000; i++) urls.push(`/scan/${i.toString(36)}/${(i * 7919).toString(16)}.php`);
  return { buf: shuffledLog(urls, 12345), hot };
}

test('memory cap: past --max-memory, urls become a space-saving sketch that still finds the heavy hitters within its stated error', () => {
  const { buf, hot } = hostileLog();
  const exact = reportInProcess(['urls', '--top', '1'], buf);
  assert.equal(exact.approximate, false);
  assert.equal(exact.totalRows, 12003);
  const r = reportInProcess(['urls', '--max-memory', '1M', '--top', '10'], buf);
  assert.equal(r.approximate, true);
  assert.ok(r.totalRows < 12003 / 4, `table bounded: ${r.totalRows} rows`);
  assert.ok(r.columns.some((c) => c.name === 'req_err'));
  const rows = new Map(r.rows.map((row) => [row.url as string, row]));
  for (const [u, n] of hot) {
    const row = rows.get(u);
    assert.ok(row, `heavy hitter ${u} kept`);
    const c = row.req as number;
    const e = row.req_err as number;
    assert.ok(c >= n && c - e <= n, `${u}: true count ${n} within [${c - e}, ${c}]`);
    assert.ok(e <= r.errorBound);
  }
  assert.deepEqual(r.rows.slice(0, 3).map((x) => x.url), ['/hot/a', '/hot/b', '/hot/c']);
  // Space-saving bound: over-count <= N / rows.
  assert.ok(r.errorBound <= Math.ceil(buf.toString('latin1').split('\n').length / r.totalRows) + 1);
});

test('memory cap: the CLI says the report is approximate and by how much', () => {
  const dir = mkdtempSync(join(tmpdir(), 'h6-cap-'));
  try {
    const f = join(dir, 'hostile.log');
    writeFileSync(f, hostileLog().buf);
    const text = haloscope(['report', 'urls', '--text', '--max-memory', '1M', '--top', '3', f], { HALOG_THREADS: '1' });
    assert.match(text.out, /# approximate: memory cap reached, \d+ keys evicted; req may over-count by up to \d+ \(column req_err per row\)/);
    const csv = haloscope(['report', 'urls', '--max-memory', '1M', '--top', '3', '--csv', f], { HALOG_THREADS: '2', HALOG_PARALLEL_MIN_BYTES: '0' });
    assert.match(csv.err, /approximate: memory cap reached, req may over-count by up to \d+/);
    assert.match(csv.out.split('\r\n')[1]!, /^\/hot\/a,/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * 300 000 lines, 75 000 URLs of 4 lines each spread over the whole log (a worker that reads a
 * third of it holds most of the URLs): about 36 MB of table estimate for the whole log.
 */
function repeatedKeysLog(): Buffer {
  const urls: string[] = [];
  for (let i = 0; i < 75000; i++) for (let k = 0; k < 4; k++) urls.push(`/items/${i.toString(36)}/${(i * 7919).toString(16)}`);
  return shuffledLog(urls, 777);
}

test('memory cap: two threads give one thread\'s exact report when the table fits the whole budget but not a worker\'s share', () => {
  // --max-memory 210M: the tables get 41 MB, a worker's share is half of it. The whole table
  // (~36 MB) fits; the worker's part does not. A worker past its share used to turn its table
  // into a sketch, so the merged report came out approximate where one thread's is exact.
  const dir = mkdtempSync(join(tmpdir(), 'h6-share-'));
  try {
    const f = join(dir, 'repeated.log');
    writeFileSync(f, repeatedKeysLog());
    const args = ['report', 'urls', '--csv', '--max-memory', '210M', f];
    const env = { HALOG_PARALLEL_MIN_BYTES: '0', HALOG_CHUNK_BYTES: '262144' };
    const one = haloscope(args, { ...env, HALOG_THREADS: '1' });
    assert.equal(one.status, 0, one.err);
    assert.doesNotMatch(one.err, /approximate/);
    assert.equal(one.out.split('\r\n').length, 75000 + 2);
    for (let run = 0; run < 2; run++) {
      const two = haloscope(args, { ...env, HALOG_THREADS: '2' });
      assert.equal(two.status, 0, two.err);
      assert.doesNotMatch(two.err, /approximate/);
      assert.ok(two.out === one.out, 'two threads print what one thread prints');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('memory cap: a table told to stop when full stays exact past its budget, and merges into a larger one as if read there', () => {
  const small = new GroupTable(1 << 20);
  small.stopWhenFull = true;
  const whole = new GroupTable(64 << 20);
  const keys = Array.from({ length: 6000 }, (_, i) => Buffer.from(`/k/${i}`, 'latin1'));
  for (const [i, key] of keys.entries()) {
    for (const t of [small, whole]) {
      const id = t.findBytes(key);
      t.counts[id * NCOLS + Col.req]!++;
      t.lat.recordRow(id, i % 7, -1, 1, i % 50, i % 60, -1);
    }
    if (i % 1000 === 999) small.checkBudget();
  }
  assert.ok(small.estimatedBytes() > small.capBytes, 'past its budget');
  assert.equal(small.full, true);
  assert.equal(small.sketch, false);
  assert.equal(small.size, keys.length);
  assert.equal(small.evictions, 0);
  // A plain table of the same budget becomes a sketch instead.
  const plain = new GroupTable(1 << 20);
  for (const key of keys) plain.findBytes(key);
  assert.equal(plain.sketch, true);
  const merged = new GroupTable(64 << 20);
  merged.merge(small.move());
  assert.equal(merged.sketch, false);
  assert.equal(merged.size, whole.size);
  for (const key of keys) {
    const a = merged.findBytes(key);
    const b = whole.findBytes(key);
    assert.equal(merged.counts[a * NCOLS + Col.req], whole.counts[b * NCOLS + Col.req]);
    assert.deepEqual(merged.lat.stats(a * NTIMERS + 4), whole.lat.stats(b * NTIMERS + 4));
  }
});

test('memory cap: a worker counts itself full when one more chunk like the last would pass its share', () => {
  const an = new Analyzer(analyzeOptions(parseReportArgs(['urls']), 2), 1 << 20);
  const isFull = an.stopWhenFull();
  const table = an.tables[0]!;
  const rec = new LogRecord();
  let n = 0;
  /** A chunk of `count` lines, each a URL not seen before. */
  const chunk = (count: number): void => {
    for (let end = n + count; n < end; n++) {
      const line = Buffer.from(lineFor(`/u/${n}`, n), 'latin1');
      assert.ok(parseRecord(line, 0, line.length, rec));
      an.onRecord(rec);
    }
  };
  // Chunks of k new URLs, k such that two chunks take 80 % of the share: a third would pass it.
  chunk(100);
  const k = Math.floor(table.capBytes / (table.estimatedBytes() / 100) / 2.5);
  chunk(k - 100);
  assert.equal(isFull(), false, 'two chunks like it fit');
  chunk(k);
  assert.ok(table.estimatedBytes() < table.capBytes, 'still under the share');
  assert.equal(table.full, false);
  assert.equal(isFull(), true, 'a third chunk like it would not fit');
  assert.equal(table.sketch, false);
});
