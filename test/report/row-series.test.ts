import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NSTATS, NTIMERS, PERCENTILES, SeriesStore } from '../../halog/analyze/latency.js';
import { randomFloats } from '../helpers/random.js';

/**
 * SeriesStore keeps a row's first lines as tuples (TR, Tw, Tc, Tr, then Ta or Tt in one word)
 * and turns the row's six series into histograms at its 256th line. These check every series
 * of rows of HTTP and TCP lines against exact figures from the values themselves, in every
 * form and across merges between forms (raw + raw that fits, raw + raw that overflows, raw +
 * histogram, histogram + raw, histogram + histogram).
 */

type Line = [number, number, number, number, number, number];

/** HTTP lines (TR..Ta, Tt none) with some timers missing; TCP lines (Tw, Tc, Tt only). */
function lines(seed: number, n: number): Line[] {
  const r = randomFloats(seed);
  const v = (): number => (r() < 0.1 ? -1 : r() < 0.9 ? Math.floor(r() * 400) : Math.floor(Math.exp(r() * 15)));
  const out: Line[] = [];
  for (let i = 0; i < n; i++) out.push(r() < 0.2 ? [-1, v(), v(), -1, -1, v()] : [v(), v(), v(), v(), v(), -1]);
  return out;
}

function record(st: SeriesStore, row: number, ls: Line[]): void {
  for (const l of ls) st.recordRow(row, ...l);
}

/** Nearest-rank percentile of sorted values. */
function exact(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length - 1e-9)) - 1]!;
}

/** Every series of `row` against the values of `ls`: count, max, mean, and percentiles within the documented precision. */
function checkRow(st: SeriesStore, row: number, ls: Line[], what: string): void {
  for (let t = 0; t < NTIMERS; t++) {
    const vals = ls.map((l) => l[t]).filter((v) => v >= 0).sort((a, b) => a - b);
    const s = row * NTIMERS + t;
    assert.equal(st.count(s), vals.length, `${what} t${t} count`);
    const out = new Float64Array(NSTATS);
    const had = st.statsInto(s, out, 0);
    assert.equal(had, vals.length > 0, `${what} t${t} has values`);
    if (!had) continue;
    const max = vals[vals.length - 1]!;
    assert.equal(out[NSTATS - 1], max, `${what} t${t} max`);
    const stats = st.stats(s);
    assert.equal(stats.mean, vals.reduce((a, b) => a + b, 0) / vals.length, `${what} t${t} mean`);
    PERCENTILES.forEach((p, i) => {
      const ex = exact(vals, p);
      const got = out[i]!;
      if (ex < 2048) assert.equal(got, ex, `${what} t${t} p${p}`);
      else assert.ok(got >= ex && got <= Math.min(max, ex + Math.floor(ex / 1024)), `${what} t${t} p${p}: ${got} vs exact ${ex}`);
    });
  }
}

test('row series: HTTP and TCP lines of a row give exact counts, max, mean and percentiles, raw and past 256 lines', () => {
  // Around the block sizes (1, 2, 4, 8 lines) and the chunks of 16 chained after them.
  const sizes = [0, 1, 2, 3, 7, 8, 9, 23, 24, 25, 40, 255, 256, 257, 1000];
  const st = new SeriesStore(NTIMERS * sizes.length);
  const rows = sizes.map((n, i) => lines(100 + i, n));
  // Interleaved, as lines of different rows come in a log.
  for (let k = 0; k < 1000; k++) rows.forEach((ls, r) => k < ls.length && st.recordRow(r, ...ls[k]!));
  rows.forEach((ls, r) => checkRow(st, r, ls, `${ls.length} lines`));
  assert.ok(st.raw(1 * NTIMERS + 1) !== null, 'a row of one line is raw');
  assert.equal(st.raw(13 * NTIMERS + 1), null, 'a row of 257 lines is a histogram');
  // Raw rows give their values in the order the lines came, across blocks and chunks.
  rows.forEach((ls, r) => {
    if (ls.length > 256) return;
    for (let t = 0; t < NTIMERS; t++) assert.deepEqual(st.raw(r * NTIMERS + t), ls.map((l) => l[t]).filter((v) => v >= 0), `${ls.length} lines t${t} in order`);
  });
});

