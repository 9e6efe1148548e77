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

test('series store: peak() of series in time order (read in place) and of ones that go back once, against windowPeak', () => {
  const CLIENTS = 300;
  const st = new SeriesStore(3);
  const meta = new Int32Array(CLIENTS * st.metaCells);
  const off = (c: number): number => c * st.metaCells;
  const ref = Array.from({ length: CLIENTS }, () => new Map<number, number>());
  const rand = randomInts(4711);
  let now = 1_795_000_000;
  for (let i = 0; i < 200_000; i++) {
    if (rand(3) === 0) now += 1 + (rand(20) === 0 ? rand(40) : 0);
    const c = rand(CLIENTS);
    // Clients 0-29 sometimes go back in time (a line accepted earlier, logged later); the
    // others only forward. Column 1 is left empty for half the clients (zero-count entries).
    const sec = c < 30 && rand(200) === 0 ? now - 1 - rand(15) : now;
    const col = c % 2 === 0 && rand(2) === 0 ? 1 : rand(2) * 2;
    const n = 1 + (rand(10) === 0 ? rand(4) : 0);
    st.bump(meta, off(c), col, sec, n);
    if (col === 0) ref[c]!.set(sec, (ref[c]!.get(sec) ?? 0) + n);
  }
  for (let c = 0; c < CLIENTS; c++) {
    const flat = [...ref[c]!].flat();
    for (const w of [1, 2, 10, 60, 100_000]) assert.equal(st.peak(meta, off(c), 0, w, 0), windowPeak(flat, w, 0).count, `client ${c} window ${w}`);
  }
});

test('series store: a second with more events in a column than an entry holds (1023) keeps its exact sum, alone and beside others', () => {
  const st = new SeriesStore(3);
  const meta = new Int32Array(2 * st.metaCells);
  const off = (c: number): number => c * st.metaCells;
  const ref = [0, 1, 2].map(() => new Map<number, number>());
  const t0 = 1_795_000_000;
  // Column 0: a flood of 5000 events in one second, then 1023 and 1024 (the limit and one past
  // it), then 3000 in bumps of one; column 1: 2 in each of those seconds; column 2: none.
  const bumps: [number, number, number][] = [
    [0, t0, 5000],
    [1, t0, 2],
    [0, t0 + 1, 1023],
    [1, t0 + 1, 2],
    [0, t0 + 2, 1024],
    ...Array.from({ length: 3000 }, (): [number, number, number] => [0, t0 + 3, 1]),
    [1, t0 + 3, 2],
    [0, t0 + 20, 1],
  ];
  for (const [col, sec, n] of bumps) {
    st.bump(meta, off(1), col, sec, n);
    ref[col]!.set(sec, (ref[col]!.get(sec) ?? 0) + n);
  }
  for (let col = 0; col < 3; col++) {
    const pairs = st.pairs(meta, off(1), col);
    const sums = new Map<number, number>();
    for (let i = 0; i < pairs.length; i += 2) sums.set(pairs[i]!, (sums.get(pairs[i]!) ?? 0) + pairs[i + 1]!);
    assert.deepEqual(sums, ref[col], `column ${col}`);
    const flat = [...ref[col]!].flat();
    for (const w of [1, 2, 10]) assert.equal(st.peak(meta, off(1), col, w, 0), windowPeak(flat, w, 0).count, `column ${col} window ${w}`);
  }
  assert.equal(st.peak(meta, off(1), 0, 1, 0), 5000);
  assert.equal(st.peak(meta, off(1), 0, 10, 0), 5000 + 1023 + 1024 + 3000);
  // The other client is untouched.
  assert.deepEqual(st.pairs(meta, off(0), 0), []);
});
