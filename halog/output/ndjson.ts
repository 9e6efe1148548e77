import type { ReportTable } from '../analyze/result.js';
import { rowObjects } from './json.js';

/** One JSON object per row and line (for jq and log shippers); metadata goes to stderr notes. */
export function renderNdjson(t: ReportTable): string {
  return rowObjects(t).map((o) => JSON.stringify(o)).join('\n') + (t.rows.length ? '\n' : '');
}
