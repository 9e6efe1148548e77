import assert from 'node:assert/strict';
import test from 'node:test';
import { Ipv4Index, ipv4At } from '../../halog/parse/ipv4-index.js';
import { randomInts } from '../helpers/random.js';

/**
 * Ipv4Index against a Map through growth, deletions (backward shift: the cells after a
 * deleted one must stay reachable, including runs that wrap around the end of the table) and
 * re-insertions. Eviction sweeps delete the evicted clients' addresses instead of clearing it.
 */
test('ipv4 index: the same slots as a Map through growth, deletion and reuse', () => {
  const idx = new Ipv4Index();
  const ref = new Map<number, number>();
  const rand = randomInts(987654);
  // A small key space makes long probe runs and many deletions of present keys; the top
  // addresses check the sign handling of `a | 0`.
  const addr = (): number => (rand(2) === 0 ? rand(20000) : 0xffffffff - rand(20000));
  const check = (): void => {
    for (const [a, s] of ref) assert.equal(idx.get(a), s, `address ${a}`);
    for (let i = 0; i < 200; i++) {
      const a = addr();
      assert.equal(idx.get(a), ref.get(a) ?? -1);
    }
  };
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < 6000; i++) {
      const a = addr();
      if (ref.has(a)) continue;
      idx.set(a, i);
      ref.set(a, i);
    }
    check();
    for (const a of [...ref.keys()]) {
      if (rand(3) === 0) continue;
      idx.delete(a);
      ref.delete(a);
    }
    idx.delete(123456789); // absent: no change
    check();
  }
  idx.clear();
  for (const a of ref.keys()) assert.equal(idx.get(a), -1);
});

test('ipv4 index: only the canonical dotted quad is read as a number', () => {
  const at = (s: string): number => ipv4At(Buffer.from(s, 'latin1'), 0, s.length);
  assert.equal(at('10.1.2.3'), 0x0a010203);
  assert.equal(at('255.255.255.255'), 0xffffffff);
  assert.equal(at('0.0.0.0'), 0);
  for (const s of ['010.1.2.3', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.4 ', '::1', '1..2.3']) assert.equal(at(s), -1, s);
});
