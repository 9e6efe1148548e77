import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'csv-stringify/sync';
import { GroupTable, NCOLS } from '../../halog/analyze/group-table.js';
import { NTIMERS, TIMERS } from '../../halog/analyze/latency.js';
import { buildTable, rowCells } from '../../halog/analyze/result.js';
import { cellWriter } from '../../halog/output/cell-writer.js';
import { renderCsv } from '../../halog/output/csv.js';
import { renderJson } from '../../halog/output/json.js';
import { renderNdjson } from '../../halog/output/ndjson.js';
import { renderTsv } from '../../halog/output/tsv.js';
import { randomInts } from '../helpers/random.js';

/** Values at every digit count and at the edges of the writer's paths (uint32, past it, refused). */
function values(seed: number): number[] {
  const r = randomInts(seed);
  const out = [0, -0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 9999, 10000, 65535, 99999, 100000, 999999999, 1e9, 0x7fffffff, 0x80000000, 0xffffffff, 2 ** 32, 2 ** 32 + 1, 1e10, 1e15 + 7, 2 ** 53 - 1, NaN];
  for (let d = 1; d <= 16; d++) out.push(10 ** d - 1, 10 ** d);
  for (let i = 0; i < 2000; i++) out.push(r(1 << 30) >>> r(31), r(1 << 30) * 2 ** r(23));
  return out.filter((v) => !(v >= 2 ** 53));
}

test('the cell writer writes each cell after its prefix as String() does, NaN as the null text, and refuses what is not a plain integer', () => {
  // Prefixes of 0 to 19 bytes take every mix of 8-, 4-, 2- and 1-byte stores.
  const prefixes = Array.from({ length: 20 }, (_, n) => ',"name_p99.9_xyz"'.padEnd(n, '#').slice(0, n));
  for (const [nullText, suffix] of [['null', '}'], ['', '\r\n'], ['-', '']] as const) {
    const w = cellWriter(prefixes, nullText, suffix, 1 << 16);
    assert.ok(w, 'WebAssembly is available');
    const vals = values(prefixes.length + nullText.length);
    for (let i = 0; i + prefixes.length <= vals.length; i += prefixes.length) {
      const row = vals.slice(i, i + prefixes.length);
      w.nums.set(row);
      const at = i % 97;
      const end = w.write(at);
      const want = prefixes.map((p, k) => p + (Number.isNaN(row[k]!) ? nullText : String(row[k]!))).join('') + suffix;
      assert.equal(w.out.toString('utf8', at, end), want, `row ${row.join(',')}`);
      assert.ok(end - at <= w.maxBytes);
    }
    for (const bad of [1.5, -1, -0.5, 2 ** 53, 1e21, Infinity, -Infinity]) {
      w.nums.fill(7);
      w.nums[prefixes.length - 1] = bad;
      assert.equal(w.write(0), -1, `${bad} is refused`);
    }
  }
});

/** Rows whose counters and timers hold the values above (and some a writer refuses), six timers each. */
function tableOf(seed: number): GroupTable {
  const r = randomInts(seed);
  const vals = values(seed);
  const table = new GroupTable(64 << 20);
  for (let row = 0; row < 400; row++) {
    // One key longer than the output buffer: written through a larger one, then back to the writer's.
    const id = table.findString(row === 200 ? `/big/${'x'.repeat(300_000)}` : `/row/${row}`);
    for (let c = 0; c < NCOLS; c++) table.counts[id * NCOLS + c] = vals[r(vals.length)]!;
    // A few rows the writer refuses: JavaScript writes them.
    if (row % 50 === 7) table.counts[id * NCOLS + 8] = [1.5, -3, 2 ** 53, 1e21, Infinity][r(5)]!;
    table.counts[id * NCOLS]! += 1;
    const lines = [1, 1, 2, 5, 300][r(5)]!;
    for (let l = 0; l < lines; l++) {
      for (let t = 0; t < NTIMERS; t++) {
        if ((row + t) % 5 === 0) continue;
        table.lat.record(id * NTIMERS + t, [0, r(100), r(70_000), (vals[r(vals.length)]! % 2 ** 31) || 0][r(4)]!);
      }
    }
  }
  return table;
}

test('every format writes the rows of JSON.stringify, csv-stringify and joined TSV cells, through the cell writer or not', () => {
  for (const seed of [1, 2]) {
    const t = buildTable({ kind: 'urls' }, tableOf(seed), { timers: [...TIMERS] });
    const names = t.columns.map((c) => c.name);
    const rows = Array.from({ length: t.length }, (_, i) => rowCells(t, i));
    const objects = rows.map((cells) => JSON.stringify(Object.fromEntries(names.map((n, k) => [n, cells[k]]))));
    assert.equal(renderNdjson(t), objects.map((o) => `${o}\n`).join(''));
    const json = renderJson(t, { input: { lines: 0, records: 0, invalid: 0, kept: 0, filtered: 0 } });
    assert.ok(json.includes(`"rows": [\n    ${objects.join(',\n    ')}\n  ]\n}\n`), 'JSON rows');
    const text = (v: string | number | null): string => (v === null ? '' : String(v));
    assert.equal(renderCsv(t), stringify([names, ...rows.map((cells) => cells.map(text))], { record_delimiter: 'windows' }));
    assert.equal(renderTsv(t), [names, ...rows.map((cells) => cells.map(text))].map((cells) => `${cells.join('\t')}\n`).join(''));
    assert.ok(rows.some((cells) => cells.some((v) => typeof v === 'number' && !Number.isInteger(v))), 'some rows go through JavaScript');
  }
});
