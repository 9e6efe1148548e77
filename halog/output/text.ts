import type { Cell, ReportTable } from '../analyze/result.js';
import { ROWS_PER_CHUNK, collect, type Write } from './write.js';

/**
 * Aligned text: one header line, numbers right-aligned, the key last (as halog prints URLs)
 * so a long URL does not push the other columns. Empty latency cells print '-'.
 */
function show(c: Cell): string {
  return c === null ? '-' : typeof c === 'number' ? String(c) : c;
}

export function writeText(t: ReportTable, write: Write): void {
  const order = [...t.columns.keys()].filter((i) => t.columns[i]!.type !== 'key');
  const keyIdx = t.columns.findIndex((c) => c.type === 'key');
  const widths = order.map((i) => Math.max(t.columns[i]!.name.length, ...t.rows.map((r) => show(r[i]!).length)));
  const line = (cells: string[], key: string): string => cells.map((s, j) => s.padStart(widths[j]!)).join(' ') + ' ' + key + '\n';
  write(line(order.map((i) => t.columns[i]!.name), t.columns[keyIdx]!.name));
  for (let k = 0; k < t.rows.length; k += ROWS_PER_CHUNK) {
    write(t.rows.slice(k, k + ROWS_PER_CHUNK).map((r) => line(order.map((i) => show(r[i]!)), show(r[keyIdx]!))).join(''));
  }
  const m = t.meta;
  if (t.rows.length < m.totalRows) write(`# ${t.rows.length} of ${m.totalRows} rows, sorted by ${describeSort(m.sort)}\n`);
  if (m.approximate) write(`# approximate: memory cap reached, ${m.evictions} keys evicted; req may over-count by up to ${m.errorBound} (column req_err per row)\n`);
}

export const renderText = (t: ReportTable): string => collect((w) => writeText(t, w));

export function describeSort(sort: string): string {
  return sort.startsWith('-') ? `${sort.slice(1)} ascending` : `${sort} descending`;
}
