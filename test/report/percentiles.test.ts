import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LatencySeries, PERCENTILES } from '../../halog/analyze/latency.js';
import { LogRecord, parseRecord, RecordKind } from '../../halog/parse/record.js';
import { CORPUS } from '../helpers/paths.js';
import { jsonReport } from './run-report.js';

/** Nearest-rank percentile of sorted values: the smallest v with at least p% of values <= v. */
function exact(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length - 1e-9));
  return sorted[rank - 1]!;
}

/** The documented precision: exact <= reported <= min(max, exact + exact/1024); equal below 2048 ms. */
function assertWithin(reported: number, ex: number, max: number, what: string): void {
  if (ex < 2048) assert.equal(reported, ex, `${what}: values under 2048 ms are exact`);
  else {
    assert.ok(reported >= ex, `${what}: ${reported} >= exact ${ex}`);
    assert.ok(reported <= Math.min(max, ex + Math.floor(ex / 1024)), `${what}: ${reported} <= exact ${ex} + 1/1024`);
  }
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

test('percentiles: hdr-histogram values equal exact sorted percentiles within the documented precision', () => {
  const rnd = lcg(42);
  // Raw series of 25 to 256 values are sorted by a radix sort below 2^16 (one byte below 256),
  // natively above: 'tiny', 'small', '16-bit' and 'wide' take each path.
  for (const n of [1, 2, 7, 25, 60, 100, 199, 256, 257, 5000]) {
    for (const shape of ['tiny', 'small', '16-bit', 'wide', 'heavy-tail']) {
      const values: number[] = [];
      for (let i = 0; i < n; i++) {
        const u = rnd();
        values.push(
          shape === 'tiny' ? Math.floor(u * 256)
          : shape === 'small' ? Math.floor(u * 300)
          : shape === '16-bit' ? Math.floor(u * 65536)
          : shape === 'wide' ? Math.floor(u * 5_000_000)
          : Math.floor(Math.exp(u * 14)),
        );
      }
      const s = new LatencySeries();
      for (const v of values) s.record(v);
      const st = s.stats();
      const sorted = values.slice().sort((a, b) => a - b);
      assert.equal(st.count, n);
      assert.equal(st.max, sorted[n - 1]);
      PERCENTILES.forEach((p, i) => assertWithin(st.pct[i]!, exact(sorted, p), st.max, `n=${n} ${shape} p${p}`));
    }
  }
});

test('percentiles: a series gives the same numbers as raw values, as a histogram, split and merged, or serialized', () => {
  const rnd = lcg(7);
  const values = Array.from({ length: 500 }, () => Math.floor(Math.exp(rnd() * 13)));
  const whole = new LatencySeries();
  for (const v of values) whole.record(v);
  const parts = [new LatencySeries(), new LatencySeries(), new LatencySeries()];
  values.forEach((v, i) => parts[i < 10 ? 0 : i < 20 ? 1 : 2]!.record(v)); // raw + raw + histogram
  const merged = new LatencySeries();
  for (const p of parts) merged.mergeSeries(LatencySeries.from(p.snapshot(false)));
  const viaHdr = LatencySeries.from(whole.snapshot(true));
  assert.deepEqual(merged.stats(), whole.stats());
  assert.deepEqual(viaHdr.stats(), whole.stats());
  // 20 values stay raw: same figures as the same values in a histogram.
  const raw = new LatencySeries();
  const forced = new LatencySeries();
  for (const v of values.slice(0, 20)) raw.record(v);
  for (const v of values.slice(0, 20)) forced.record(v);
  forced.mergeSeries(LatencySeries.from({ n: 0, sum: 0, max: 0, pairs: [] }));
  assert.ok(raw.raw !== null);
  const h = LatencySeries.from({ n: 0, sum: 0, max: 0, pairs: [] });
  h.mergeSeries(raw);
  assert.deepEqual(h.stats().pct, raw.stats().pct);
});

test('percentiles: report urls on the corpus matches exact per-URL Ta/Tr percentiles computed from the raw log', () => {
  const buf = readFileSync(join(CORPUS, 'access.log'));
  const rec = new LogRecord();
  const byUrl = new Map<string, { Ta: number[]; Tr: number[]; TR: number[] }>();
  for (let p = 0; p < buf.length;) {
    let nl = buf.indexOf(0x0a, p);
    if (nl < 0) nl = buf.length;
    if (parseRecord(buf, p, nl, rec) && rec.kind === RecordKind.http) {
      const url = rec.text(rec.uri).split(/[?;]/)[0]!;
      let e = byUrl.get(url);
      if (!e) byUrl.set(url, (e = { Ta: [], Tr: [], TR: [] }));
      if (rec.timers[4]! >= 0) e.Ta.push(rec.timers[4]!);
      if (rec.timers[3]! >= 0) e.Tr.push(rec.timers[3]!);
      if (rec.timers[0]! >= 0) e.TR.push(rec.timers[0]!);
    }
    p = nl + 1;
  }
  const report = jsonReport(['urls', '--timers', 'TR,Tr,Ta', join(CORPUS, 'access.log')]);
  let checked = 0;
  for (const row of report.rows) {
    const e = byUrl.get(row.url as string);
    if (!e) continue;
    for (const t of ['TR', 'Tr', 'Ta'] as const) {
      const sorted = e[t].sort((a, b) => a - b);
      if (!sorted.length) {
        assert.equal(row[`${t}_p50`], null);
        continue;
      }
      assert.equal(row[`${t}_max`], sorted[sorted.length - 1]);
      for (const [p, name] of [[50, 'p50'], [75, 'p75'], [90, 'p90'], [95, 'p95'], [99, 'p99'], [99.9, 'p99.9']] as const) {
        assertWithin(row[`${t}_${name}`] as number, exact(sorted, p), sorted[sorted.length - 1]!, `${row.url} ${t} ${name}`);
        checked++;
      }
    }
  }
  assert.equal(report.rows.length, byUrl.size + 1, 'every HTTP URL plus the <TCP> row');
  assert.ok(checked > 5000, `checked ${checked} percentiles`);
});
