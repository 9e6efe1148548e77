import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DIST } from '../helpers/paths.js';

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
