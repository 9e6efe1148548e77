import type { ReportTable } from '../analyze/result.js';
import { ByteOut, collect, numWidth, type Write } from './write.js';

/**
 * Aligned text: one header line, numbers right-aligned, the key last (as halog prints URLs)
 * so a long URL does not push the other columns. Empty latency cells print '-'.
 */
export function writeText(t: ReportTable, write: Write): void {
  const out = new ByteOut(write);
  const names = t.columns.slice(1).map((c) => c.name);
  const nums = new Float64Array(names.length);
  // Widths: a first pass over the rows' numbers.
  const widths = names.map((n) => n.length);
  for (let i = 0; i < t.length; i++) {
    t.fill(i, nums, 0);
    for (let c = 0; c < nums.length; c++) {
      const v = nums[c]!;
      const w = Number.isNaN(v) ? 1 : numWidth(v);
      if (w > widths[c]!) widths[c] = w;
    }
  }
  out.text(names.map((n, c) => n.padStart(widths[c]!)).join(' ') + ' ' + t.columns[0]!.name + '\n');
  for (let i = 0; i < t.length; i++) {
    t.fill(i, nums, 0);
    for (let c = 0; c < nums.length; c++) {
      if (c) out.byte(0x20);
      const v = nums[c]!;
      if (Number.isNaN(v)) {
        out.pad(widths[c]! - 1);
        out.byte(0x2d);
      } else {
        out.pad(widths[c]! - numWidth(v));
        out.num(v);
      }
    }
    out.byte(0x20);
    out.str(t.key(i));
    out.byte(0x0a);
  }
  const m = t.meta;
  if (t.length < m.totalRows) out.text(`# ${t.length} of ${m.totalRows} rows, sorted by ${describeSort(m.sort)}\n`);
  if (m.approximate) out.text(`# approximate: memory cap reached, ${m.evictions} keys evicted; req may over-count by up to ${m.errorBound} (column req_err per row)\n`);
  out.flush();
}

export const renderText = (t: ReportTable): string => collect((w) => writeText(t, w));

export function describeSort(sort: string): string {
  return sort.startsWith('-') ? `${sort.slice(1)} ascending` : `${sort} descending`;
}
