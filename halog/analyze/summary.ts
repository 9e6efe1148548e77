import { readFileSync } from 'node:fs';
import { writeOutputFile } from './output-file.js';
import { ReportError } from './errors.js';
import { kindLabel, parseKind } from './kinds.js';
import { Analyzer, type AnalyzeOptions, type AnalyzeSnapshot } from './report-job.js';

/**
 * `--summary <file>`: the partial aggregate of one run as a versioned JSON document, and the
 * merge of any number of them (`haloscope merge`). Counts and sums add up, histograms are
 * HdrHistogram V2 compressed base64 (`hdr`) or the raw values of rows seen <= 256 times
 * (`raw`), so a merge is exact unless a table reached its memory cap (`sketch: true`).
 *
 * Summaries merge only when they were made with the same kinds, interval, URL normalization
 * and filters: `options` must be equal, and the error says which field differs.
 */
export const SUMMARY_FORMAT = 'haloscope-summary';
export const SUMMARY_VERSION = 1;

export interface InputCounts {
  lines: number;
  records: number;
  invalid: number;
  bytes: number;
}

export interface SummaryDocument {
  format: typeof SUMMARY_FORMAT;
  version: number;
  /** Informational: where the lines came from. */
  sources: string[];
  options: {
    kinds: string[];
    intervalMs: number;
    norm: AnalyzeOptions['norm'];
    filter: AnalyzeOptions['filter'];
  };
  input: InputCounts;
  aggregate: AnalyzeSnapshot;
}

export function summaryDocument(an: Analyzer, sources: string[], input: InputCounts): SummaryDocument {
  const o = an.options;
  return {
    format: SUMMARY_FORMAT,
    version: SUMMARY_VERSION,
    sources,
    options: { kinds: o.kinds.map(kindLabel), intervalMs: o.intervalMs, norm: o.norm, filter: o.filter },
    input,
    aggregate: an.snapshot(true),
  };
}

export function writeSummary(path: string, doc: SummaryDocument): void {
  writeOutputFile(path, 'summary', JSON.stringify(doc) + '\n');
}

export function readSummary(path: string): SummaryDocument {
  let doc: SummaryDocument;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as SummaryDocument;
  } catch (e) {
    throw new ReportError('E_REPORT_SUMMARY', `cannot read summary '${path}': ${(e as Error).message}`);
  }
  if (doc?.format !== SUMMARY_FORMAT) throw new ReportError('E_REPORT_SUMMARY', `'${path}' is not a haloscope summary (write one with 'haloscope report <kind> --summary <file>')`);
  if (doc.version !== SUMMARY_VERSION) throw new ReportError('E_REPORT_SUMMARY', `'${path}' is summary version ${doc.version}; this haloscope reads version ${SUMMARY_VERSION}`);
  return doc;
}

/** Merges summaries (in the order given) into one analyzer; throws when their options differ. */
export function mergeSummaries(paths: string[], capBytes: number): { analyzer: Analyzer; input: InputCounts; sources: string[] } {
  if (!paths.length) throw new ReportError('E_REPORT_USAGE', 'merge needs at least one summary file');
  const docs = paths.map(readSummary);
  const first = docs[0]!;
  for (let i = 1; i < docs.length; i++) {
    for (const f of ['kinds', 'intervalMs', 'norm', 'filter'] as const) {
      const a = JSON.stringify(first.options[f]);
      const b = JSON.stringify(docs[i]!.options[f]);
      if (a !== b) throw new ReportError('E_REPORT_SUMMARY', `'${paths[i]}' was made with ${f} ${b}, '${paths[0]}' with ${a}: summaries merge only when made with the same report options`);
    }
  }
  const kinds = first.options.kinds.map((k) => {
    const spec = parseKind(k);
    if (!spec) throw new ReportError('E_REPORT_SUMMARY', `'${paths[0]}' has an unknown report kind '${k}'`);
    return spec;
  });
  const analyzer = new Analyzer({ kinds, intervalMs: first.options.intervalMs, norm: first.options.norm, filter: first.options.filter, capBytes, threads: 1 });
  const input: InputCounts = { lines: 0, records: 0, invalid: 0, bytes: 0 };
  const sources: string[] = [];
  for (const [i, d] of docs.entries()) {
    try {
      analyzer.merge(d.aggregate);
    } catch (e) {
      // A row or series that does not hold together (GroupTable.merge, SeriesStore.addSnapshot),
      // or parts that are not what a summary holds (a count that is not an array...).
      if (e instanceof RangeError || e instanceof TypeError) throw new ReportError('E_REPORT_SUMMARY', `'${paths[i]}' is damaged: ${e.message}; write it again with 'haloscope report <kind> --summary <file>'`);
      throw e;
    }
    input.lines += d.input.lines;
    input.records += d.input.records;
    input.invalid += d.input.invalid;
    input.bytes += d.input.bytes;
    sources.push(...d.sources);
  }
  return { analyzer, input, sources };
}
