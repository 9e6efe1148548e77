import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLogBuffer } from '../../samples/generate-log.js';
import { TIMERS } from '../../halog/analyze/latency.js';
import { mergedTable, timerIndexes } from '../../halog/analyze/part-run.js';
import { partitionOf } from '../../halog/analyze/partitioned-table.js';
import { Analyzer } from '../../halog/analyze/report-job.js';
import { buildTable, defaultSort } from '../../halog/analyze/result.js';
import { renderCsv } from '../../halog/output/csv.js';
import { renderJson } from '../../halog/output/json.js';
import { LogRecord, parseRecord } from '../../halog/parse/record.js';
import { analyzeOptions, parseReportArgs } from '../../halog/report-cli.js';
import { haloscope } from './run-report.js';

const INPUT = { input: { lines: 0, records: 0, invalid: 0, kept: 0, filtered: 0 } };

function feed(an: Analyzer, buf: Buffer): void {
  const rec = new LogRecord();
  for (let p = 0; p < buf.length;) {
    let nl = buf.indexOf(0x0a, p);
    if (nl < 0) nl = buf.length;
    if (nl > p && parseRecord(buf, p, nl, rec)) an.onRecord(rec);
    p = nl + 1;
  }
}

test('end phase: partitions sorted and computed apart, then merged, give the whole table report (sorts, --top, timers)', async () => {
  const log = generateLogBuffer({ seed: 61, lines: 6000, malformedRate: 0.002, tcpRate: 0.02, format: 'rfc3164' });
  const cases = [
    ['urls'], ['urls', '--sort', 'key'], ['urls', '--sort', '-key', '--top', '40'], ['urls', '--sort', 'Ta.p99', '--top', '100'],
    ['urls', '--sort', '-Tr.p50', '--timers', 'Tr,Tc'], ['clients', '--sort', '-req'], ['status', '--sort', 'bytes'], ['urls', '--top', '0'],
  ];
  for (const args of cases) {
    for (const parts of [2, 3]) {
      const cli = parseReportArgs([...args, '--csv']);
      const whole = new Analyzer(analyzeOptions(cli, 1));
      const options = analyzeOptions(cli, parts);
      assert.ok(options.end, `${args.join(' ')}: a run on ${parts} threads has an end phase`);
      const split = new Analyzer(options);
      feed(whole, log);
      feed(split, log);
      assert.ok(split.partitioned);
      // Every partition holds rows, and only those of its hashes.
      for (const t of split.partitioned.parts) assert.ok(t.size > 0 || args[0] === 'status');
      const timers = cli.timers ?? [...TIMERS];
      const ref = buildTable(cli.kind!, whole.tables[0]!, { timers, sort: cli.sort, top: cli.top });
      const got = mergedTable(cli.kind!, await split.endRuns(), { timers, sort: cli.sort ?? defaultSort(cli.kind!), top: cli.top ?? -1 });
      const label = `${args.join(' ')} in ${parts} parts`;
      assert.ok(ref.length > 0 || args.includes('0'), label);
      assert.deepEqual(got.meta, ref.meta, label);
      assert.equal(renderCsv(got), renderCsv(ref), label);
      assert.equal(renderJson(got, INPUT), renderJson(ref, INPUT), label);
      assert.deepEqual(options.end.timers, timerIndexes(timers));
    }
  }
});

test('end phase: partitionOf spreads hashes over the parts by their top bits', () => {
  for (const parts of [2, 3, 8]) {
    const seen = new Array<number>(parts).fill(0);
    for (let i = 0; i < 4096; i++) {
      const h = Math.imul(i + 1, 0x9e3779b1);
      const p = partitionOf(h, parts);
      assert.ok(p >= 0 && p < parts);
      seen[p]!++;
    }
    for (const n of seen) assert.ok(n > 4096 / parts / 2, `${parts} parts: ${seen.join(' ')}`);
    // The low bit (what a table's slots use) does not pick the part.
    assert.equal(partitionOf(0x7fff0000, parts), partitionOf(0x7fff0001, parts));
  }
});

test('end phase: three threads over small chunks write what one thread writes, in every machine format', () => {
  const dir = mkdtempSync(join(tmpdir(), 'h6-end-'));
  try {
    const f = join(dir, 'a.log');
    writeFileSync(f, generateLogBuffer({ seed: 62, lines: 12000, malformedRate: 0.002, tcpRate: 0.02, format: 'rfc3164' }));
    const three = { HALOG_THREADS: '3', HALOG_PARALLEL_MIN_BYTES: '0', HALOG_CHUNK_BYTES: '65536' };
    for (const args of [['urls', '--csv'], ['urls', '--tsv', '--sort', 'Ta.p99', '--top', '30'], ['clients', '--ndjson', '--sort', 'key'], ['servers', '--json']]) {
      const a = haloscope(['report', ...args, '-q', f], { HALOG_THREADS: '1' });
      const b = haloscope(['report', ...args, '-q', f], three);
      assert.equal(a.status, 0, a.err);
      assert.equal(b.status, 0, b.err);
      assert.ok(a.out.length > 200, args.join(' '));
      assert.equal(b.out, a.out, `${args.join(' ')}: 3 threads = 1 thread`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
