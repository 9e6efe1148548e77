import type { Cell, ReportTable } from '../analyze/result.js';

/** Rows as objects keyed by column name (the same names as the CSV header). */
export function rowObjects(t: ReportTable): Record<string, Cell>[] {
  return t.rows.map((r) => {
    const o: Record<string, Cell> = {};
    t.columns.forEach((c, i) => (o[c.name] = r[i]!));
    return o;
  });
}

export interface JsonContext {
  /** Line counts of the run (or of the merged summaries). */
  input: { lines: number; records: number; invalid: number; kept: number; filtered: number };
}

/** One JSON document: format version, report metadata, input counts, rows. */
export function renderJson(t: ReportTable, ctx: JsonContext): string {
  return JSON.stringify({ format: 'haloscope-report', version: 1, ...t.meta, input: ctx.input, columns: t.columns, rows: rowObjects(t) }, null, 2) + '\n';
}
