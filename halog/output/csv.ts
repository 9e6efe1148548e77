import { stringify } from 'csv-stringify/sync';
import type { ReportTable } from '../analyze/result.js';
import { guardCell, type CellOptions } from './cells.js';
import { ROWS_PER_CHUNK, collect, type Write } from './write.js';

/**
 * RFC 4180 CSV through csv-stringify: a header row, CRLF record ends, fields holding a comma,
 * quote or line break quoted (quotes doubled). Empty cells are latencies with no sample.
 * Cells that a spreadsheet would run as a formula get a leading `'` unless `rawCells` (cells.ts).
 * Written ROWS_PER_CHUNK rows at a time.
 */
export function writeCsv(t: ReportTable, write: Write, options: CellOptions = {}): void {
  const columns = t.columns.map((c) => c.name);
  const string = options.rawCells ? (v: string): string => v : guardCell;
  for (let i = 0; i === 0 || i < t.rows.length; i += ROWS_PER_CHUNK) {
    write(stringify(t.rows.slice(i, i + ROWS_PER_CHUNK), { header: i === 0, columns, record_delimiter: 'windows', cast: { number: (v) => String(v), string } }));
  }
}

export const renderCsv = (t: ReportTable, options: CellOptions = {}): string => collect((w) => writeCsv(t, w, options));
