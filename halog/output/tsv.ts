import type { Cell, ReportTable } from '../analyze/result.js';
import { guardCell, type CellOptions } from './cells.js';
import { ROWS_PER_CHUNK, collect, type Write } from './write.js';

/**
 * Tab-separated values (IANA text/tab-separated-values): no quoting exists, so a tab, CR or
 * LF inside a key (possible in captured headers) is written as `\t`, `\r`, `\n`, and `\` as `\\`.
 * A cell a spreadsheet would run as a formula gets a leading `'` unless `rawCells` (cells.ts).
 */
function cell(c: Cell, guard: boolean): string {
  if (c === null) return '';
  if (typeof c === 'number') return String(c);
  return (guard ? guardCell(c) : c).replace(/[\\\t\r\n]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\r' ? '\\r' : '\\n'));
}

export function writeTsv(t: ReportTable, write: Write, options: CellOptions = {}): void {
  const guard = !options.rawCells;
  write(t.columns.map((c) => c.name).join('\t') + '\n');
  for (let i = 0; i < t.rows.length; i += ROWS_PER_CHUNK) {
    write(t.rows.slice(i, i + ROWS_PER_CHUNK).map((r) => r.map((c) => cell(c, guard)).join('\t') + '\n').join(''));
  }
}

export const renderTsv = (t: ReportTable, options: CellOptions = {}): string => collect((w) => writeTsv(t, w, options));
