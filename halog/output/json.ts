import type { ReportTable } from '../analyze/result.js';
import { ByteOut, collect, type Write } from './write.js';

export interface JsonContext {
  /** Line counts of the run (or of the merged summaries). */
  input: { lines: number; records: number; invalid: number; kept: number; filtered: number };
}

/** JSON.stringify(s), without the call for the common string that needs no escape. */
export function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return `"${s}"`;
}

/**
 * Writes each row as one JSON object keyed by column name (the CSV header's names), exactly as
 * JSON.stringify of that object would, without building it: keys are quoted once per table,
 * numbers print as JSON prints them (String() when finite, else null), strings as
 * JSON.stringify does. `rowStart` is written before each row ('' or a separator).
 */
export function writeJsonRows(t: ReportTable, out: ByteOut, before: (i: number) => string, after: string): void {
  const keys = t.columns.map((c, i) => `${i ? ',' : '{'}${JSON.stringify(c.name)}:`);
  const nums = new Float64Array(t.columns.length - 1);
  for (let i = 0; i < t.length; i++) {
    t.fill(i, nums, 0);
    out.text(before(i));
    out.text(keys[0]!);
    out.text(jsonString(t.key(i)));
    for (let c = 1; c < keys.length; c++) {
      out.text(keys[c]!);
      const v = nums[c - 1]!;
      if (Number.isFinite(v)) out.num(v);
      else out.text('null');
    }
    out.text(after);
  }
}

/**
 * One JSON document: format version, report metadata, input counts, then `columns` and `rows`
 * with one object per line.
 */
export function writeJson(t: ReportTable, ctx: JsonContext, write: Write): void {
  const out = new ByteOut(write);
  const head = JSON.stringify({ format: 'haloscope-report', version: 1, ...t.meta, input: ctx.input }, null, 2);
  const columns = t.columns.map((c) => `    ${JSON.stringify(c)}`).join(',\n');
  out.text(`${head.slice(0, -2)},\n  "columns": [\n${columns}\n  ],\n  "rows": [`);
  writeJsonRows(t, out, (i) => (i ? ',\n    ' : '\n    '), '}');
  out.text(t.length ? '\n  ]\n}\n' : ']\n}\n');
  out.flush();
}

export const renderJson = (t: ReportTable, ctx: JsonContext): string => collect((w) => writeJson(t, ctx, w));
