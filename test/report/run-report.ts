import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DIST } from '../helpers/paths.js';
import { TIMERS } from '../../halog/analyze/latency.js';
import { Analyzer } from '../../halog/analyze/report-job.js';
import { buildTable } from '../../halog/analyze/result.js';
import { renderJson } from '../../halog/output/json.js';
import { LogRecord, parseRecord } from '../../halog/parse/record.js';
import { analyzeOptions, parseReportArgs } from '../../halog/report-cli.js';

/** Runs `haloscope <args>` from the compiled tree; returns stdout, stderr and the exit status. */
export function haloscope(args: string[], env: Record<string, string> = {}, input?: Buffer): { out: string; err: string; status: number } {
  const r = spawnSync(process.execPath, [join(DIST, 'bin', 'haloscope.js'), ...args], {
    env: { ...process.env, ...env },
    input,
    maxBuffer: 512 << 20,
    encoding: 'buffer',
  });
  return { out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8'), status: r.status ?? -1 };
}

export interface JsonReport {
  kind: string;
  totalRows: number;
  approximate: boolean;
  errorBound: number;
  input: { lines: number; records: number; invalid: number; kept: number; filtered: number };
  columns: { name: string; type: string }[];
  rows: Record<string, string | number | null>[];
}

export function jsonReport(args: string[], env: Record<string, string> = {}): JsonReport {
  const r = haloscope(['report', ...args, '--json', '-q'], env);
  if (r.status !== 0) throw new Error(`haloscope report ${args.join(' ')} exited ${r.status}: ${r.err}`);
  return JSON.parse(r.out) as JsonReport;
}

/**
 * The same report computed in-process over a buffer (no child process: ~50x faster for the
 * many filter cases); the end-to-end tests check that the CLI gives the same documents.
 */
export function reportInProcess(args: string[], buf: Buffer): JsonReport {
  const cli = parseReportArgs(args);
  cli.format ??= 'json';
  const an = new Analyzer(analyzeOptions(cli, 1));
  const rec = new LogRecord();
  let lines = 0;
  let records = 0;
  for (let p = 0; p < buf.length;) {
    let nl = buf.indexOf(0x0a, p);
    if (nl < 0) nl = buf.length;
    if (nl > p) {
      lines++;
      if (parseRecord(buf, p, nl, rec)) {
        records++;
        an.onRecord(rec);
      }
    }
    p = nl + 1;
  }
  const t = buildTable(cli.kind!, an.tables[0]!, { timers: cli.timers ?? [...TIMERS], sort: cli.sort, top: cli.top });
  return JSON.parse(renderJson(t, { input: { lines, records, invalid: lines - records, kept: an.kept, filtered: an.filtered } })) as JsonReport;
}
