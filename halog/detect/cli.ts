/**
 * `haloscope detect [options] [files...]`: flags suspicious clients in HAProxy logs, with the
 * rules that fired and the log lines that made them fire. Exit 0 whether or not anything was
 * flagged, 2 on bad usage or unreadable input.
 */
import { readSync } from 'node:fs';
import { constants as zconst, gunzipSync } from 'node:zlib';
import { parseAcceptDate } from '../parse/record.js';
import type { Source } from '../read/sources.js';
import { inferCaptures } from './captures.js';
import { HalogInputError } from '../read/errors.js';
import { openSources } from '../read/sources.js';
import { parseCidr } from './cidr.js';
import { DEFAULT_RULES } from './default-rules.js';
import type { DetectOptions, Detector, DetectSnapshot } from './detector.js';
import { DetectUsageError } from './errors.js';
import { formatCsv, formatJson, formatNdjson, formatText, type OutputFormat, type ReportStats } from './output.js';
import { readRecords, RECORD_MIN_BYTES } from '../read/record-reader.js';
import { parallelMinBytes, threadCount } from '../read/threads.js';
import { canDispatch, dispatchDetect, DISPATCH_MIN_BYTES } from './dispatch.js';
import { BUILTIN_RULES, loadRulesFile, resolveRules, type DetectRules, type RuleId } from './rules.js';
import { judge, suspects } from './verdict.js';
import { suggest } from '../../proxy/config/suggest.js';

export interface DetectCliOptions {
  format: OutputFormat;
  rulesFile: string | null;
  printRules: boolean;
  explain: string | null;
  sinceMs: number | undefined;
  untilMs: number | undefined;
  exclude: string[];
  by: 'src' | 'xff';
  captures: string[] | null;
  /** Worker threads (default: HALOG_THREADS or all cores; small inputs stay on one thread). */
  threads: number | undefined;
  files: string[];
  help: boolean;
}

export const USAGE = `Usage: haloscope detect [options] [files...]   (stdin when no file; .gz read as gzip)

Flags clients that attack or probe, one row per client with its verdict (suspicious or
malicious), score, the rules that fired, first/last seen, counts and up to 3 log lines per rule.

  --json | --csv | --ndjson   output format (default: text)
  --rules FILE       rules and thresholds (JSON, see docs/detection.md); --print-rules shows the built-in set
  --print-rules      print the effective rules as JSON and exit
  --explain IP       print every line-level decision and every rule's verdict for one client
  --since TIME       only lines accepted at or after TIME (ISO 8601, UTC unless an offset is given;
  --until TIME       unix seconds; or HAProxy's dd/Mon/yyyy:hh:mm:ss); --until is exclusive
  --exclude CIDR     skip clients in CIDR (IPv4 or IPv6; repeat, or comma-separate)
  --by src|xff       key clients on the source address (default) or on the captured
                     X-Forwarded-For (needs it in --captures); falls back to the source
  --captures LIST    names of the request capture fields, in order (default Host,User-Agent,Referer)
  --threads N        worker threads (default: HALOG_THREADS or all cores; stdin, files under
                     128 MiB and .gz inputs under 8 MiB use one)
  -h, --help         this help

Exit status: 0 (flagged or not), 2 on bad usage, bad rules or unreadable input.
`;

/** ISO 8601 (UTC unless it says otherwise), unix seconds, or HAProxy's accept-date form. */
export function parseTime(text: string): number {
  const t = text.trim();
  let allDigits = t.length > 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x30 || c > 0x39) allDigits = false;
  }
  if (allDigits) return Number(t) * 1000;
  if (t.indexOf('/') > 0) {
    const inner = t.startsWith('[') ? t : `[${t}]`;
    const b = Buffer.from(inner, 'latin1');
    const ms = parseAcceptDate(b, 0, b.length);
    if (!Number.isNaN(ms)) return ms;
  }
  let iso = t;
  const tpos = iso.indexOf('T');
  if (tpos > 0) {
    const zone = iso.slice(tpos);
    if (!zone.endsWith('Z') && zone.indexOf('+') < 0 && zone.indexOf('-') < 0) iso += 'Z';
  } else if (iso.length === 10) iso += 'T00:00:00Z';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new DetectUsageError('E_DETECT_USAGE', `invalid time '${text}'; use ISO 8601 (2026-11-24T17:11:00Z), unix seconds, or 24/Nov/2026:17:11:00`);
  return ms;
}

