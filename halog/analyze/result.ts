import { COL_NAMES, Col, NCOLS, type GroupTable, type Row } from './group-table.js';
import { keyTitle, kindLabel, type KindSpec } from './kinds.js';
import { PCT_NAMES, TIMER_INDEX, TIMERS, type SeriesStats, type TimerName } from './latency.js';

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

export interface ReportTable {
  columns: ReportColumn[];
  rows: Cell[][];
  meta: ReportMeta;
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

function statValue(s: SeriesStats | null, i: number): number | null {
  if (!s || s.count === 0) return null;
  return i < PCT_NAMES.length ? s.pct[i]! : s.max;
}

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

export function buildTable(kind: KindSpec, table: GroupTable, o: TableOptions): ReportTable {
  const sort = o.sort ?? defaultSort(kind);
  const asc = sort.startsWith('-');
  const key = sort.replace(/^-/, '');
  const rows = [...table.rows.values()];
  const statsCache = new Map<Row, (SeriesStats | null)[]>();
  const stats = (r: Row): (SeriesStats | null)[] => {
    let s = statsCache.get(r);
    if (!s) {
      s = r.lat.series.map((x) => (x ? x.stats() : null));
      statsCache.set(r, s);
    }
    return s;
  };
  let value: (r: Row) => number;
  const col = (COL_NAMES as readonly string[]).indexOf(key);
  if (col >= 0) value = (r) => r.c[col]!;
  else if (key !== 'key') {
    const [t, st] = key.split('.') as [TimerName, string];
    const ti = TIMER_INDEX[t];
    const si = (STAT_NAMES as readonly string[]).indexOf(st);
    value = (r) => statValue(stats(r)[ti]!, si) ?? -1;
  } else value = () => 0;
  const byKey = (a: Row, b: Row): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  rows.sort((a, b) => {
    const d = key === 'key' ? 0 : value(a) - value(b);
    if (d !== 0) return asc ? d : -d;
    // Ties (and sort=key): by key, ascending for descending sorts so tables read naturally.
    return key === 'key' && !asc ? -byKey(a, b) : byKey(a, b);
  });
  const totalRows = rows.length;
  const shown = o.top !== undefined && o.top >= 0 ? rows.slice(0, o.top) : rows;
  const approximate = table.sketch;
  const timers = o.dropEmptyTimers ? o.timers.filter((t) => shown.some((r) => (r.lat.get(TIMER_INDEX[t])?.n ?? 0) > 0)) : o.timers;
  const columns: ReportColumn[] = [{ name: keyTitle(kind), type: 'key' }];
  for (let i = 0; i < NCOLS; i++) columns.push({ name: COL_NAMES[i]!, type: 'count' });
  if (approximate) columns.push({ name: 'req_err', type: 'count' });
  for (const t of timers) for (const s of STAT_NAMES) columns.push({ name: `${t}_${s}`, type: 'ms' });
  let errorBound = 0;
  // rows are filled by index into arrays of their final length: push() on arrays of mixed
  // cells re-grew and re-shaped 77 k arrays of ~50 cells (most of the output time)
  const timerIndexes = timers.map((t) => TIMER_INDEX[t]);
  const cells = shown.map((r) => {
    const row = new Array<Cell>(columns.length);
    let k = 0;
    row[k++] = r.key;
    for (let i = 0; i < NCOLS; i++) row[k++] = r.c[i]!;
    if (approximate) {
      row[k++] = r.err;
      if (r.err > errorBound) errorBound = r.err;
    }
    const st = stats(r);
    for (const ti of timerIndexes) {
      const s = st[ti]!;
      for (let i = 0; i < STAT_NAMES.length; i++) row[k++] = statValue(s, i);
    }
    return row;
  });
  return {
    columns,
    rows: cells,
    meta: { kind: kindLabel(kind), totalRows, sort, approximate, errorBound, evictions: table.evictions, timers },
  };
}

/** Total requests of a table (exact unless the table is a sketch). */
export function totalRequests(table: GroupTable): number {
  let n = 0;
  for (const r of table.rows.values()) n += r.c[Col.req]! - r.err;
  return n;
}
