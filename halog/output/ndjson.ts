import type { ReportTable } from '../analyze/result.js';
import { writeJsonRows } from './json.js';
import { ByteOut, collect, type Write } from './write.js';

/** One JSON object per row and line (for jq and log shippers); metadata goes to stderr notes. */
export function writeNdjson(t: ReportTable, write: Write): void {
  const out = new ByteOut(write);
  const none = new Uint8Array(0);
  writeJsonRows(t, out, () => none, '}\n');
  out.flush();
}

export const renderNdjson = (t: ReportTable): string => collect((w) => writeNdjson(t, w));
