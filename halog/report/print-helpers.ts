import type { OutBuffer } from '../output/out-buffer.js';
import type { Aggregates } from './aggregates.js';

/** Prints a final report; stops after `linesMax` rows counting `agg.linesOut` (-1 = no limit). */
export type Printer = (agg: Aggregates, out: OutBuffer, linesMax: number) => void;

/** An unsigned 64-bit C value held as a (possibly negative) exact JS sum, as halog prints it. */
export function u64(v: number): bigint {
  return BigInt.asUintN(64, BigInt(v));
}

/** Counts one printed row and tells whether `-m` says to stop (halog: lines_out >= lines_max). */
export function reachedMax(agg: Aggregates, linesMax: number): boolean {
  agg.linesOut++;
  return linesMax >= 0 && agg.linesOut >= linesMax;
}
