import type { Cell, ReportTable } from '../analyze/result.js';

/**
 * Aligned text: one header line, numbers right-aligned, the key last (as halog prints URLs)
 * so a long URL does not push the other columns. Empty latency cells print '-'.
 */
function show(c: Cell): string {
  return c === null ? '-' : typeof c === 'number' ? String(c) : c;
}

export function renderText(t: ReportTable): string {
  const order = [...t.columns.keys()].filter((i) => t.columns[i]!.type !== 'key');
  const keyIdx = t.columns.findIndex((c) => c.type === 'key');
  const widths = order.map((i) => Math.max(t.columns[i]!.name.length, ...t.rows.map((r) => show(r[i]!).length)));
  const lines: string[] = [];
  const line = (cells: string[], key: string): string => cells.map((s, j) => s.padStart(widths[j]!)).join(' ') + ' ' + key;
  lines.push(line(order.map((i) => t.columns[i]!.name), t.columns[keyIdx]!.name));
  for (const r of t.rows) lines.push(line(order.map((i) => show(r[i]!)), show(r[keyIdx]!)));
  const m = t.meta;
  if (t.rows.length < m.totalRows) lines.push(`# ${t.rows.length} of ${m.totalRows} rows, sorted by ${describeSort(m.sort)}`);
  if (m.approximate) lines.push(`# approximate: memory cap reached, ${m.evictions} keys evicted; req may over-count by up to ${m.errorBound} (column req_err per row)`);
  return lines.join('\n') + '\n';
}

export function describeSort(sort: string): string {
  return sort.startsWith('-') ? `${sort.slice(1)} ascending` : `${sort} descending`;
}
