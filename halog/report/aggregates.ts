import { IntCounts, type IntCountsSnapshot } from './int-counts.js';
import { KeyTable, type KeyTableSnapshot } from './key-table.js';

/** Columns of the per-URL and per-client tables (halog's `struct url_stat`). */
export const UrlCol = { req: 0, err: 1, time: 2, timeOk: 3, bytes: 4 } as const;
export const URL_COLUMNS = 5;

/** Columns of the per-server table (halog's `struct srv_st`): status classes 0 (other) to 5. */
export const SrvCol = { status0: 0, nbCt: 6, nbRt: 7, nbOk: 8, cumCt: 9, cumRt: 10 } as const;
export const SRV_COLUMNS = 11;

/** A warning halog prints on stderr while reading; kept with its line number for ordering. */
export interface LineMessage {
  readonly kind: 'truncated' | 'negative-data-time';
  readonly line: number;
  readonly text: string;
}

export interface AggregatesSnapshot {
  readonly lineNum: number;
  readonly parseErrors: number;
  readonly linesOut: number;
  readonly counts: IntCountsSnapshot;
  readonly timers: IntCountsSnapshot[];
  readonly urls: KeyTableSnapshot;
  readonly servers: KeyTableSnapshot;
  readonly messages: LineMessage[];
}

/**
 * Everything a run accumulates. One instance per thread; partial results from worker
 * threads are merged into the main one before the report is printed, and since every
 * field is a sum or a count keyed by value, merging in any order gives the same report.
 */
export class Aggregates {
  lineNum = 0;
  parseErrors = 0;
  linesOut = 0;
  /** Counts keyed by a signed int: status (-st), code pair (-tc/-cc), ms of day (-ad/-ac). */
  readonly counts = new IntCounts();
  /** Value counts per timer series for -pct/-gt: 0 = error lines, 1 TR, 2 Tc, 3 Tr, 4 data. */
  readonly timers: IntCounts[] = [new IntCounts(), new IntCounts(), new IntCounts(), new IntCounts(), new IntCounts()];
  readonly urls: KeyTable;
  readonly servers = new KeyTable(SRV_COLUMNS);
  readonly messages: LineMessage[] = [];

  /**
   * `manyKeys`: the run fills the URL or client table, which then gets room for a million keys
   * up front (key-table.ts: only what is written costs memory). Other modes keep it small: the
   * big typed arrays count as external memory and cost a GC at start-up (~30 ms per thread).
   */
  constructor(manyKeys: boolean) {
    this.urls = manyKeys ? new KeyTable(URL_COLUMNS, 1 << 20, 32 << 20) : new KeyTable(URL_COLUMNS);
  }

  snapshot(): AggregatesSnapshot {
    return {
      lineNum: this.lineNum,
      parseErrors: this.parseErrors,
      linesOut: this.linesOut,
      counts: this.counts.snapshot(),
      timers: this.timers.map((t) => t.snapshot()),
      urls: this.urls.snapshot(),
      servers: this.servers.snapshot(),
      messages: this.messages,
    };
  }

  /** Adds a partial result whose lines come after the ones already merged. */
  merge(o: AggregatesSnapshot): void {
    const base = this.lineNum;
    for (const m of o.messages) this.messages.push({ kind: m.kind, line: m.line + base, text: m.text });
    this.lineNum += o.lineNum;
    this.parseErrors += o.parseErrors;
    this.linesOut += o.linesOut;
    this.counts.merge(o.counts);
    for (let i = 0; i < 5; i++) this.timers[i]!.merge(o.timers[i]!);
    this.urls.merge(o.urls);
    this.servers.merge(o.servers);
  }
}
