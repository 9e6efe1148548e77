import { NCOLS, type GroupTable } from './group-table.js';
import { kindLabel, type KindSpec } from './kinds.js';
import { NSTATS, TIMER_INDEX, type TimerName } from './latency.js';
import { fillRow, reportColumns, sortedIds, type KeyBytes, type ReportTable } from './result.js';

/**
 * The shown rows of one partition of a report (partitioned-table.ts), sorted and computed by
 * the thread that owns the partition: the main thread merges such runs (mergedTable) instead
 * of sorting and computing every row itself. Plain typed arrays, so that a worker moves them
 * to the main thread in a transfer list.
 */
export interface PartRun {
  /** Rows in the run (after --top), and before it. */
  length: number;
  totalRows: number;
  sketch: boolean;
  evictions: number;
  /** Sort value of row j (the value sortedIds sorted by); null when sorting by key. */
  values: Float64Array | null;
  /** Key of row j: `keyArena[keyPos[2j], + keyPos[2j + 1])`. */
  keyArena: Uint8Array;
  keyPos: Int32Array;
  /** Row j's NCOLS counters at `j * NCOLS`. */
  counts: Float64Array;
  /**
   * Row j's NSTATS numbers per timer at `j * NSTATS * timers`: latencies are int32 ms, -1 for
   * none (NaN in ReportTable.fill). Half the bytes of doubles: a run of 140 000 URLs with six
   * timers is 24 MB instead of 47, made and read once.
   */
  stats: Int32Array;
  /** Row j's count error (space-saving; 0 when exact). */
  errs: Float64Array;
}

/** What a partition's owner needs to know of the report to compute its run. */
export interface RunSpec {
  sort: string;
  /** --top, or -1 for every row. */
  top: number;
  /** TIMER_INDEX of the timers shown. */
  timers: number[];
}

/** Sorts `table`'s rows, keeps the first `top`, and computes their cells. */
export function tableRun(table: GroupTable, spec: RunSpec): PartRun {
  const holder: { value: Float64Array | null } = { value: null };
  const all = sortedIds(table, spec.sort, holder);
  const n = spec.top >= 0 ? Math.min(spec.top, all.length) : all.length;
  const nstats = NSTATS * spec.timers.length;
  const value = holder.value;
  const values = value === null ? null : new Float64Array(n);
  const keyPos = new Int32Array(2 * n);
  const counts = new Float64Array(n * NCOLS);
  const stats = new Int32Array(n * nstats);
  const row = new Float64Array(NCOLS + nstats);
  const errs = new Float64Array(n);
  const kb: KeyBytes = { buf: new Uint8Array(0), start: 0, end: 0 };
  for (let j = 0; j < n; j++) {
    const id = all[j]!;
    if (values !== null) values[j] = value![id]!;
    table.keyInto(id, kb);
    keyPos[2 * j] = kb.start;
    keyPos[2 * j + 1] = kb.end - kb.start;
    fillRow(table, id, false, spec.timers, row, 0);
    for (let c = 0; c < NCOLS; c++) counts[j * NCOLS + c] = row[c]!;
    for (let k = 0; k < nstats; k++) {
      const v = row[NCOLS + k]!;
      stats[j * nstats + k] = Number.isNaN(v) ? -1 : v;
    }
    errs[j] = table.errs[id]!;
  }
  return { length: n, totalRows: all.length, sketch: table.sketch, evictions: table.evictions, values, keyArena: kb.buf, keyPos, counts, stats, errs };
}

/** The buffers of a run, for a transfer list (each once; views of a shared pool are left to be copied). */
export function runBuffers(r: PartRun): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const a of [r.values, r.keyArena, r.keyPos, r.counts, r.stats, r.errs]) {
    if (a === null) continue;
    const b = a.buffer;
    if (b instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === b.byteLength) out.add(b);
  }
  return [...out];
}

