import type { ReportTable } from '../analyze/result.js';
import { byteSet, guardCell, type CellOptions } from './cells.js';
import { writeDelimitedRows, type Delimiters } from './delimited.js';
import { ByteOut, collect, type Write } from './write.js';

/**
 * Tab-separated values (IANA text/tab-separated-values): no quoting exists, so a tab, CR or
 * LF inside a key (possible in captured headers) is written as `\t`, `\r`, `\n`, and `\` as `\\`.
 * A cell a spreadsheet would run as a formula gets a leading `'` unless `rawCells` (cells.ts).
 */
function escapeKey(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c || c === 0x09 || c === 0x0d || c === 0x0a) {
      return s.replace(/[\\\t\r\n]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\r' ? '\\r' : '\\n'));
    }
  }
  return s;
}

/** Bytes escapeKey rewrites. */
const TSV_SPECIAL = byteSet('\\\t\r\n');

const TSV: Delimiters = {
  separator: 0x09,
  rowEnd: Uint8Array.of(0x0a),
  special: TSV_SPECIAL,
  keyCell: (key: string, raw: boolean): string => escapeKey(raw ? key : guardCell(key)),
};

export function writeTsv(t: ReportTable, write: Write, options: CellOptions = {}): void {
  const out = new ByteOut(write);
  out.text(t.columns.map((c) => c.name).join('\t') + '\n');
  writeDelimitedRows(t, out, TSV, options);
  out.flush();
}

export const renderTsv = (t: ReportTable, options: CellOptions = {}): string => collect((w) => writeTsv(t, w, options));
