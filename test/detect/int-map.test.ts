import assert from 'node:assert/strict';
import test from 'node:test';
import { IntMap } from '../../halog/detect/int-map.js';
import { randomInts } from '../helpers/random.js';

/**
 * IntMap against a Map through growth and many removals: removal shifts the entries after
 * the hole back, so a wrong shift (an entry moved before its home, or left behind a hole)
 * makes a later lookup miss or find a removed key. Keys are drawn from a small range so runs
 * are long and wrap around the end of the table.
 */
test('int map: the same entries as a Map through growth, removals and wrap-around runs', () => {
  const m = new IntMap();
  const ref = new Map<number, number>();
  const rand = randomInts(99);
  for (let round = 0; round < 30; round++) {
    const range = round % 2 === 0 ? 3000 : 1 << 30;
    for (let i = 0; i < 4000; i++) {
      const k = rand(range);
      const op = rand(3);
      if (op === 0) {
        m.delete(k);
        ref.delete(k);
      } else {
        const v = 1 + rand(1 << 30);
        m.set(k, v);
        ref.set(k, v);
      }
    }
    assert.equal(m.size, ref.size);
    for (const [k, v] of ref) assert.equal(m.get(k), v, `key ${k}`);
    for (let i = 0; i < 2000; i++) {
      const k = rand(range);
      assert.equal(m.get(k), ref.get(k) ?? 0);
    }
    const seen = new Map<number, number>();
    m.forEach((k, v) => seen.set(k, v));
    assert.deepEqual([...seen].sort((a, b) => a[0] - b[0]), [...ref].sort((a, b) => a[0] - b[0]));
  }
  for (const k of [...ref.keys()]) m.delete(k);
  assert.equal(m.size, 0);
  m.forEach(() => assert.fail('not empty'));
});
