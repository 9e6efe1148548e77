import assert from 'node:assert/strict';
import test from 'node:test';
import { SeriesStore } from '../../halog/detect/series.js';
import { windowPeak } from '../../halog/detect/window.js';
import { randomInts } from '../helpers/random.js';

/**
 * SeriesStore against per-client Maps of per-second sums, through seconds out of order (a
 * line's accept date can be older than the previous line's), dropped clients and the
 * compactions they cause. Only the per-second sums of pairs() matter (windowPeak adds the
 * pairs of a second together), so that is what is compared, with peak() against windowPeak.
 */
test('series store: the same per-second sums as Maps through disorder, drops and compaction', () => {
  const COLS = 3;
  const CLIENTS = 400;
  const st = new SeriesStore(COLS);
  const meta = new Int32Array(CLIENTS * st.metaCells);
  const off = (c: number): number => c * st.metaCells;
  let ref: Map<number, number>[][] = [];
  const reset = (c: number): void => {
    ref[c] = Array.from({ length: COLS }, () => new Map<number, number>());
  };
  for (let c = 0; c < CLIENTS; c++) reset(c);
  const rand = randomInts(777);
  const sums = (pairs: number[]): Map<number, number> => {
    const m = new Map<number, number>();
    for (let i = 0; i < pairs.length; i += 2) m.set(pairs[i]!, (m.get(pairs[i]!) ?? 0) + pairs[i + 1]!);
    return m;
  };
  const check = (): void => {
    for (let c = 0; c < CLIENTS; c++) {
      for (let col = 0; col < COLS; col++) {
        const r = ref[c]![col]!;
        assert.deepEqual(sums(st.pairs(meta, off(c), col)), r, `client ${c} column ${col}`);
        const flat = [...r].flat();
        assert.equal(st.peak(meta, off(c), col, 10, 5), windowPeak(flat, 10, 5).count);
      }
    }
  };
  let now = 1_795_000_000;
  for (let round = 0; round < 8; round++) {
    for (let i = 0; i < 150_000; i++) {
      if (rand(4) === 0) now++;
      const c = rand(CLIENTS);
      const col = rand(COLS);
      const sec = now - (rand(10) === 0 ? rand(30) : 0);
      const n = 1 + (rand(8) === 0 ? rand(5) : 0);
      st.bump(meta, off(c), col, sec, n);
      const m = ref[c]![col]!;
      m.set(sec, (m.get(sec) ?? 0) + n);
    }
    check();
    for (let c = 0; c < CLIENTS; c++) {
      if (rand(3) === 0) continue;
      st.clear(meta, off(c));
      reset(c);
    }
    if (st.fragmented) st.compact(meta, Array.from({ length: CLIENTS }, (_, c) => off(c)));
    check();
  }
  ref = [];
});
