import type { ReportTable } from '../analyze/result.js';
import { rowJson } from './json.js';
import { ROWS_PER_CHUNK, collect, type Write } from './write.js';

/** One JSON object per row and line (for jq and log shippers); metadata goes to stderr notes. */
export function writeNdjson(t: ReportTable, write: Write): void {
  const json = rowJson(t);
  for (let i = 0; i < t.rows.length; i += ROWS_PER_CHUNK) {
    write(t.rows.slice(i, i + ROWS_PER_CHUNK).map((r) => json(r) + '\n').join(''));
  }
}

export const renderNdjson = (t: ReportTable): string => collect((w) => writeNdjson(t, w));
