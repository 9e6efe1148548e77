import { GroupTable, hashBytes } from './group-table.js';

/** What a row locator (kinds.ts) needs of a table: find a key's row, and the table it is in. */
export interface RowFinder {
  find(buf: Uint8Array, start: number, end: number, h: number): number;
  findBytes(buf: Uint8Array, start?: number, end?: number): number;
  findString(key: string): number;
  /** Changes whenever a row id may have changed key (callers caching ids check it). */
  readonly epoch: number;
  /** The table that holds the row the last find returned. */
  readonly current: GroupTable;
}

/**
 * The partition of a key hash among `parts`: its top 16 bits scaled, not `h % parts`, because a
 * GroupTable places rows by the low bits of the same hash, and parts that each held one value
 * of the low bits would leave half of every table's slots unused and its probe chains longer.
 */
export function partitionOf(h: number, parts: number): number {
  return ((h >>> 16) * parts) >>> 16;
}

/**
 * One report's rows as `parts.length` tables, a key in the one its hash picks (partitionOf).
 * Each thread of a parallel run keeps its rows this way, so that at the end the owner of
 * partition p gets every thread's table p and merges, sorts and computes only those rows,
 * while the other threads do the same for theirs (end-phase.ts). Costs one multiply per line.
 */
export class PartitionedTable implements RowFinder {
  readonly parts: GroupTable[];
  current: GroupTable;

  /** Every table gets `capBytes`; table `big` (-1: none) has its arrays made for `bigSize`. */
  constructor(parts: number, capBytes: number, big = -1, bigSize = capBytes) {
    this.parts = Array.from({ length: parts }, (_, p) => new GroupTable(capBytes, p === big ? bigSize : capBytes));
    this.current = this.parts[0]!;
  }

  /** Not cached by any partitioned kind (timeline, the one locator that caches ids, is not partitioned): the sum is enough to change. */
  get epoch(): number {
    let e = 0;
    for (const t of this.parts) e += t.epoch;
    return e;
  }

  find(buf: Uint8Array, start: number, end: number, h: number): number {
    const t = this.parts[partitionOf(h, this.parts.length)]!;
    this.current = t;
    return t.find(buf, start, end, h);
  }

  findBytes(buf: Uint8Array, start = 0, end = buf.length): number {
    return this.find(buf, start, end, hashBytes(buf, start, end));
  }

  findString(key: string): number {
    return this.findBytes(Buffer.from(key, 'latin1'));
  }
}
