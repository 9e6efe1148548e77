import v8 from 'node:v8';
import vm from 'node:vm';
import { isMainThread } from 'node:worker_threads';
import { RecordKind, type LogRecord } from '../parse/record.js';
import type { RecordJob } from '../read/record-reader.js';
import { buildFilter, type FilterSpec } from './filters.js';
import { Col, GroupTable, type PackedTable, type TableSnapshot } from './group-table.js';
import { keyFunction, type KindSpec, type UrlNormalization } from './kinds.js';

/**
 * The record job of `haloscope report` (see halog/read/record-reader.ts): one GroupTable per
 * requested kind, filled from each kept record. Its snapshot is the partial aggregate that
 * workers send back and that `--summary` writes (summary.ts wraps it in a versioned document).
 */
export interface AnalyzeOptions {
  kinds: KindSpec[];
  intervalMs: number;
  norm: UrlNormalization;
  filter: FilterSpec;
  /** Memory budget of all tables of one run (bytes); split evenly between tables and worker threads. */
  capBytes: number;
  threads: number;
  /** Timer series to record (TIMER_INDEX values); default all six. Text reports record only what they print. */
  record?: number[];
}

export interface AnalyzeSnapshot {
  /** JSON rows in summaries; packed arrays between threads. */
  tables: (TableSnapshot | PackedTable)[];
  /** Records kept by the filters / dropped by them. */
  kept: number;
  filtered: number;
  /** Accept date range of kept records (ms), or null when none. */
  firstMs: number | null;
  lastMs: number | null;
}

/** Whether a record counts as an error in our reports (documented in docs/reports.md). */
export function isError(rec: LogRecord): boolean {
  if (rec.kind === RecordKind.tcp) return rec.termChar(0) !== 0x2d;
  return rec.status >= 500 || rec.status < 100;
}

let gcFn: (() => void) | null | undefined;

/** A full garbage collection, made available at run time (`--expose-gc` for new contexts). */
function fullGc(): (() => void) | null {
  if (gcFn === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gcFn = vm.runInNewContext('gc') as () => void;
    } catch {
      gcFn = null;
    }
  }
  return gcFn;
}

/** Records a record into a row. Exported for tests that build tables by hand. */
export class Analyzer implements RecordJob<AnalyzeSnapshot> {
  readonly options: AnalyzeOptions;
  readonly tables: GroupTable[];
  readonly #keys: ((rec: LogRecord) => string)[];
  readonly #filter: ((rec: LogRecord) => boolean) | null;
  readonly #record: boolean[];
  kept = 0;
  filtered = 0;
  firstMs = Number.POSITIVE_INFINITY;
  lastMs = Number.NEGATIVE_INFINITY;

  constructor(options: AnalyzeOptions, capBytes = tableBudget(options.capBytes)) {
    this.options = options;
    const perTable = Math.max(1 << 20, Math.floor(capBytes / Math.max(1, options.kinds.length)));
    this.tables = options.kinds.map(() => new GroupTable(perTable));
    this.#keys = options.kinds.map((k) => keyFunction(k, options.norm, options.intervalMs));
    this.#filter = buildFilter(options.filter);
    this.#record = [0, 1, 2, 3, 4, 5].map((i) => !options.record || options.record.includes(i));
  }

  onRecord(rec: LogRecord): void {
    if (this.#filter !== null && !this.#filter(rec)) {
      this.filtered++;
      return;
    }
    this.kept++;
    if (rec.acceptMs < this.firstMs) this.firstMs = rec.acceptMs;
    if (rec.acceptMs > this.lastMs) this.lastMs = rec.acceptMs;
    const tcp = rec.kind === RecordKind.tcp;
    const err = isError(rec);
    const st = rec.status;
    const statusCol = tcp || st < 100 || st > 599 ? Col.other : Col.s1xx + Math.floor(st / 100) - 1;
    const t = rec.timers;
    for (let i = 0; i < this.tables.length; i++) {
      const table = this.tables[i]!;
      const row = table.row(this.#keys[i]!(rec));
      const c = row.c;
      c[Col.req]++;
      if (err) c[Col.err]++;
      c[statusCol]++;
      c[Col.bytes] += rec.bytesRead;
      const lat = row.lat;
      const want = this.#record;
      if (tcp) {
        if (t[1]! >= 0 && want[1]) lat.record(1, t[1]!);
        if (t[2]! >= 0 && want[2]) lat.record(2, t[2]!);
        if (t[4]! >= 0 && want[5]) lat.record(5, t[4]!);
      } else {
        for (let k = 0; k < 5; k++) if (t[k]! >= 0 && want[k]) lat.record(k, t[k]!);
      }
      table.counted(row);
    }
    if ((this.kept & 0xffff) === 0) {
      for (const table of this.tables) table.checkBudget();
      this.#guardRss();
    }
  }

  /**
   * V8 collects old garbage lazily: with 10 million distinct URLs and 192 MB of live tables
   * the process reached 1.47 GB (test/bench/report-memory.ts). When the process (all threads)
   * is above 80 % of --max-memory, run a full collection now; it costs ~0.1 s per 200 MB and
   * only happens while above the line (the same run then peaked at 518 MB with an 85 % line).
   */
  #guardRss(): void {
    if (process.memoryUsage.rss() > this.options.capBytes * 0.8) fullGc()?.();
  }

  /** `encoded`: JSON rows with HdrHistogram base64 (summaries); otherwise packed arrays (worker threads). */
  snapshot(encoded = false): AnalyzeSnapshot {
    return {
      tables: this.tables.map((t) => (encoded ? t.snapshot(true) : t.pack())),
      kept: this.kept,
      filtered: this.filtered,
      firstMs: this.kept ? this.firstMs : null,
      lastMs: this.kept ? this.lastMs : null,
    };
  }

  merge(s: AnalyzeSnapshot): void {
    s.tables.forEach((t, i) => this.tables[i]!.merge(t));
    this.kept += s.kept;
    this.filtered += s.filtered;
    if (s.firstMs !== null && s.firstMs < this.firstMs) this.firstMs = s.firstMs;
    if (s.lastMs !== null && s.lastMs > this.lastMs) this.lastMs = s.lastMs;
  }
}

/**
 * The part of `--max-memory` (a process RSS target) the tables may use. Measured with
 * test/bench/report-memory.ts (300 000 distinct URLs on stdin): the runtime alone is ~65 MB
 * RSS, and V8 lets garbage (per-line key strings, evicted rows) reach about the live size
 * again before collecting, so tables get half the cap minus 64 MB, and at least 1/8 of it.
 */
export function tableBudget(capBytes: number): number {
  return Math.max(Math.floor(capBytes / 2) - (64 << 20), Math.floor(capBytes / 8));
}

/** The job entry point for readRecords(): workers get their share of the memory budget. */
export function create(options: AnalyzeOptions): Analyzer {
  const budget = tableBudget(options.capBytes);
  return new Analyzer(options, isMainThread ? budget : Math.floor(budget / Math.max(1, options.threads)));
}
