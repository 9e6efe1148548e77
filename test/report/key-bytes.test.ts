import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupTable } from '../../halog/analyze/group-table.js';
import { buildTable, type ReportTable } from '../../halog/analyze/result.js';
import { renderCsv } from '../../halog/output/csv.js';
import { renderJson } from '../../halog/output/json.js';
import { renderNdjson } from '../../halog/output/ndjson.js';
import { renderTsv } from '../../halog/output/tsv.js';
import { randomInts } from '../helpers/random.js';

/**
 * CSV, TSV, JSON and NDJSON write a key that needs no quoting, escaping or formula guard
 * straight from its bytes in the table (ReportTable.keyBytes), and any other key through its
 * string. Both ways must give the same bytes: every format of a table is compared with the
 * same table without keyBytes (the string path for every key).
 */

const TRICKY = ['', '/', '/a,b', '/"q"', '/back\\slash', '/tab\there', '/cr\rlf\n', '/cr\ronly', '/lf\nonly', '\rlead', '-', '----', '-2+3', '=1+1', '+x', '@SUM(1)', '\tlead',
  '/caf\xe9', '/\xff\x80\xa0', '/ctl\x01\x1f', '/us\x1f', '/semi;colon', "/quote'", '/sp ace', '/\x7f'];

function keys(n: number, seed: number): string[] {
  const r = randomInts(seed);
  const out = new Set(TRICKY);
  while (out.size < n) {
    let k = '';
    const len = r(12);
    for (let i = 0; i < len; i++) k += String.fromCharCode(r(4) === 0 ? r(256) : 0x2f + r(0x4c));
    out.add(k);
  }
  return [...out];
}

function tableOf(ks: string[]): GroupTable {
  const table = new GroupTable(64 << 20);
  ks.forEach((k, i) => {
    const id = table.findString(k);
    table.counts[id * 9]! += 1 + (i % 7);
    table.lat.record(id * 6 + 4, i % 50);
  });
  return table;
}

test('keys written from their bytes equal keys written from their strings, in every format', () => {
  for (const seed of [1, 2, 3]) {
    const table = tableOf(keys(400, seed));
    const t = buildTable({ kind: 'urls' }, table, { timers: ['Ta'] });
    assert.ok(t.keyBytes, 'buildTable gives key bytes');
    const strings: ReportTable = { ...t, keyBytes: undefined };
    for (const raw of [false, true]) {
      assert.equal(renderCsv(t, { rawCells: raw }), renderCsv(strings, { rawCells: raw }), `csv raw=${raw} seed ${seed}`);
      assert.equal(renderTsv(t, { rawCells: raw }), renderTsv(strings, { rawCells: raw }), `tsv raw=${raw} seed ${seed}`);
    }
    const ctx = { input: { lines: 0, records: 0, invalid: 0, kept: 0, filtered: 0 } };
    assert.equal(renderJson(t, ctx), renderJson(strings, ctx));
    assert.equal(renderNdjson(t), renderNdjson(strings));
    // The JSON keys read back as the keys themselves.
    const rows = renderNdjson(t).trimEnd().split('\n').map((l) => (JSON.parse(l) as { url: string }).url);
    assert.deepEqual(rows.slice().sort(), Array.from({ length: t.length }, (_, i) => t.key(i)).sort());
  }
});

test('a row key read as a string follows the rows added after it and the rows a sketch recycles', () => {
  const table = new GroupTable(64 << 20);
  const first = ['/a', '/b', '/c'].map((k) => table.findString(k));
  assert.deepEqual(first.map((id) => table.key(id)), ['/a', '/b', '/c']);
  // Rows added after the strings were first read (the string cache was made for three rows).
  const later = Array.from({ length: 100 }, (_, i) => table.findString(`/later/${i}`));
  for (let i = 0; i < later.length; i++) assert.equal(table.key(later[i]!), `/later/${i}`);

  // A sketch gives a new key the row of the least counted one: the row's string must follow.
  const small = new GroupTable(1 << 16);
  let n = 0;
  while (!small.sketch) {
    const id = small.findString(`/k/${n++}`);
    small.counts[id * 9]! += 1;
    small.counted(id);
  }
  const ids = small.ids();
  for (const id of ids) assert.match(small.key(id), /^\/k\/\d+$/);
  for (let i = 0; i < 50; i++) {
    const id = small.findString(`/new/${i}`);
    small.counts[id * 9]! += 1;
    small.counted(id);
    assert.equal(small.key(id), `/new/${i}`);
  }
});
