/**
 * Generator options: the programmatic shape, its validation (once, then frozen) and the CLI
 * flag table that fills it.
 */
import { SYSLOG_FORMATS, type SyslogFormat } from './clock.js';
import { suggest } from '../../proxy/config/suggest.js';

export interface GenerateOptions {
  /** PRNG seed; the same options give the same bytes. */
  readonly seed: number;
  /** Stop after this many lines (every kind counts, malformed ones included)... */
  readonly lines?: number;
  /** ...or before the first line that would make the output larger than this many bytes. */
  readonly bytes?: number;
  /** Syslog header shape (default `local`: what HAProxy sends over UDP, read with `halog -s 0`). */
  readonly format?: SyslogFormat;
  /** Fraction of lines that are malformed (default 0). */
  readonly malformedRate?: number;
  /** Fraction of traffic lines that are `option tcplog` lines (default 0.01). */
  readonly tcpRate?: number;
  /** Emission time of the first line (default 2026-11-24T17:00:00Z). */
  readonly start?: Date | string | number;
  /** Mean traffic lines per second of log time (default 400). */
  readonly rate?: number;
  /** Hostname in rfc3164/rfc5424 headers (default `lb1`). */
  readonly hostname?: string;
  /** The pid in the syslog tag (default 13531). */
  readonly pid?: number;
  /** Distinct client addresses (default 50000). */
  readonly clients?: number;
  /** Bytes per yielded chunk (default 4 MiB). */
  readonly chunkSize?: number;
  /**
   * Include the attackers (default true): a pool of scanner addresses with tool user agents,
   * HAProxy denies and tarpits, probe-like 404s. false: purely benign traffic, for tests that
   * require no client to be flagged. (The default output is unchanged by this option.)
   */
  readonly hostile?: boolean;
}

export interface ResolvedOptions {
  readonly seed: number;
  readonly lines: number;
  readonly bytes: number;
  readonly format: SyslogFormat;
  readonly malformedRate: number;
  readonly tcpRate: number;
  readonly startMs: number;
  readonly rate: number;
  readonly hostname: string;
  readonly pid: number;
  readonly clients: number;
  readonly chunkSize: number;
  readonly hostile: boolean;
}

export class GeneratorOptionError extends Error {
  readonly code = 'E_GEN_OPTION';
  override readonly name = 'GeneratorOptionError';
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** `2G`, `500M`, `64k`, `1.5G`, `1000` (binary units). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(?:i?[bB])?$/.exec(text.trim());
  if (!m) throw new GeneratorOptionError(`invalid size '${text}'; use a number with an optional K, M or G suffix, e.g. 2G`);
  return Math.floor(Number(m[1]) * SIZE_UNITS[m[2]!.toUpperCase()]!);
}

function rate(name: string, v: number | undefined, dflt: number, problems: string[]): number {
  const r = v ?? dflt;
  if (!(r >= 0 && r <= 1)) problems.push(`${name} must be between 0 and 1, got ${r}`);
  return r;
}

/** Validates everything, reports every problem at once, returns a frozen copy. */
export function resolveOptions(o: GenerateOptions): ResolvedOptions {
  const problems: string[] = [];
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) problems.push(`seed must be an integer in 0..4294967295, got ${o.seed}`);
  if ((o.lines === undefined) === (o.bytes === undefined)) problems.push('give exactly one of lines or bytes');
  if (o.lines !== undefined && !(Number.isInteger(o.lines) && o.lines >= 0)) problems.push(`lines must be a non-negative integer, got ${o.lines}`);
  if (o.bytes !== undefined && !(Number.isInteger(o.bytes) && o.bytes >= 0)) problems.push(`bytes must be a non-negative integer, got ${o.bytes}`);
  const format = o.format ?? 'local';
  if (!SYSLOG_FORMATS.includes(format)) problems.push(`unknown format '${format}'; use one of ${SYSLOG_FORMATS.join(', ')}`);
  const malformedRate = rate('malformed rate', o.malformedRate, 0, problems);
  const tcpRate = rate('tcp rate', o.tcpRate, 0.01, problems);
  const startMs = o.start === undefined ? Date.UTC(2026, 10, 24, 17, 0, 0) : new Date(o.start).getTime();
  if (!Number.isFinite(startMs)) problems.push(`invalid start date '${String(o.start)}'; use ISO 8601, e.g. 2026-11-24T17:00:00Z`);
  const lineRate = o.rate ?? 400;
  if (!(lineRate > 0)) problems.push(`rate must be > 0 lines per second, got ${lineRate}`);
  const clients = o.clients ?? 50000;
  if (!(Number.isInteger(clients) && clients >= 16)) problems.push(`clients must be an integer >= 16, got ${clients}`);
  const chunkSize = o.chunkSize ?? 4 * 1024 * 1024;
  if (!(Number.isInteger(chunkSize) && chunkSize >= 65536)) problems.push(`chunk size must be >= 65536, got ${chunkSize}`);
  const hostname = o.hostname ?? 'lb1';
  if (!/^[!-~]+$/.test(hostname)) problems.push(`hostname must be printable ASCII without spaces, got '${hostname}'`);
  if (problems.length > 0) throw new GeneratorOptionError(problems.join('; '));
  return Object.freeze({
    seed: o.seed,
    lines: o.lines ?? Infinity,
    bytes: o.bytes ?? Infinity,
    format,
    malformedRate,
    tcpRate,
    startMs,
    rate: lineRate,
    hostname,
    pid: o.pid ?? 13531,
    clients,
    chunkSize,
    hostile: o.hostile ?? true,
  });
}

