import type { KeyBytes, ReportTable } from '../analyze/result.js';
import { byteSet, guardCell, plainKeyBytes, type CellOptions } from './cells.js';
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

export function writeTsv(t: ReportTable, write: Write, options: CellOptions = {}): void {
  const out = new ByteOut(write);
  out.text(t.columns.map((c) => c.name).join('\t') + '\n');
  const nums = new Float64Array(t.columns.length - 1);
  const kb: KeyBytes = { buf: new Uint8Array(0), start: 0, end: 0 };
  const raw = options.rawCells === true;
  for (let i = 0; i < t.length; i++) {
    t.fill(i, nums, 0);
    if (t.keyBytes) t.keyBytes(i, kb);
    if (t.keyBytes && plainKeyBytes(kb, raw, TSV_SPECIAL)) out.latin1(kb.buf, kb.start, kb.end);
    else {
      const key = t.key(i);
      out.str(escapeKey(raw ? key : guardCell(key)));
    }
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
