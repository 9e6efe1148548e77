import type { KeyBytes, ReportTable } from '../analyze/result.js';
import { byteSet, plainKeyBytes } from './cells.js';
import { ByteOut, CHUNK, collect, constantBytes, type Write } from './write.js';
import { cellWriter } from './cell-writer.js';

export interface JsonContext {
  /** Line counts of the run (or of the merged summaries). */
  input: { lines: number; records: number; invalid: number; kept: number; filtered: number };
}

/** Whether JSON.stringify(s) is `"` + s + `"` (nothing to escape). */
function plainJson(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

/** Bytes JSON.stringify escapes in a latin1 key (controls, quote, backslash; no surrogates in latin1). */
const JSON_SPECIAL = byteSet(String.fromCharCode(...Array.from({ length: 0x20 }, (_, c) => c)) + '"\\');

/**
 * Writes each row as one JSON object keyed by column name (the CSV header's names), exactly as
 * JSON.stringify of that object would, without building it: the `{"name":` and `,"name":`
 * parts are encoded once per table, the numbers and their names written by a CellWriter
 * (String() when finite, else null), the key as JSON.stringify does. `before(i)` is written
 * before row i, `after` after each row.
 */
export function writeJsonRows(t: ReportTable, out: ByteOut, before: (i: number) => Uint8Array, after: string): void {
  const nameTexts = t.columns.map((c, i) => `${i ? ',' : '{'}${JSON.stringify(c.name)}:`);
  const names = nameTexts.map((n) => constantBytes(n));
  const cells = cellWriter(nameTexts.slice(1), 'null', after, CHUNK);
  if (cells) out.adopt(cells.out);
  const nums = cells?.nums ?? new Float64Array(t.columns.length - 1);
  const afterBytes = constantBytes(after);
  const kb: KeyBytes = { buf: new Uint8Array(0), start: 0, end: 0 };
  for (let i = 0; i < t.length; i++) {
    t.fill(i, nums, 0);
    out.bytes(before(i));
    out.constant(names[0]!);
    if (t.keyBytes) t.keyBytes(i, kb);
    const key = t.keyBytes && plainKeyBytes(kb, true, JSON_SPECIAL) ? null : t.key(i);
    if (key === null) {
      out.byte(0x22);
      out.latin1(kb.buf, kb.start, kb.end);
      out.byte(0x22);
    } else if (plainJson(key)) {
      out.byte(0x22);
      out.str(key);
      out.byte(0x22);
    } else out.str(JSON.stringify(key));
    if (cells && out.cells(cells)) continue;
    for (let c = 1; c < names.length; c++) {
      out.constant(names[c]!);
      const v = nums[c - 1]!;
      if (Number.isFinite(v)) out.num(v);
      else out.constant(NULL);
    }
    out.constant(afterBytes);
  }
}

const NULL = constantBytes('null');
const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');

/**
 * One JSON document: format version, report metadata, input counts, then `columns` and `rows`
 * with one object per line.
 */
export function writeJson(t: ReportTable, ctx: JsonContext, write: Write): void {
  const out = new ByteOut(write);
  const head = JSON.stringify({ format: 'haloscope-report', version: 1, ...t.meta, input: ctx.input }, null, 2);
  const columns = t.columns.map((c) => `    ${JSON.stringify(c)}`).join(',\n');
  out.text(`${head.slice(0, -2)},\n  "columns": [\n${columns}\n  ],\n  "rows": [`);
  const first = ascii('\n    ');
  const next = ascii(',\n    ');
  writeJsonRows(t, out, (i) => (i ? next : first), '}');
  out.text(t.length ? '\n  ]\n}\n' : ']\n}\n');
  out.flush();
}

export const renderJson = (t: ReportTable, ctx: JsonContext): string => collect((w) => writeJson(t, ctx, w));
