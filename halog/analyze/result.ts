import { COL_NAMES, NCOLS, type GroupTable } from './group-table.js';
import { keyTitle, kindLabel, type KindSpec } from './kinds.js';
import { NSTATS, NTIMERS, PCT_NAMES, TIMER_INDEX, TIMERS, type TimerName } from './latency.js';

/**
 * A report as a table of typed cells, the one input of every output format (text, CSV, TSV,
 * JSON, NDJSON, HTML). Column names are the CSV header and the JSON keys.
 */
export type Cell = string | number | null;

export interface ReportColumn {
  name: string;
  /** 'key' = the grouping key; 'count' = integers; 'ms' = latency in ms (null when no sample). */
  type: 'key' | 'count' | 'ms';
}

export interface ReportMeta {
  kind: string;
  /** Rows before --top. */
  totalRows: number;
  sort: string;
  /** True when the table became a space-saving sketch (memory cap reached). */
  approximate: boolean;
  /** Largest over-estimate of a shown row's `req` (0 when exact). */
  errorBound: number;
  evictions: number;
  timers: TimerName[];
}

/** A key as the bytes it was read as (latin1): `buf[start, end)`. */
export interface KeyBytes {
  buf: Uint8Array;
  start: number;
  end: number;
}

/**
 * The rows of a report after sorting and --top. Cells are made on demand, a row at a time:
 * `fill` writes a row's numbers (every column after the key) into a Float64Array, NaN for a
 * latency without sample (null in JSON, empty in CSV/TSV, '-' in text). A 77 000-URL report
 * has 4 million cells; as JS values in arrays they cost as much as reading the log.
 */
export interface ReportTable {
  columns: ReportColumn[];
  /** Rows shown. */
  length: number;
  /** The key (column 0) of shown row `i`. */
  key(i: number): string;
  /**
   * Optional: the key of shown row `i` as its bytes, set into `into` (valid until the table
   * changes). Formats write a key that needs no quoting or escaping from these, without a
   * string per row (283 000 key strings were ~0.2 s of a 1 GB URL report's output, GC included).
   */
  keyBytes?(i: number, into: KeyBytes): void;
  /** Writes the `columns.length - 1` numbers of shown row `i` at `out[o]`. */
  fill(i: number, out: Float64Array, o: number): void;
  meta: ReportMeta;
}

/**
 * Rows a table's `fill` reads ahead, a block at a time. Formats print the rows in sorted order,
 * and each row's counters, latency tuple and key lie in scattered memory (rows are stored in
 * order of first appearance): a miss each, one after the other in the print loop. Touched in
 * one tight loop for a block of rows, the misses overlap: the JSON print of the 1 GB log's
 * URL report (283 000 rows), in-process, 540-684 -> 448-530 ms (blocks of 16; 64 measured
 * alike, 473-519).
 */
const READ_AHEAD = 16;
/** Where the reads ahead go, so that they are not optimized away. */
let readAheadSink = 0;

/** The cells of shown row `i` as values (HTML, tests). */
export function rowCells(t: ReportTable, i: number): Cell[] {
  const out = new Float64Array(t.columns.length - 1);
  t.fill(i, out, 0);
  const cells: Cell[] = [t.key(i)];
  for (const v of out) cells.push(Number.isNaN(v) ? null : v);
  return cells;
}

export interface TableOptions {
  timers: TimerName[];
  /** `req` (default), `err`, `bytes`, `2xx`..`5xx`, `key`, `<timer>.<p50|...|max>`; '-' prefix = ascending. */
  sort?: string;
  top?: number;
  /** Leave out timers without any sample in the shown rows (text default: Ta for HTTP, Tt for TCP). */
  dropEmptyTimers?: boolean;
}

/** Output timers: 'all' or a comma list; default for machine formats is all six. */
export function parseTimers(s: string): TimerName[] | null {
  if (s === 'all') return [...TIMERS];
  const out: TimerName[] = [];
  for (const t of s.split(',')) {
    const w = t.trim();
    const name = TIMERS.find((x) => x === w) ?? TIMERS.find((x) => x.toLowerCase() === w.toLowerCase());
    if (!name) return null;
    out.push(name);
  }
  return out;
}

const STAT_NAMES = [...PCT_NAMES, 'max'] as const;

/** Validates a sort key; returns an error message or null. */
export function checkSort(sort: string): string | null {
  const k = sort.replace(/^-/, '');
  if (k === 'key' || (COL_NAMES as readonly string[]).includes(k)) return null;
  const [t, st] = k.split('.');
  if (TIMERS.some((x) => x === t) && (STAT_NAMES as readonly string[]).includes(st ?? '')) return null;
  return `unknown sort key '${sort}' (use req, err, bytes, 1xx..5xx, other, key, or <timer>.<p50|p75|p90|p95|p99|p99.9|max> such as Ta.p99; prefix '-' for ascending)`;
}

export function defaultSort(kind: KindSpec): string {
  return kind.kind === 'timeline' ? '-key' : 'req';
}

/** Rows a packed sort handles: a row index below 2^21 beside a value below 2^32 stays exact in a double. */
const PACK_ROWS = 1 << 21;
const PACK_VALUES = 2 ** 32;

