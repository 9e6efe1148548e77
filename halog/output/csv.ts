import { stringify } from 'csv-stringify/sync';
import type { ReportTable } from '../analyze/result.js';

/**
 * RFC 4180 CSV through csv-stringify: a header row, CRLF record ends, fields holding a comma,
 * quote or line break quoted (quotes doubled). Empty cells are latencies with no sample.
 */
export function renderCsv(t: ReportTable): string {
  return stringify(t.rows, {
    header: true,
    columns: t.columns.map((c) => c.name),
    record_delimiter: 'windows',
    cast: { number: (v) => String(v) },
  });
}