export function parseArgs(argv: readonly string[]): DetectCliOptions {
  const o: DetectCliOptions = { format: 'text', rulesFile: null, printRules: false, explain: null, sinceMs: undefined, untilMs: undefined, exclude: [], by: 'src', captures: null, threads: undefined, files: [], help: false };
  const problems: string[] = [];
  const formats: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string | undefined => {
      if (eq > 0) return a.slice(eq + 1);
      const v = argv[i + 1];
      if (v === undefined) {
        problems.push(`${name} needs a value`);
        return undefined;
      }
      i++;
      return v;
    };
    switch (name) {
      case '-h':
      case '--help':
        o.help = true;
        break;
      case '--json':
      case '--csv':
      case '--ndjson':
        formats.push(name);
        o.format = name.slice(2) as OutputFormat;
        break;
      case '--rules': {
        const v = value();
        if (v !== undefined) o.rulesFile = v;
        break;
      }
      case '--print-rules':
        o.printRules = true;
        break;
      case '--explain': {
        const v = value();
        if (v !== undefined) o.explain = v;
        break;
      }
      case '--since':
      case '--until': {
        const v = value();
        if (v === undefined) break;
        try {
          const ms = parseTime(v);
          if (name === '--since') o.sinceMs = ms;
          else o.untilMs = ms;
        } catch (e) {
          problems.push(`${name}: ${(e as Error).message}`);
        }
        break;
      }
      case '--exclude': {
        const v = value();
        if (v === undefined) break;
        for (const part of v.split(',')) {
          const c = part.trim();
          if (c === '') continue;
          if (parseCidr(c)) o.exclude.push(c);
          else problems.push(`--exclude: '${c}' is not an IPv4 or IPv6 address or CIDR block (e.g. 10.0.0.0/8, 2001:db8::/32)`);
        }
        break;
      }
      case '--by': {
        const v = value();
        if (v === 'src' || v === 'xff') o.by = v;
        else if (v !== undefined) problems.push(`--by: expected 'src' or 'xff', got '${v}'`);
        break;
      }
      case '--threads': {
        const v = value();
        if (v === undefined) break;
        const n = Number(v);
        if (Number.isInteger(n) && n >= 1 && n <= 256) o.threads = n;
        else problems.push(`--threads: expected an integer from 1 to 256, got '${v}'`);
        break;
      }
      case '--captures': {
        const v = value();
        if (v !== undefined) o.captures = v.split(',').map((s) => s.trim());
        break;
      }
      default:
        if (a.startsWith('-') && a !== '-') {
          const known = ['--json', '--csv', '--ndjson', '--rules', '--print-rules', '--explain', '--since', '--until', '--exclude', '--by', '--captures', '--threads', '--help'];
          const near = suggest(name, known);
          problems.push(`unknown option '${a}'${near ? `; did you mean '${near}'?` : ''}`);
        } else if (a === '-') o.files.push('/dev/stdin');
        else o.files.push(a);
    }
  }
  if (formats.length > 1) problems.push(`choose one output format, got ${formats.join(' and ')}`);
  if (o.sinceMs !== undefined && o.untilMs !== undefined && o.untilMs <= o.sinceMs) problems.push('--until must be later than --since');
  if (problems.length > 0) throw new DetectUsageError('E_DETECT_USAGE', problems.join('\n'));
  return o;
}

function effectiveRules(o: DetectCliOptions): Readonly<DetectRules> {
  let rules = o.rulesFile ? loadRulesFile(o.rulesFile) : BUILTIN_RULES;
  if (o.captures) rules = resolveRules({ ...structuredClone(rules), captures: o.captures }, '--captures');
  return rules;
}

/** Up to 1 MiB of whole lines from the start of a file input (not stdin: it cannot be re-read). */
function head(s: Source): Buffer | null {
  if (s.size < 0) return null;
  const raw = Buffer.alloc(s.gzip ? 256 << 10 : 1 << 20);
  const n = readSync(s.fd, raw, 0, raw.length, 0);
  let b = raw.subarray(0, n);
  if (s.gzip) {
    try {
      b = gunzipSync(b, { finishFlush: zconst.Z_SYNC_FLUSH });
    } catch {
      return null;
    }
  }
  const nl = b.lastIndexOf(0x0a);
  return nl < 0 ? null : b.subarray(0, nl + 1);
}

/**
 * The capture layout: --captures, else the rules file's if it sets one, else inferred from the
 * first input's values (inferCaptures), else the built-in Host,User-Agent,Referer.
 */
function withCaptures(rules: Readonly<DetectRules>, o: DetectCliOptions, sources: readonly Source[]): Readonly<DetectRules> {
  if (o.captures || rules.captures.join() !== BUILTIN_RULES.captures.join() || sources.length === 0) return rules;
  const sample = head(sources[0]!);
  const names = sample ? inferCaptures(sample) : null;
  if (!names || !names.includes('User-Agent')) return rules;
  return resolveRules({ ...structuredClone(rules), captures: names }, 'inferred captures');
}

