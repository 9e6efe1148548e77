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

/**
 * The `clients` locator finds a canonical dotted quad by number and caches its row while the
 * table recycles none; other spellings of the same number (leading zeros) and IPv6 go by bytes.
 * Each must be the row findBytes gives for the address text, also once the table has become a
 * sketch that replaces rows (a cached id would then name another client).
 */
test('the clients locator finds the row of the address text (IPv4 by number, other forms by bytes, sketches)', () => {
  const r = randomInts(11);
  for (const capBytes of [64 << 20, 1 << 20]) {
    const table = new GroupTable(capBytes);
    const rec = new LogRecord();
    const locate = rowLocator({ kind: 'clients' }, { keepQuery: false, collapseIds: false }, 60000);
    for (let i = 0; i < 20000; i++) {
      // Mostly repeats of a few hundred clients, and enough others to fill the small table.
      const b = r(4) === 0 ? r(8000) : r(300);
      const form = r(10);
      const ip = form === 0 ? `2001:db8::${b.toString(16)}` : form === 1 ? `10.0${b >> 8}.0.${b & 255}` : `10.${b >> 8}.0.${b & 255}`;
      const line = `h p[1]: ${ip}:5 [24/Nov/2026:17:00:00.000] fe be/s 0/0/0/1/1 200 5 - - ---- 1/1/1/1/0 0/0 "GET / HTTP/1.1"`;
      const buf = Buffer.from(line, 'latin1');
      assert.ok(parseRecord(buf, 0, buf.length, rec), line);
      const id = locate(rec, table);
      assert.equal(table.key(id), ip, `line ${i}: ${ip} (table ${table.sketch ? 'sketch' : 'exact'})`);
    }
    // The small table turned into a sketch on the way, the large one did not.
    assert.equal(table.sketch, capBytes < 2 << 20);
  }
});
