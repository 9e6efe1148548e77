import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupTable } from '../../halog/analyze/group-table.js';
import { TIMERS } from '../../halog/analyze/latency.js';
import { buildTable, type ReportTable } from '../../halog/analyze/result.js';
import { renderCsv } from '../../halog/output/csv.js';
import { renderJson } from '../../halog/output/json.js';
import { renderNdjson } from '../../halog/output/ndjson.js';
import { renderTsv } from '../../halog/output/tsv.js';
import { randomInts } from '../helpers/random.js';

/**
 * CSV, TSV, JSON and NDJSON write a run of equal cells (ReportTable.equalRuns: a timer's
 * statistics when it has one value) from bytes made once per value, and any other run cell by
 * cell. Both must give the same bytes: every format of a table is compared with the same table
 * without equalRuns, on rows whose timers hold one value (0, small, at and past the cached
 * range), several values, or none.
 */

const COUNT = 0;

/** 600 rows; with a small `capBytes` the table becomes a sketch (a req_err column comes before the timers). */
function tableOf(seed: number, capBytes = 64 << 20): GroupTable {
  const r = randomInts(seed);
  const table = new GroupTable(capBytes);
  for (let row = 0; row < 600; row++) {
    const id = table.findString(`/row/${row}`);
    const lines = [1, 1, 1, 2, 3, 40][r(6)]!;
    table.counts[id * 9 + COUNT]! += lines;
    table.counted(id);
    for (let l = 0; l < lines; l++) {
      for (let t = 0; t < TIMERS.length; t++) {
        // Some timers never get a value (null cells); the others one value per line.
        if ((row + t) % 5 === 0) continue;
        const v = [0, 1 + r(50), 4095, 4096, 65_000 + r(10)][r(5)]!;
        table.lat.record(id * TIMERS.length + t, v);
      }
    }
  }
  return table;
}

test('runs of equal cells written from cached bytes equal the same cells written one by one, in every format', () => {
  for (const seed of [1, 2, 3]) {
    for (const capBytes of [64 << 20, 1 << 16]) {
      const t = buildTable({ kind: 'urls' }, tableOf(seed, capBytes), { timers: [...TIMERS] });
      assert.equal(t.meta.approximate, capBytes < 1 << 20);
      assert.equal(t.equalRuns?.length, TIMERS.length);
      const cellByCell: ReportTable = { ...t, equalRuns: undefined };
      const what = `seed ${seed}, approximate ${t.meta.approximate}`;
      for (const raw of [false, true]) {
        assert.equal(renderCsv(t, { rawCells: raw }), renderCsv(cellByCell, { rawCells: raw }), `csv raw=${raw} ${what}`);
        assert.equal(renderTsv(t, { rawCells: raw }), renderTsv(cellByCell, { rawCells: raw }), `tsv raw=${raw} ${what}`);
      }
      const ctx = { input: { lines: 0, records: 0, invalid: 0, kept: 0, filtered: 0 } };
      assert.equal(renderJson(t, ctx), renderJson(cellByCell, ctx), `json ${what}`);
      assert.equal(renderNdjson(t), renderNdjson(cellByCell), `ndjson ${what}`);
    }
  }
});

test('a run of equal cells is one timer: its first column is the p50 and it ends with the max', () => {
  for (const capBytes of [64 << 20, 1 << 16]) {
    const t = buildTable({ kind: 'urls' }, tableOf(4, capBytes), { timers: ['Ta', 'Tr'] });
    assert.equal(t.equalRuns?.length, 2);
    for (const [first, count] of t.equalRuns ?? []) {
      assert.match(t.columns[first]!.name, /_p50$/);
      assert.match(t.columns[first + count - 1]!.name, /_max$/);
      assert.equal(t.columns[first]!.name.split('_')[0], t.columns[first + count - 1]!.name.split('_')[0]);
    }
  }
});
