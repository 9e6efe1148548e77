import assert from 'node:assert/strict';
import test from 'node:test';
import { EvidenceStore } from '../../halog/detect/evidence.js';
import { randomInts } from '../helpers/random.js';

/**
 * EvidenceStore against a Map of string arrays, through growth, dropped lists and the
 * compactions they cause (holes over 1 MiB and over half the arena), with lines pushed as
 * bytes and as strings (latin1, bytes above 0x7f included).
 */
test('evidence store: the same lines as a Map of arrays through growth, drops and compaction', () => {
  const ev = new EvidenceStore();
  const ref = new Map<number, string[]>();
  const rand = randomInts(4242);
  const line = (): string => {
    let s = '';
    const n = 1 + rand(600);
    for (let i = 0; i < n; i++) s += String.fromCharCode(rand(5) === 0 ? 0x80 + rand(128) : 0x20 + rand(95));
    return s;
  };
  const check = (): void => {
    for (const [k, lines] of ref) {
      assert.deepEqual(ev.lines(k), lines, `list ${k}`);
      assert.equal(ev.length(k), lines.length);
    }
    assert.equal(ev.size, ref.size);
  };
  for (let round = 0; round < 12; round++) {
    for (let i = 0; i < 3000; i++) {
      const k = rand(4000);
      const s = line();
      const list = ref.get(k) ?? [];
      ref.set(k, list);
      list.push(s);
      const n = rand(2) === 0 ? ev.pushString(k, s) : ev.push(k, Buffer.from(`xx${s}yy`, 'latin1'), 2, 2 + s.length);
      assert.equal(n, list.length);
    }
    check();
    for (const k of [...ref.keys()]) {
      if (rand(4) === 0) continue;
      ev.delete(k);
      ref.delete(k);
    }
    ev.delete(-1); // absent: no change
    check();
  }
  assert.deepEqual(ev.lines(123456), []);
});
