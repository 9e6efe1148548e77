import { stringify } from 'csv-stringify/sync';
import type { ReportTable } from '../analyze/result.js';
import { byteSet, guardCell, type CellOptions } from './cells.js';
import { writeDelimitedRows, type Delimiters } from './delimited.js';
import { ByteOut, collect, type Write } from './write.js';

const CSV_OPTIONS = { record_delimiter: 'windows', eof: false } as const;

/** Whether csv-stringify would quote a field: it holds a comma, a quote or a line break. */
function needsQuotes(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2c || c === 0x22 || c === 0x0a || c === 0x0d) return true;
  }
  return false;
}

/** Bytes that make csv-stringify quote a field. */
const CSV_SPECIAL = byteSet(',"\r\n');

const CSV: Delimiters = {
  separator: 0x2c,
  rowEnd: Uint8Array.of(0x0d, 0x0a),
  special: CSV_SPECIAL,
  keyCell(key: string, raw: boolean): string {
    if (!raw) key = guardCell(key);
    return needsQuotes(key) ? stringify([[key]], CSV_OPTIONS) : key;
  },
};

/**
 * RFC 4180 CSV: a header row, CRLF record ends, fields holding a comma, quote or line break
 * quoted (quotes doubled). Empty cells are latencies with no sample. Cells that a spreadsheet
 * would run as a formula get a leading `'` unless `rawCells` (cells.ts).
 *
 * csv-stringify writes the header and every key that needs quoting; numbers and plain keys,
 * which it would write unchanged, go straight to the output buffer (csv-stringify over the
 * 77 000 rows x 52 cells of a URL report took longer than reading the 200 MB log).
 */
export function writeCsv(t: ReportTable, write: Write, options: CellOptions = {}): void {
  const out = new ByteOut(write);
  const columns = t.columns.map((c) => c.name);
  out.text(stringify([], { header: true, columns, record_delimiter: 'windows' }));
  writeDelimitedRows(t, out, CSV, options);
  out.flush();
}

export const renderCsv = (t: ReportTable, options: CellOptions = {}): string => collect((w) => writeCsv(t, w, options));
