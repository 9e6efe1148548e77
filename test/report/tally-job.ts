import type { LogRecord } from '../../halog/parse/record.js';
import type { RecordJob } from '../../halog/read/record-reader.js';

/**
 * A record job for tests of record-reader.ts: order-free tallies of what it was given, and an
 * optional busy wait per record so that worker threads boot before the main thread is done.
 */
export const mergeInAnyOrder = true;

export interface Tally {
  records: number;
  invalid: number;
  statusSum: number;
  bytesSum: number;
  acceptSum: number;
}

export interface TallyOptions {
  spinPerRecord?: number;
  /** Workers of the claimed path report themselves full (stopWhenFull) from this many records on. */
  fullAfterRecords?: number;
}

export function create(options: TallyOptions): RecordJob<Tally> & { tally: Tally; parts: number[] } {
  const tally: Tally = { records: 0, invalid: 0, statusSum: 0, bytesSum: 0, acceptSum: 0 };
  const spin = options.spinPerRecord ?? 0;
  const fullAt = options.fullAfterRecords;
  /** Records of each snapshot merged in (one per worker). */
  const parts: number[] = [];
  return {
    tally,
    parts,
    onRecord(rec: LogRecord): void {
      tally.records++;
      tally.statusSum += rec.status;
      tally.bytesSum += rec.bytesRead;
      tally.acceptSum += rec.acceptMs % 1000;
      for (let i = 0; i < spin; i++) tally.acceptSum += 0;
    },
    onInvalid(): void {
      tally.invalid++;
    },
    snapshot: () => ({ ...tally }),
    ...(fullAt === undefined ? {} : { stopWhenFull: () => () => tally.records >= fullAt }),
    merge(s: Tally): void {
      parts.push(s.records);
      tally.records += s.records;
      tally.invalid += s.invalid;
      tally.statusSum += s.statusSum;
      tally.bytesSum += s.bytesSum;
      tally.acceptSum += s.acceptSum;
    },
  };
}