export interface CliOptions extends GenerateOptions {
  /** `-` = stdout. */
  readonly out: string;
  readonly help: boolean;
}

interface Flag {
  readonly name: string;
  readonly arg: string;
  readonly help: string;
  readonly set: (o: Record<string, unknown>, v: string) => void;
}

function num(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new GeneratorOptionError(`${flag} expects a number, got '${v}'`);
  return n;
}

export const FLAGS: readonly Flag[] = [
  { name: '--seed', arg: 'N', help: 'PRNG seed (required); same seed and options = same bytes', set: (o, v) => (o.seed = num('--seed', v)) },
  { name: '--lines', arg: 'N', help: 'number of lines to write', set: (o, v) => (o.lines = num('--lines', v)) },
  { name: '--bytes', arg: 'SIZE', help: 'output size, e.g. 2G, 500M (stops before exceeding it)', set: (o, v) => (o.bytes = parseSize(v)) },
  { name: '--out', arg: 'FILE', help: "output file, '-' for stdout (default)", set: (o, v) => (o.out = v) },
  { name: '--format', arg: 'F', help: `syslog header: ${SYSLOG_FORMATS.join('|')} (default local)`, set: (o, v) => (o.format = v) },
  { name: '--malformed-rate', arg: 'R', help: 'fraction of malformed lines (default 0)', set: (o, v) => (o.malformedRate = num('--malformed-rate', v)) },
  { name: '--tcp-rate', arg: 'R', help: 'fraction of tcplog lines (default 0.01)', set: (o, v) => (o.tcpRate = num('--tcp-rate', v)) },
  { name: '--start', arg: 'DATE', help: 'time of the first line, ISO 8601 (default 2026-11-24T17:00:00Z)', set: (o, v) => (o.start = v) },
  { name: '--rate', arg: 'N', help: 'mean lines per second of log time (default 400)', set: (o, v) => (o.rate = num('--rate', v)) },
  { name: '--hostname', arg: 'H', help: 'hostname for rfc3164/rfc5424 headers (default lb1)', set: (o, v) => (o.hostname = v) },
  { name: '--clients', arg: 'N', help: 'distinct client addresses (default 50000)', set: (o, v) => (o.clients = num('--clients', v)) },
  { name: '--no-attacks', arg: '', help: 'purely benign traffic: no scanners, denies, tarpits, tool user agents or probe-like 404s', set: (o) => (o.hostile = false) },
];

export function usage(): string {
  const rows = FLAGS.map((f) => `  ${`${f.name} ${f.arg}`.padEnd(22)} ${f.help}`);
  return `Usage: generate-log --seed N (--lines N | --bytes SIZE) [options]\n\n${rows.join('\n')}\n  ${'-h, --help'.padEnd(22)} this help\n`;
}

/** Parses argv (`--flag value` or `--flag=value`); every problem is reported at once. */
export function parseCli(argv: readonly string[]): CliOptions {
  const o: Record<string, unknown> = { out: '-', help: false };
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') {
      o.help = true;
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    const flag = FLAGS.find((f) => f.name === name);
    if (!flag) {
      const near = suggest(name, FLAGS.map((f) => f.name));
      problems.push(`unknown option '${a}'${near ? `; did you mean '${near}'?` : ''}`);
      continue;
    }
    if (flag.arg === '') {
      if (eq > 0) problems.push(`${name} takes no value`);
      else flag.set(o, '');
      continue;
    }
    const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (v === undefined) {
      problems.push(`${name} needs a value (${flag.arg})`);
      continue;
    }
    try {
      flag.set(o, v);
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (!o.help && o.seed === undefined) problems.push('--seed is required');
  if (problems.length > 0) throw new GeneratorOptionError(problems.join('; '));
  return o as unknown as CliOptions;
}
