/**
 * KeyTable compares keys 8 bytes a step as doubles: keys whose 8-byte pieces are +0 and -0
 * (equal as doubles, different bytes) or NaN (never equal as doubles, whatever the bytes) must
 * still be told apart, or found again, exactly as their bytes say.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyTable } from '../../halog/report/key-table.js';
import { randomInts } from '../helpers/random.js';

/** 8-byte pieces (little-endian doubles): +0, -0, two NaNs, infinities, ordinary text. */
const PIECES = [
  [0, 0, 0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0, 0x80],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  [0, 0, 0, 0, 0, 0, 0xf0, 0x7f],
  [0, 0, 0, 0, 0, 0, 0xf0, 0xff],
  [...Buffer.from('Mozilla/', 'latin1')],
  [...Buffer.from('Mozilla.', 'latin1')],
];

function randomKey(rand: (n: number) => number): number[] {
  const key: number[] = [];
  for (let n = rand(5); n > 0; n--) key.push(...PIECES[rand(PIECES.length)]!);
  for (let n = rand(8); n > 0; n--) key.splice(rand(key.length + 1), 0, rand(256));
  return key;
}

test('key table: keys of +0, -0 and NaN pieces are found again and told apart by their bytes', () => {
  const rand = randomInts(808);
  const table = new KeyTable(1, 16, 64);
  const rowOf = new Map<string, number>();
  const buf = Buffer.alloc(256);
  for (let i = 0; i < 20000; i++) {
    const key = randomKey(rand);
    const at = rand(buf.length - key.length);
    buf.set(key, at);
    const row = table.indexOf(buf, at, at + key.length);
    const name = Buffer.from(key).toString('hex');
    const seen = rowOf.get(name);
    if (seen === undefined) {
      assert.ok(![...rowOf.values()].includes(row), `key ${name} took the row of another key`);
      rowOf.set(name, row);
    } else assert.equal(row, seen, `key ${name} found at another row`);
    // equals() against some stored row: true exactly when the bytes are the same.
    const other = rand(table.size);
    assert.equal(table.equals(other, buf, at, at + key.length), Buffer.compare(table.key(other), Buffer.from(key)) === 0, `row ${other} against ${name}`);
  }
  assert.equal(table.size, rowOf.size);
  assert.ok(table.size > 1000, `${table.size} distinct keys`);
});

test('key table: equals() on every pair of two-piece keys (each 8-byte piece +0, -0, NaN or text) is true only for the same bytes', () => {
  const table = new KeyTable(1, 16, 64);
  const keys: Buffer[] = [];
  for (const a of PIECES) for (const b of PIECES) for (const tail of [[], [0x2f], [0x2f, 0, 0, 0, 0x80]]) keys.push(Buffer.from([...a, ...b, ...tail]));
  const rows = keys.map((k) => table.indexOf(k, 0, k.length));
  assert.equal(new Set(rows).size, keys.length, 'every key its own row');
  const buf = Buffer.alloc(64);
  for (let i = 0; i < keys.length; i++) {
    for (let j = 0; j < keys.length; j++) {
      // At an odd offset too: the doubles are read unaligned.
      const at = (i + j) % 3;
      keys[j]!.copy(buf, at);
      assert.equal(table.equals(rows[i]!, buf, at, at + keys[j]!.length), i === j, `row of ${keys[i]!.toString('hex')} against ${keys[j]!.toString('hex')}`);
    }
  }
});
