import type { Cell, ReportTable } from '../analyze/result.js';

/**
 * Tab-separated values (IANA text/tab-separated-values): no quoting exists, so a tab, CR or
 * LF inside a key (possible in captured headers) is written as `\t`, `\r`, `\n`, and `\` as `\\`.
 */
function cell(c: Cell): string {
  if (c === null) return '';
  if (typeof c === 'number') return String(c);
  return c.replace(/[\\\t\r\n]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\r' ? '\\r' : '\\n'));
}

export function renderTsv(t: ReportTable): string {
  const lines = [t.columns.map((c) => c.name).join('\t')];
  for (const r of t.rows) lines.push(r.map(cell).join('\t'));
  return lines.join('\n') + '\n';
}
