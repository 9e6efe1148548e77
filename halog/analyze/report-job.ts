import v8 from 'node:v8';
import vm from 'node:vm';
import { isMainThread, type MessagePort } from 'node:worker_threads';
import { RecordKind, type LogRecord } from '../parse/record.js';
import type { RecordJob } from '../read/record-reader.js';
import { buildFilter, type FilterSpec } from './filters.js';
import { closeOffers, finishParts, offerParts, offerTransfer, workerIndex, type EndSpec, type PartsOffer } from './end-phase.js';
import { Col, GroupTable, NCOLS, movedBuffers, type MovedTable, type TableSnapshot } from './group-table.js';
import { rowLocator, type KindSpec, type RowLocator, type UrlNormalization } from './kinds.js';
import { NTIMERS } from './latency.js';
import type { PartRun } from './part-run.js';
import { PartitionedTable, type RowFinder } from './partitioned-table.js';

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
  /**
   * A parallel end phase (end-phase.ts): the one kind's rows partitioned by key hash, each
   * partition sorted and computed by the thread that owns it. Set by the CLI for machine
   * formats of large kinds on several threads; the tables are then not whole anywhere, so
   * summaries and the HTML page, which need them whole, run without it.
   */
  end?: EndSpec;
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
  /** A worker's partitioned tables (options.end); `tables` is then empty. */
  parts?: PartsOffer;
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
  /** One table per kind; empty when the rows are partitioned (see `partitioned`). */
  readonly tables: GroupTable[];
  /** The rows of the one kind by key hash (options.end), or null. */
  readonly partitioned: PartitionedTable | null = null;
  /** Where each kind's locator looks rows up: its table, or the partitioned one. */
  readonly #finders: RowFinder[];
  /** Every table, for the budget checks. */
  readonly #all: GroupTable[];
  /** This thread's worker index (end-phase.ts; 0 on the main thread). */
  readonly #index: number = 0;
  /** The workers' partitioned tables merged into this job, finished by endRuns(). */
  readonly #offers: PartsOffer[] = [];
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
    const end = options.end;
    if (end !== undefined && options.kinds.length === 1) {
      if (!isMainThread) this.#index = workerIndex(end);
      // A worker's own partition will take the other threads' rows of it: its arrays are made
      // for the whole partition's budget (memory is backed only when written), not grown by
      // copying during the end phase; its budget is this thread's share until then.
      const mine = partitionBudget(perTable, end.parts);
      const whole = partitionBudget(wholeTableBudget(options), end.parts);
      this.partitioned = new PartitionedTable(end.parts, mine, isMainThread ? -1 : this.#index, Math.max(mine, whole));
      this.tables = [];
      this.#finders = [this.partitioned];
      this.#all = this.partitioned.parts;
    } else {
      this.tables = options.kinds.map(() => new GroupTable(perTable));
      this.#finders = this.tables;
      this.#all = this.tables;
    }
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
    const rec0 = t0 >= 0 && (want & 1) !== 0;
    const rec1 = t1 >= 0 && (want & 2) !== 0;
    const rec2 = t2 >= 0 && (want & 4) !== 0;
    const rec3 = t3 >= 0 && (want & 8) !== 0;
    const rec4 = t4 >= 0 && (want & (1 << s4)) !== 0;
    const finders = this.#finders;
    for (let i = 0; i < finders.length; i++) {
      const finder = finders[i]!;
      const id = this.#locate[i]!(rec, finder);
      const table = finder.current;
      const c = table.counts;
      const b = id * NCOLS;
      c[b + Col.req]!++;
      if (err) c[b + Col.err]!++;
      c[b + statusCol]!++;
      c[b + Col.bytes]! += bytes;
      const lat = table.lat;
      const s = id * NTIMERS;
      if (rec0) lat.record(s, t0);
      if (rec1) lat.record(s + 1, t1);
      if (rec2) lat.record(s + 2, t2);
      if (rec3) lat.record(s + 3, t3);
      if (rec4) lat.record(s + s4, t4);
      if (table.sketch) table.counted(id);
    }
    if ((this.kept & 0xffff) === 0) {
      for (const table of this.#all) table.checkBudget();
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

  /**
   * `encoded`: JSON rows with HdrHistogram base64 (summaries); otherwise the tables' own arrays
   * (worker threads: transferList() moves them, so the analyzer is done with once it is sent).
   */
  snapshot(encoded = false): AnalyzeSnapshot {
    if (this.partitioned !== null) {
      if (encoded || isMainThread) throw new Error('partitioned report tables are finished with endRuns(), not snapshot()');
      const end = this.options.end!;
      const parts = offerParts(this.partitioned, this.#index, end, partitionBudget(wholeTableBudget(this.options), end.parts));
      return { tables: [], kept: this.kept, filtered: this.filtered, firstMs: this.kept ? this.firstMs : null, lastMs: this.kept ? this.lastMs : null, parts };
    }
    return {
      tables: this.tables.map((t) => (encoded ? t.snapshot(true) : t.move())),
      kept: this.kept,
      filtered: this.filtered,
      firstMs: this.kept ? this.firstMs : null,
      lastMs: this.kept ? this.lastMs : null,
    };
  }

  /** The buffers of an unencoded snapshot, moved (not copied) to the main thread. */
  transferList(s: AnalyzeSnapshot): (ArrayBuffer | MessagePort)[] {
    if (s.parts) return offerTransfer(s.parts);
    const out: ArrayBuffer[] = [];
    for (const t of s.tables) if ('moved' in t) out.push(...movedBuffers(t));
    return out;
  }

  merge(s: AnalyzeSnapshot): void {
    if (s.parts) this.#offers.push(s.parts);
    s.tables.forEach((t, i) => this.tables[i]!.merge(t));
    this.kept += s.kept;
    this.filtered += s.filtered;
    if (s.firstMs !== null && s.firstMs < this.firstMs) this.firstMs = s.firstMs;
    if (s.lastMs !== null && s.lastMs > this.lastMs) this.lastMs = s.lastMs;
  }

  /**
   * The sorted, computed rows of every partition (options.end), once every worker's snapshot
   * was merged; the tables are handed to their owners and unusable afterwards.
   */
  endRuns(): Promise<PartRun[]> {
    if (this.partitioned === null) throw new Error('endRuns() is for partitioned reports');
    return finishParts(this.partitioned, this.#offers, this.options.end!);
  }

  /** Lets the workers of a partitioned run go without their partitions (a run that ends before endRuns). */
  closeParts(): void {
    closeOffers(this.#offers);
  }
}

/** One kind's table budget in a run on one thread (the main thread's, whatever the thread count). */
function wholeTableBudget(options: AnalyzeOptions): number {
  return Math.max(1 << 20, Math.floor(tableBudget(options.capBytes) / Math.max(1, options.kinds.length)));
}

/** The budget of each of `parts` tables of one kind's budget `perTable`: together no more than one table. */
function partitionBudget(perTable: number, parts: number): number {
  return Math.floor(perTable / parts);
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
