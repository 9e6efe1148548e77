import type { Cell, ReportTable } from '../analyze/result.js';
import { ROWS_PER_CHUNK, collect, type Write } from './write.js';

export interface JsonContext {
  /** Line counts of the run (or of the merged summaries). */
  input: { lines: number; records: number; invalid: number; kept: number; filtered: number };
}

/**
 * Writes a row as one JSON object keyed by column name (the CSV header's names), exactly as
 * JSON.stringify of that object would, without building it: keys are quoted once per table,
 * numbers print as JSON prints them (String() when finite, else null), strings go through
 * JSON.stringify. A 77 k-URL report has 4 M cells: the objects cost as much as the rest of
 * the output.
 */
export function rowJson(t: ReportTable): (r: Cell[]) => string {
  const keys = t.columns.map((c, i) => `${i ? ',' : '{'}${JSON.stringify(c.name)}:`);
  return (r) => {
    let s = '';
    for (let i = 0; i < keys.length; i++) {
      const v = r[i]!;
      s += keys[i]! + (typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'null') : v === null ? 'null' : JSON.stringify(v));
    }
    return s + '}';
  };
}

/**
 * One JSON document: format version, report metadata, input counts, then `columns` and `rows`
 * with one object per line (rows written ROWS_PER_CHUNK at a time, never as one string).
 */
export function writeJson(t: ReportTable, ctx: JsonContext, write: Write): void {
  const head = JSON.stringify({ format: 'haloscope-report', version: 1, ...t.meta, input: ctx.input }, null, 2);
  const columns = t.columns.map((c) => `    ${JSON.stringify(c)}`).join(',\n');
  write(`${head.slice(0, -2)},\n  "columns": [\n${columns}\n  ],\n  "rows": [`);
  const json = rowJson(t);
  for (let i = 0; i < t.rows.length; i += ROWS_PER_CHUNK) {
    write(t.rows.slice(i, i + ROWS_PER_CHUNK).map((r, j) => `${i + j ? ',' : ''}\n    ${json(r)}`).join(''));
  }
  write(t.rows.length ? '\n  ]\n}\n' : ']\n}\n');
}

export const renderJson = (t: ReportTable, ctx: JsonContext): string => collect((w) => writeJson(t, ctx, w));
