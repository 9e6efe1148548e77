import type { Cell, ReportTable } from '../analyze/result.js';
import { ROWS_PER_CHUNK, collect, type Write } from './write.js';

/**
 * Tab-separated values (IANA text/tab-separated-values): no quoting exists, so a tab, CR or
 * LF inside a key (possible in captured headers) is written as `\t`, `\r`, `\n`, and `\` as `\\`.
 */
function cell(c: Cell): string {
  if (c === null) return '';
  if (typeof c === 'number') return String(c);
  return c.replace(/[\\\t\r\n]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\r' ? '\\r' : '\\n'));
}

export function writeTsv(t: ReportTable, write: Write): void {
  write(t.columns.map((c) => c.name).join('\t') + '\n');
  for (let i = 0; i < t.rows.length; i += ROWS_PER_CHUNK) {
    write(t.rows.slice(i, i + ROWS_PER_CHUNK).map((r) => r.map(cell).join('\t') + '\n').join(''));
  }
}

export const renderTsv = (t: ReportTable): string => collect((w) => writeTsv(t, w));
