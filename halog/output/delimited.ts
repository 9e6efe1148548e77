import type { KeyBytes, ReportTable } from '../analyze/result.js';
import { plainKeyBytes, type CellOptions } from './cells.js';
import { CHUNK, type ByteOut } from './write.js';
import { cellWriter } from './cell-writer.js';

/** What tells CSV rows from TSV rows: the separators and how a key that is not plain is written. */
export interface Delimiters {
  /** Byte between cells. */
  readonly separator: number;
  /** Bytes that end a row (CRLF for CSV, LF for TSV). */
  readonly rowEnd: Uint8Array;
  /** Key bytes the format quotes or escapes: a key holding one goes through `keyCell`. */
  readonly special: Uint8Array;
  /** The cell for a key that is not plain (guarded unless `raw`, then quoted or escaped). */
  keyCell(key: string, raw: boolean): string;
}

/**
 * Every row of `t`: the key, then each number (empty when NaN: a latency with no sample).
 * Plain key bytes go out as they are, without making a string, and the numbers through a
 * CellWriter; this loop is where a report of 283 000 URL rows spends its output time, so it
 * is written once for both formats.
 */
export function writeDelimitedRows(t: ReportTable, out: ByteOut, d: Delimiters, options: CellOptions): void {
  const kb: KeyBytes = { buf: new Uint8Array(0), start: 0, end: 0 };
  const raw = options.rawCells === true;
  const { separator, rowEnd, special } = d;
  const sep = String.fromCharCode(separator);
  const cells = cellWriter(Array.from({ length: t.columns.length - 1 }, () => sep), '', Buffer.from(rowEnd).toString('latin1'), CHUNK);
  if (cells) out.adopt(cells.out);
  const nums = cells?.nums ?? new Float64Array(t.columns.length - 1);
  for (let i = 0; i < t.length; i++) {
    t.fill(i, nums, 0);
    if (t.keyBytes) t.keyBytes(i, kb);
    if (t.keyBytes && plainKeyBytes(kb, raw, special)) out.latin1(kb.buf, kb.start, kb.end);
    else out.str(d.keyCell(t.key(i), raw));
    if (cells && out.cells(cells)) continue;
    for (let c = 0; c < nums.length; c++) {
      out.byte(separator);
      const v = nums[c]!;
      if (!Number.isNaN(v)) out.num(v);
    }
    for (let k = 0; k < rowEnd.length; k++) out.byte(rowEnd[k]!);
  }
}
