import type { ReportTable } from '../analyze/result.js';
import { guardCell, type CellOptions } from './cells.js';
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

export function writeTsv(t: ReportTable, write: Write, options: CellOptions = {}): void {
  const out = new ByteOut(write);
  out.text(t.columns.map((c) => c.name).join('\t') + '\n');
  const nums = new Float64Array(t.columns.length - 1);
  for (let i = 0; i < t.length; i++) {
    t.fill(i, nums, 0);
    const key = t.key(i);
    out.str(escapeKey(options.rawCells ? key : guardCell(key)));
    for (let c = 0; c < nums.length; c++) {
      out.byte(0x09);
      const v = nums[c]!;
      if (!Number.isNaN(v)) out.num(v);
    }
    out.byte(0x0a);
  }
  out.flush();
}

export const renderTsv = (t: ReportTable, options: CellOptions = {}): string => collect((w) => writeTsv(t, w, options));
