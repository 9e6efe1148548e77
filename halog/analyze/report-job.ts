import v8 from 'node:v8';
import vm from 'node:vm';
import { isMainThread } from 'node:worker_threads';
import { RecordKind, type LogRecord } from '../parse/record.js';
import type { RecordJob } from '../read/record-reader.js';
import { buildFilter, type FilterSpec } from './filters.js';
import { Col, GroupTable, NCOLS, movedBuffers, type MovedTable, type TableSnapshot } from './group-table.js';
import { rowLocator, type KindSpec, type RowLocator, type UrlNormalization } from './kinds.js';
import { NTIMERS } from './latency.js';

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
  /** JSON rows in summaries; the tables' own arrays between threads (moved, see GroupTable.move). */
  tables: (TableSnapshot | MovedTable)[];
  /** Records kept by the filters / dropped by them. */
  kept: number;
  filtered: number;
  /** Accept date range of kept records (ms), or null when none. */
  firstMs: number | null;
  lastMs: number | null;
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
  readonly #locate: RowLocator[];
  readonly #filter: ((rec: LogRecord) => boolean) | null;
  /** Bit t set = record timer series t (TIMER_INDEX). */
  readonly #want: number;
  kept = 0;
  filtered = 0;
  firstMs = Number.POSITIVE_INFINITY;
  lastMs = Number.NEGATIVE_INFINITY;

  constructor(options: AnalyzeOptions, capBytes = tableBudget(options.capBytes)) {
    this.options = options;
    const perTable = Math.max(1 << 20, Math.floor(capBytes / Math.max(1, options.kinds.length)));
    this.tables = options.kinds.map(() => new GroupTable(perTable));
    this.#locate = options.kinds.map((k) => rowLocator(k, options.norm, options.intervalMs));
    this.#filter = buildFilter(options.filter);
    let want = 0;
    for (let i = 0; i < NTIMERS; i++) if (!options.record || options.record.includes(i)) want |= 1 << i;
    this.#want = want;
  }

  onRecord(rec: LogRecord): void {
    if (this.#filter !== null && !this.#filter(rec)) {
      this.filtered++;
      return;
    }
    this.kept++;
    const ms = rec.acceptMs;
    if (ms < this.firstMs) this.firstMs = ms;
    if (ms > this.lastMs) this.lastMs = ms;
    const tcp = rec.kind === RecordKind.tcp;
    const st = rec.status;
    // An error (docs/reports.md): 5xx or a status below 100, or a TCP session whose termination state does not start with '-'.
    const err = tcp ? rec.termChar(0) !== 0x2d : st >= 500 || st < 100;
    const statusCol = tcp || st < 100 || st > 599 ? Col.other : Col.s1xx + ((st / 100) | 0) - 1;
    const bytes = rec.bytesRead;
    const t = rec.timers;
    const want = this.#want;
    // The five timers of the line and the series they go to (tcplog: Tw, Tc, Tt).
    const t0 = tcp ? -1 : t[0]!;
    const t1 = t[1]!;
    const t2 = t[2]!;
    const t3 = tcp ? -1 : t[3]!;
    const t4 = t[4]!;
    const s4 = tcp ? 5 : 4;
    // The value each of the six series gets (-1: none).
    const v0 = t0 >= 0 && (want & 1) !== 0 ? t0 : -1;
    const v1 = t1 >= 0 && (want & 2) !== 0 ? t1 : -1;
    const v2 = t2 >= 0 && (want & 4) !== 0 ? t2 : -1;
    const v3 = t3 >= 0 && (want & 8) !== 0 ? t3 : -1;
    const last = t4 >= 0 && (want & (1 << s4)) !== 0 ? t4 : -1;
    const v4 = tcp ? -1 : last;
    const v5 = tcp ? last : -1;
    // A line with no value to record adds no line to the row's latency (n counts values, not lines).
    const anyValue = (v0 & v1 & v2 & v3 & v4 & v5) !== -1;
    const tables = this.tables;
    for (let i = 0; i < tables.length; i++) {
      const table = tables[i]!;
      const id = this.#locate[i]!(rec, table);
      const c = table.counts;
      const b = id * NCOLS;
      c[b + Col.req]!++;
      if (err) c[b + Col.err]!++;
      c[b + statusCol]!++;
      c[b + Col.bytes]! += bytes;
      if (anyValue) table.lat.recordRow(id, v0, v1, v2, v3, v4, v5);
      if (table.sketch) table.counted(id);
    }
    if ((this.kept & 0xffff) === 0) {
      for (const table of this.tables) table.checkBudget();
      this.#guardRss();
    }
  }

  /**
   * For a worker of the claimed-chunks reader: its tables stay exact past their share of the
   * budget, and the worker reads no further chunk once one of them is full or would be after
   * one more chunk (the main thread reads on, with the whole budget). So two threads give one
   * thread's report whenever one thread's is exact: with a sketch per worker, a 1 GB log whose
   * 283 000 URLs fit one thread's 192 MB came out approximate on two threads now and then (96 MB
   * for the worker).
   */
  stopWhenFull(): () => boolean {
    for (const t of this.tables) t.stopWhenFull = true;
    // Asked after each chunk: full also when the next chunk, growing a table as the last one
    // did, would take it past its share, so that a worker ends near its share, not a chunk past it.
    const before = this.tables.map((t) => t.estimatedBytes());
    return () =>
      this.tables.some((t, i) => {
        const now = t.estimatedBytes();
        const grew = now - before[i]!;
        before[i] = now;
        return t.full || now + grew > t.capBytes;
      });
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

  /**
   * `encoded`: JSON rows with HdrHistogram base64 (summaries); otherwise the tables' own arrays
   * (worker threads: transferList() moves them, so the analyzer is done with once it is sent).
   */
  snapshot(encoded = false): AnalyzeSnapshot {
    return {
      tables: this.tables.map((t) => (encoded ? t.snapshot(true) : t.move())),
      kept: this.kept,
      filtered: this.filtered,
      firstMs: this.kept ? this.firstMs : null,
      lastMs: this.kept ? this.lastMs : null,
    };
  }

  /** The buffers of an unencoded snapshot, moved (not copied) to the main thread. */
  transferList(s: AnalyzeSnapshot): ArrayBuffer[] {
    const out: ArrayBuffer[] = [];
    for (const t of s.tables) if ('moved' in t) out.push(...movedBuffers(t));
    return out;
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

/**
 * Every part of a snapshot merges as a sum, a histogram or a min/max, and rows are ordered by
 * their values with ties by key, so the order in which threads finish does not matter: the
 * reader may hand out chunks to whichever thread is free (record-reader.ts).
 */
export const mergeInAnyOrder = true;

/** The job entry point for readRecords(): workers get their share of the memory budget. */
export function create(options: AnalyzeOptions): Analyzer {
  const budget = tableBudget(options.capBytes);
  return new Analyzer(options, isMainThread ? budget : Math.floor(budget / Math.max(1, options.threads)));
}
