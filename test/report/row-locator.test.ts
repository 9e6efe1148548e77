import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupTable } from '../../halog/analyze/group-table.js';
import { rowLocator } from '../../halog/analyze/kinds.js';
import { LogRecord, parseRecord } from '../../halog/parse/record.js';
import { randomInts } from '../helpers/random.js';

/**
 * The `urls` row locator hashes the URL while it looks for the '?' or ';' that ends the key, a
 * word at a time; the table finds rows by that hash. So it must give exactly hashBytes of the
 * key it cuts, for every length and every place of the cut (in a word or after it): a row found
 * by the locator must be the row findBytes finds for the cut key, and different keys different rows.
 */
test('the urls locator finds the row of the cut key (any length, any cut position, odd offsets)', () => {
  const r = randomInts(7);
  const table = new GroupTable(64 << 20);
  const rec = new LogRecord();
  const locate = rowLocator({ kind: 'urls' }, { keepQuery: false, collapseIds: false }, 60000);
  const rows = new Map<string, number>();
  for (let i = 0; i < 4000; i++) {
    let path = '/';
    const len = r(14);
    for (let k = 0; k < len; k++) path += String.fromCharCode(0x61 + r(4));
    const tail = r(3) === 0 ? '' : (r(2) ? '?' : ';') + 'q=' + 'x'.repeat(r(6)) + (r(2) ? '?;' : '');
    // A random number of leading spaces puts the URL at every offset modulo 4.
    const line = `${' '.repeat(r(4))}h p[1]: 10.0.0.1:5 [24/Nov/2026:17:00:00.000] fe be/s 0/0/0/1/1 200 5 - - ---- 1/1/1/1/0 0/0 "GET ${path}${tail} HTTP/1.1"`;
    const buf = Buffer.from(line, 'latin1');
    assert.ok(parseRecord(buf, 0, buf.length, rec), line);
    const id = locate(rec, table);
    assert.equal(table.findBytes(Buffer.from(path, 'latin1')), id, `${path}${tail}`);
    const before = rows.get(path);
    if (before === undefined) rows.set(path, id);
    else assert.equal(id, before);
  }
  assert.equal(table.size, rows.size);
  assert.equal(new Set(rows.values()).size, rows.size);
});
