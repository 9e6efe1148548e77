import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Col, GroupTable, NCOLS } from '../../halog/analyze/group-table.js';
import { sortedIds } from '../../halog/analyze/result.js';
import { randomFloats } from '../helpers/random.js';

/**
 * GroupTable.sortByKey sorts on key bytes (multikey quicksort) and sortedIds sorts values as
 * packed doubles, then runs of ties by key: both must give exactly the order of the plain
 * definition (docs/reports.md: by value, ties by key ascending as JS strings compare).
 */


function tableOf(keys: string[]): { table: GroupTable; ids: number[] } {
  const table = new GroupTable(64 << 20);
  const ids = keys.map((k) => table.findString(k));
  return { table, ids };
}

const byString = (table: GroupTable) => (a: number, b: number): number => {
  const ka = table.key(a);
  const kb = table.key(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/** Keys with shared prefixes, prefixes of each other, the empty key, NUL bytes and latin1 bytes above 0x7f. */
function keys(n: number, seed: number): string[] {
  const r = randomFloats(seed);
  const stems = ['/products/', '/api/items/', '/', '', '/static/css/', '/\xe9t\xe9/', '/products/1', '/nul\x00', '/nul\x00\x00', '/nul'];
  const out = new Set<string>();
  while (out.size < n) {
    let k = stems[Math.floor(r() * stems.length)]!;
    const len = Math.floor(r() * 12);
    for (let i = 0; i < len; i++) {
      const x = r();
      // NUL bytes: the key sort pads words past a key's end with zeros.
      k += String.fromCharCode(x < 0.05 ? 0 : x < 0.15 ? 0x80 + Math.floor(r() * 0x80) : 0x2f + Math.floor(r() * 0x4c));
    }
    out.add(k);
  }
  return [...out];
}

test('sortByKey orders rows as their keys compare as strings (prefixes, empty key, bytes above 0x7f)', () => {
  for (const [n, seed] of [[1, 1], [15, 2], [16, 3], [300, 4], [20000, 5]] as const) {
    const { table, ids } = tableOf(keys(n, seed));
    const expected = ids.slice().sort(byString(table));
    const got = ids.slice();
    table.sortByKey(got);
    assert.deepEqual(got, expected, `n=${n}`);
  }
});

test('sortByKey sorts a sub-range only, long shared prefixes, and through the comparator fallback', () => {
  const { table, ids } = tableOf(keys(500, 7));
  const got = ids.slice();
  table.sortByKey(got, 100, 400);
  assert.deepEqual(got.slice(0, 100), ids.slice(0, 100));
  assert.deepEqual(got.slice(400), ids.slice(400));
  assert.deepEqual(got.slice(100, 400), ids.slice(100, 400).sort(byString(table)));
  // 2000 keys sharing a 300-byte prefix: each byte of it is one round that only goes deeper.
  const prefix = '/a'.repeat(150);
  const r = randomFloats(9);
  const long = tableOf(Array.from({ length: 2000 }, (_, i) => `${prefix}${Math.floor(r() * 1e9)}-${i}`));
  const sorted = long.ids.slice();
  long.table.sortByKey(sorted);
  assert.deepEqual(sorted, long.ids.slice().sort(byString(long.table)));
  // Few rounds allowed: ranges are finished by the native sort with a byte comparator, from the depth reached.
  for (const rounds of [0, 1, 3]) {
    const { table: t, ids: all } = tableOf(keys(3000, 13 + rounds));
    const got = all.slice();
    t.sortByKey(got, 0, got.length, rounds);
    assert.deepEqual(got, all.slice().sort(byString(t)), `rounds=${rounds}`);
  }
});

test('sortedIds: by value then key, packed or not (large byte sums, latency values), both directions', () => {
  const { table, ids } = tableOf(keys(5000, 11));
  const r = randomFloats(12);
  for (const id of ids) {
    // Few distinct request counts (long runs of ties), byte sums past 2^32 on some rows.
    table.counts[id * NCOLS + Col.req] = 1 + Math.floor(r() * 4);
    table.counts[id * NCOLS + Col.bytes] = Math.floor(r() * 3) * 2 ** 33 + Math.floor(r() * 10);
    table.counts[id * NCOLS + Col.err] = Math.floor(r() * 50);
    if (r() < 0.7) table.lat.record(id * 6 + 4, Math.floor(r() * 5000));
  }
  const plain = (sort: string): number[] => {
    const asc = sort.startsWith('-');
    const key = sort.replace(/^-/, '');
    const value = (id: number): number => {
      if (key === 'req') return table.counts[id * NCOLS + Col.req]!;
      if (key === 'bytes') return table.counts[id * NCOLS + Col.bytes]!;
      if (key === 'err') return table.counts[id * NCOLS + Col.err]!;
      const st = table.lat.stats(id * 6 + 4);
      return st.count ? st.max : -1;
    };
    return table.ids().sort((a, b) => {
      const d = value(a) - value(b);
      if (d !== 0) return asc ? d : -d;
      return byString(table)(a, b);
    });
  };
  for (const sort of ['req', '-req', 'bytes', '-bytes', 'err', 'Ta.max', '-Ta.max']) assert.deepEqual(sortedIds(table, sort), plain(sort), sort);
  const keyOrder = table.ids().sort(byString(table));
  assert.deepEqual(sortedIds(table, '-key'), keyOrder);
  assert.deepEqual(sortedIds(table, 'key'), keyOrder.slice().reverse());
});