/** Byte order of two keys, as GroupTable.compareKeys orders keys of one table. */
function compareKeys(a: PartRun, i: number, b: PartRun, j: number): number {
  const la = a.keyPos[2 * i + 1]!;
  const lb = b.keyPos[2 * j + 1]!;
  const oa = a.keyPos[2 * i]!;
  const ob = b.keyPos[2 * j]!;
  const ka = a.keyArena;
  const kb = b.keyArena;
  const n = la < lb ? la : lb;
  for (let k = 0; k < n; k++) {
    const x = ka[oa + k]! - kb[ob + k]!;
    if (x !== 0) return x;
  }
  return la - lb;
}

/**
 * The report over runs of disjoint keys, each sorted as `o.sort` says: merged in that order
 * (values, then keys ascending; by key alone for `key`), which is the order buildTable gives
 * the table holding all of them, since no key is in two runs. Then --top.
 */
export function mergedTable(kind: KindSpec, runs: readonly PartRun[], o: { timers: TimerName[]; sort: string; top: number }): ReportTable {
  const asc = o.sort.startsWith('-');
  const byKey = o.sort.replace(/^-/, '') === 'key';
  let total = 0;
  let available = 0;
  let approximate = false;
  let evictions = 0;
  for (const r of runs) {
    total += r.totalRows;
    available += r.length;
    if (r.sketch) approximate = true;
    evictions += r.evictions;
  }
  const n = o.top >= 0 ? Math.min(o.top, available) : available;
  const runOf = new Uint16Array(n);
  const posOf = new Int32Array(n);
  const heads = new Int32Array(runs.length);
  // Runs are few (one per thread): the next row is the best head, found by a scan.
  const before = (a: number, b: number): boolean => {
    const ra = runs[a]!;
    const rb = runs[b]!;
    const i = heads[a]!;
    const j = heads[b]!;
    if (byKey) {
      const c = compareKeys(ra, i, rb, j);
      return asc ? c < 0 : c > 0;
    }
    const d = ra.values![i]! - rb.values![j]!;
    if (d !== 0) return asc ? d < 0 : d > 0;
    return compareKeys(ra, i, rb, j) < 0;
  };
  for (let k = 0; k < n; k++) {
    let best = -1;
    for (let r = 0; r < runs.length; r++) {
      if (heads[r]! >= runs[r]!.length) continue;
      if (best < 0 || before(r, best)) best = r;
    }
    runOf[k] = best;
    posOf[k] = heads[best]!++;
  }
  let errorBound = 0;
  if (approximate) {
    for (let k = 0; k < n; k++) {
      const e = runs[runOf[k]!]!.errs[posOf[k]!]!;
      if (e > errorBound) errorBound = e;
    }
  }
  const nstats = NSTATS * o.timers.length;
  const kb: KeyBytes = { buf: new Uint8Array(0), start: 0, end: 0 };
  const keyBytes = (i: number, into: KeyBytes): void => {
    const r = runs[runOf[i]!]!;
    const j = posOf[i]!;
    into.buf = r.keyArena;
    into.start = r.keyPos[2 * j]!;
    into.end = into.start + r.keyPos[2 * j + 1]!;
  };
  return {
    columns: reportColumns(kind, approximate, o.timers),
    length: n,
    key: (i) => {
      keyBytes(i, kb);
      return Buffer.from(kb.buf.buffer, kb.buf.byteOffset, kb.buf.byteLength).toString('latin1', kb.start, kb.end);
    },
    keyBytes,
    fill: (i, out, at) => {
      const r = runs[runOf[i]!]!;
      const j = posOf[i]!;
      const counts = r.counts;
      for (let k = 0, c = j * NCOLS; k < NCOLS; k++) out[at++] = counts[c++]!;
      if (approximate) out[at++] = r.errs[j]!;
      const stats = r.stats;
      for (let k = 0, c = j * nstats; k < nstats; k++) {
        const v = stats[c++]!;
        out[at++] = v < 0 ? Number.NaN : v;
      }
    },
    meta: { kind: kindLabel(kind), totalRows: total, sort: o.sort, approximate, errorBound, evictions, timers: o.timers },
  };
}

/** TIMER_INDEX of each timer shown. */
export const timerIndexes = (timers: readonly TimerName[]): number[] => timers.map((t) => TIMER_INDEX[t]);
