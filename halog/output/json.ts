import type { Cell, ReportTable } from '../analyze/result.js';
import { ROWS_PER_CHUNK, collect, type Write } from './write.js';

/** Row `i` as an object keyed by column name (the same names as the CSV header). */
export function rowObject(t: ReportTable, r: Cell[]): Record<string, Cell> {
  const o: Record<string, Cell> = {};
  t.columns.forEach((c, i) => (o[c.name] = r[i]!));
  return o;
}

export interface JsonContext {
  /** Line counts of the run (or of the merged summaries). */
  input: { lines: number; records: number; invalid: number; kept: number; filtered: number };
}

/**
 * One JSON document: format version, report metadata, input counts, then `columns` and `rows`
 * with one object per line (rows written ROWS_PER_CHUNK at a time, never as one string).
 */
export function writeJson(t: ReportTable, ctx: JsonContext, write: Write): void {
  const head = JSON.stringify({ format: 'haloscope-report', version: 1, ...t.meta, input: ctx.input }, null, 2);
  const columns = t.columns.map((c) => `    ${JSON.stringify(c)}`).join(',\n');
  write(`${head.slice(0, -2)},\n  "columns": [\n${columns}\n  ],\n  "rows": [`);
  for (let i = 0; i < t.rows.length; i += ROWS_PER_CHUNK) {
    write(t.rows.slice(i, i + ROWS_PER_CHUNK).map((r, j) => `${i + j ? ',' : ''}\n    ${JSON.stringify(rowObject(t, r))}`).join(''));
  }
  write(t.rows.length ? '\n  ]\n}\n' : ']\n}\n');
}

export const renderJson = (t: ReportTable, ctx: JsonContext): string => collect((w) => writeJson(t, ctx, w));