function explainText(d: Detector, key: string): string {
  const st = d.clients.get(key);
  if (!st) return `explain ${key}: no traffic line from this client in the input${d.stats.excluded > 0 ? ' (or it was excluded)' : ''}\n`;
  const j = judge(d, st);
  const out = [`explain ${key}: ${st.total} lines (${st.http} http, ${st.tcp} tcp); request captures read as {${d.rules.captures.join('|')}}`, '', 'line decisions:'];
  for (const e of st.explain ?? []) out.push(`  ${e}`);
  out.push('', 'rule decisions:');
  for (const x of j.decisions) out.push(`  ${x.fired ? 'FIRED' : 'no   '} ${x.id.padEnd(22)} ${x.fired ? `+${d.rules.rules[x.id].score}` : '  '}  ${x.why()}`);
  const v = d.rules.verdicts;
  out.push('', `score ${j.score} (suspicious >= ${v.suspicious}, malicious >= ${v.malicious}): ${j.verdict}`);
  return `${out.join('\n')}\n`;
}

/**
 * Runs the detector over the inputs: on regular files of DISPATCH_MIN_BYTES or more, on
 * `threads` threads with this one reading for all (dispatch.ts); on smaller ones on this
 * thread; otherwise through the record reader, each worker reading the whole input and keeping
 * its share of clients. Either way a client's lines reach one Detector in input order, and
 * the workers' states merge into this thread's. `minBytes` replaces both thresholds (tests).
 */
export async function detectSources(sources: readonly Source[], options: DetectOptions, threads = threadCount(), minBytes?: number): Promise<Detector> {
  const total = sources.reduce((n, s) => n + s.size, 0);
  const dispatchable = threads > 1 && canDispatch(sources, options);
  if (dispatchable && total >= (minBytes ?? parallelMinBytes(DISPATCH_MIN_BYTES))) return dispatchDetect(sources, options, threads);
  const { job } = await readRecords<DetectOptions, DetectSnapshot>(sources, new URL('./detector.js', import.meta.url), options, {
    threads: dispatchable ? 1 : threads,
    parallelMinBytes: minBytes ?? parallelMinBytes(RECORD_MIN_BYTES),
  });
  return job as Detector;
}

export async function runDetect(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const o = parseArgs(argv);
  if (o.help) {
    out(USAGE);
    return 0;
  }
  const rules = effectiveRules(o);
  if (o.printRules) {
    out(`${JSON.stringify(o.rulesFile || o.captures ? rules : DEFAULT_RULES, null, 2)}\n`);
    return 0;
  }
  const sources = openSources(o.files);
  const layout = withCaptures(rules, o, sources);
  if (o.by === 'xff' && !layout.captures.some((c) => c.toLowerCase() === 'x-forwarded-for')) {
    throw new DetectUsageError('E_DETECT_USAGE', `--by xff: no X-Forwarded-For among the request captures (${layout.captures.join(',')}); name it with --captures, e.g. --captures 'Host,User-Agent,Referer,X-Forwarded-For'`);
  }
  const options: DetectOptions = { rules: layout, by: o.by, exclude: o.exclude, sinceMs: o.sinceMs, untilMs: o.untilMs, explain: o.explain };
  const d = await detectSources(sources, options, o.threads);
  if (o.explain !== null) {
    out(explainText(d, o.explain));
    return 0;
  }
  const list = suspects(d);
  const stats: ReportStats = {
    ...d.stats,
    captures: [...d.rules.captures],
    clients: d.clientCount,
    flagged: list.length,
    suspicious: list.filter((s) => s.verdict === 'suspicious').length,
    malicious: list.filter((s) => s.verdict === 'malicious').length,
  };
  switch (o.format) {
    case 'json':
      out(formatJson(list, stats));
      break;
    case 'ndjson':
      out(formatNdjson(list, stats));
      break;
    case 'csv':
      out(formatCsv(list));
      break;
    default:
      out(formatText(list, stats, (id) => d.rules.rules[id as RuleId].score, o.by));
  }
  return 0;
}

/** CLI entry: maps usage, rules and input errors to exit status 2 with a message. */
export async function main(argv: string[]): Promise<number> {
  const chunks: string[] = [];
  try {
    const code = await runDetect(argv, (s) => chunks.push(s));
    await new Promise<void>((resolve) => process.stdout.write(chunks.join(''), () => resolve()));
    return code;
  } catch (e) {
    if (e instanceof DetectUsageError || e instanceof HalogInputError) {
      process.stderr.write(`haloscope detect: ${e.message}\n${e instanceof DetectUsageError && e.code === 'E_DETECT_USAGE' ? "Run 'haloscope detect --help' for the options.\n" : ''}`);
      return 2;
    }
    throw e;
  }
}