test('row series: a row of one line gives the value of that line as every statistic, or none, for each of the six series', () => {
  const single: Line[] = [
    [0, 0, 0, 0, 0, -1],
    [3, 1, 2, 40, 46, -1],
    [-1, -1, -1, -1, -1, -1],
    [-1, 5, -1, 7, -1, -1],
    [2047, 2048, 5000, 123456, 130551, -1],
    [-1, 0, 1, -1, -1, 9000],
    [-1, 12, 3, -1, -1, 0],
  ];
  const st = new SeriesStore(NTIMERS * single.length);
  single.forEach((l, r) => st.recordRow(r, ...l));
  single.forEach((l, r) => {
    checkRow(st, r, [l], `one line ${l.join('/')}`);
    for (let t = 0; t < NTIMERS; t++) {
      const out = new Float64Array(NSTATS + 2).fill(-7);
      const had = st.statsInto(r * NTIMERS + t, out, 1);
      assert.equal(had, l[t]! >= 0, `one line ${l.join('/')} t${t} has a value`);
      const want = l[t]! >= 0 ? l[t]! : Number.NaN;
      assert.deepEqual(Array.from(out), [-7, ...Array<number>(NSTATS).fill(want), -7], `one line ${l.join('/')} t${t}`);
    }
  });
});

test('row series: a row merged from parts in any forms equals the row recorded whole, and snapshots round-trip', () => {
  const cases: [number, number][] = [
    [3, 4], // raw + raw, fits
    [5, 30], // raw + raw, fits, into chunks
    [40, 9], // chained + chained, fits
    [120, 136], // raw + raw, exactly 256
    [200, 100], // raw + raw, overflows 256
    [10, 600], // raw + histogram
    [600, 10], // histogram + raw
    [300, 700], // histogram + histogram
    [0, 5], // empty + raw
    [5, 0],
  ];
  cases.forEach(([a, b], i) => {
    const la = lines(7 + i, a);
    const lb = lines(70 + i, b);
    const whole = new SeriesStore(NTIMERS);
    record(whole, 0, [...la, ...lb]);
    const left = new SeriesStore(NTIMERS * 4);
    const right = new SeriesStore(NTIMERS * 4);
    // Other rows around, so the merged row is not at offset 0 of either arena.
    record(left, 1, lines(1, 3));
    record(left, 2, la);
    record(right, 3, lines(2, 5));
    record(right, 1, lb);
    left.addMovedRow(2, right.move(), 1);
    const what = `${a} + ${b} lines`;
    checkRow(left, 2, [...la, ...lb], what);
    for (let t = 0; t < NTIMERS; t++) {
      assert.deepEqual(left.stats(2 * NTIMERS + t), whole.stats(t), `${what} t${t} = whole`);
      // A summary of the merged row read back into an empty store gives the same figures.
      const back = new SeriesStore(NTIMERS);
      const snap = left.snapshot(2 * NTIMERS + t, true);
      if (snap) back.addSnapshot(t, snap);
      assert.deepEqual(back.stats(t), whole.stats(t), `${what} t${t} via summary`);
    }
  });
});

test('row series: a line given both Ta and Tt counts each once; clearing a row empties all six series', () => {
  const st = new SeriesStore(NTIMERS * 2);
  st.recordRow(0, 1, 2, 3, 4, 5, 6);
  st.recordRow(0, -1, -1, -1, -1, 7, -1);
  st.recordRow(0, -1, -1, -1, -1, -1, 8);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((t) => st.count(t)), [1, 1, 1, 1, 2, 2]);
  assert.deepEqual(st.raw(5), [6, 8]);
  assert.deepEqual(st.raw(4), [5, 7]);
  record(st, 1, lines(3, 300));
  st.clearRow(0);
  st.clearRow(1);
  for (let s = 0; s < 2 * NTIMERS; s++) assert.equal(st.count(s), 0, `series ${s} cleared`);
  // Cleared rows take new lines as new.
  st.recordRow(1, 9, -1, -1, -1, -1, -1);
  assert.deepEqual(st.raw(NTIMERS), [9]);
  assert.equal(st.valueBytes > 0, true);
});

test('row series: blocks and chunks that rows give back are reused, and the byte estimate follows them', () => {
  const st = new SeriesStore(NTIMERS * 64);
  const empty = st.valueBytes;
  const ls = lines(11, 100);
  for (let r = 0; r < 64; r++) record(st, r, ls);
  const full = st.valueBytes;
  assert.ok(full > empty);
  for (let r = 0; r < 64; r++) st.clearRow(r);
  assert.equal(st.valueBytes, empty, 'every block and chunk given back');
  // The same rows again fit in what was given back: the estimate comes back to the same figure.
  for (let r = 0; r < 64; r++) record(st, r, ls);
  assert.equal(st.valueBytes, full);
  for (let r = 0; r < 64; r++) checkRow(st, r, ls, `row ${r} after reuse`);
});