/** Row ids of `table` sorted as `sort` says (ties by key, ascending; see docs/reports.md). */
export function sortedIds(table: GroupTable, sort: string): number[] {
  const asc = sort.startsWith('-');
  const key = sort.replace(/^-/, '');
  const ids = table.ids();
  if (key === 'key') {
    table.sortByKey(ids);
    return asc ? ids : ids.reverse();
  }
  const col = (COL_NAMES as readonly string[]).indexOf(key);
  // Each row's value, in `packed` at first (in the order of `ids`).
  const packed = new Float64Array(ids.length);
  if (col >= 0) {
    const counts = table.counts;
    for (let i = 0; i < ids.length; i++) packed[i] = counts[ids[i]! * NCOLS + col]!;
  } else {
    const [t, st] = key.split('.') as [TimerName, string];
    const si = (STAT_NAMES as readonly string[]).indexOf(st);
    const stats = new Float64Array(NSTATS);
    // A row without sample sorts as -1.
    for (let i = 0; i < ids.length; i++) packed[i] = table.lat.statsInto(ids[i]! * NTIMERS + TIMER_INDEX[t], stats, 0) ? stats[si]! : -1;
  }
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let integers = true;
  for (let i = 0; i < packed.length; i++) {
    const v = packed[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (v !== Math.floor(v)) integers = false;
  }
  if (!integers || ids.length >= PACK_ROWS || hi - lo >= PACK_VALUES) {
    const value = new Float64Array(table.top);
    for (let i = 0; i < ids.length; i++) value[ids[i]!] = packed[i]!;
    return ids.sort((a, b) => {
      const d = value[a]! - value[b]!;
      if (d !== 0) return asc ? d : -d;
      return table.compareKeys(a, b);
    });
  }
  // Values are integers within 2^32 of each other (counts, bytes, ms): each row becomes one
  // double, (value rank) * 2^21 + index, sorted natively; then each run of equal values is
  // sorted by key bytes (GroupTable.sortByKey). No comparator call per comparison.
  for (let i = 0; i < packed.length; i++) packed[i] = (asc ? packed[i]! - lo : hi - packed[i]!) * PACK_ROWS + i;
  packed.sort();
  const out: number[] = new Array<number>(ids.length);
  let start = 0;
  let runRank = -1;
  for (let i = 0; i < packed.length; i++) {
    const p = packed[i]!;
    const rank = Math.floor(p / PACK_ROWS);
    out[i] = ids[p - rank * PACK_ROWS]!;
    if (rank !== runRank) {
      if (i - start > 1) table.sortByKey(out, start, i);
      start = i;
      runRank = rank;
    }
  }
  if (out.length - start > 1) table.sortByKey(out, start, out.length);
  return out;
}

export function buildTable(kind: KindSpec, table: GroupTable, o: TableOptions): ReportTable {
  const sort = o.sort ?? defaultSort(kind);
  const all = sortedIds(table, sort);
  const totalRows = all.length;
  const shown = o.top !== undefined && o.top >= 0 ? all.slice(0, o.top) : all;
  const approximate = table.sketch;
  const lat = table.lat;
  const timers = o.dropEmptyTimers ? o.timers.filter((t) => shown.some((id) => lat.count(id * NTIMERS + TIMER_INDEX[t]) > 0)) : o.timers;
  const columns: ReportColumn[] = [{ name: keyTitle(kind), type: 'key' }];
  for (let i = 0; i < NCOLS; i++) columns.push({ name: COL_NAMES[i]!, type: 'count' });
  if (approximate) columns.push({ name: 'req_err', type: 'count' });
  for (const t of timers) for (const s of STAT_NAMES) columns.push({ name: `${t}_${s}`, type: 'ms' });
  let errorBound = 0;
  if (approximate) for (const id of shown) if (table.errs[id]! > errorBound) errorBound = table.errs[id]!;
  const timerIndexes = timers.map((t) => TIMER_INDEX[t]);
  const counts = table.counts;
  return {
    columns,
    length: shown.length,
    key: (i) => table.key(shown[i]!),
    keyBytes: (i, into) => table.keyInto(shown[i]!, into),
    fill: (i, out, o) => {
      if (i % READ_AHEAD === 0) {
        let acc = 0;
        // At row 0 the first two blocks, then the block after the next.
        const end = Math.min(i + 2 * READ_AHEAD, shown.length);
        for (let j = i === 0 ? 0 : i + READ_AHEAD; j < end; j++) acc += table.touch(shown[j]!) + lat.touchRow(shown[j]!);
        readAheadSink += acc;
      }
      const id = shown[i]!;
      for (let c = 0; c < NCOLS; c++) out[o++] = counts[id * NCOLS + c]!;
      if (approximate) out[o++] = table.errs[id]!;
      for (const ti of timerIndexes) {
        table.lat.statsInto(id * NTIMERS + ti, out, o);
        o += NSTATS;
      }
    },
    meta: { kind: kindLabel(kind), totalRows, sort, approximate, errorBound, evictions: table.evictions, timers },
  };
}
