/**
 * `haloscope report <kind> [options] [files...]` and `haloscope merge [options] summaries...`:
 * halog's data with percentiles, time series, CSV/TSV/JSON/NDJSON/HTML, many files and fleet
 * merges. See docs/reports.md. `halog` itself keeps its exact flags and output.
 */
import { ReportError } from './analyze/errors.js';
import type { FilterSpec } from './analyze/filters.js';
import { clientBlockList } from './analyze/filters.js';
import { expandGlobs } from './analyze/globs.js';
import { badKindMessage, kindLabel, parseKind, type KindSpec } from './analyze/kinds.js';
import { TIMER_INDEX, TIMERS, type TimerName } from './analyze/latency.js';
import { progressBar } from './analyze/progress.js';
import { Analyzer, type AnalyzeOptions } from './analyze/report-job.js';
import { buildTable, checkSort, parseTimers } from './analyze/result.js';
import { mergeSummaries, summaryDocument, writeSummary, type InputCounts } from './analyze/summary.js';
import { writeCsv } from './output/csv.js';
import { writeAllSync } from './output/fd-write.js';
import { renderHtml, HTML_KINDS } from './output/html.js';
import { writeJson } from './output/json.js';
import { writeNdjson } from './output/ndjson.js';
import { writeText } from './output/text.js';
import { writeTsv } from './output/tsv.js';
import { HalogInputError } from './read/errors.js';
import { checkOutputFile, writeOutputFile } from './analyze/output-file.js';
import { readRecords } from './read/record-reader.js';
import { closeSources, openSources } from './read/sources.js';
import { threadCount } from './read/threads.js';

type Format = 'text' | 'csv' | 'tsv' | 'json' | 'ndjson';

export interface ReportCli {
  kind: KindSpec | null;
  files: string[];
  format: Format | null;
  html: string | null;
  summary: string | null;
  top: number | undefined;
  sort: string | undefined;
  timers: TimerName[] | null;
  intervalMs: number;
  keepQuery: boolean;
  collapseIds: boolean;
  filter: FilterSpec;
  threads: number | undefined;
  capBytes: number;
  progress: boolean | undefined;
  quiet: boolean;
  help: boolean;
  /** CSV/TSV: no spreadsheet formula guard (output/cells.ts). */
  rawCells: boolean;
}

export const DEFAULT_CAP_BYTES = 512 << 20;

function usageError(msg: string): ReportError {
  return new ReportError('E_REPORT_USAGE', `${msg} (see 'haloscope report --help')`);
}

/** `30s`, `1m`, `5m`, `1h`, `1d`, or a number of seconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(s);
  if (!m) throw usageError(`bad interval '${s}' (examples: 10s, 1m, 5m, 1h)`);
  const mult = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 }[(m[2] ?? 's') as 'ms'];
  const v = Math.round(Number(m[1]) * mult);
  if (v < 1) throw usageError(`interval '${s}' is too small`);
  return v;
}

/** `512M`, `2G`, `100k`, or bytes. */
export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmMgG]i?[bB]?|[bB])?$/.exec(s);
  if (!m) throw usageError(`bad size '${s}' (examples: 256M, 2G)`);
  const u = (m[2] ?? 'b')[0]!.toLowerCase();
  return Math.round(Number(m[1]) * ({ b: 1, k: 1024, m: 1 << 20, g: 1 << 30 }[u as 'b'] ?? 1));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A date as written in logs, read as UTC like the record parser reads accept dates:
 * `2026-11-24T17:10:49Z`, `2026-11-24 17:10`, `24/Nov/2026:17:10:49`, or Unix seconds.
 */
export function parseLogDate(s: string): number {
  if (/^\d{9,11}$/.test(s)) return Number(s) * 1000;
  const h = /^(\d{1,2})\/([A-Z][a-z]{2})\/(\d{4})(?::(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{3}))?)?)?$/.exec(s);
  if (h) {
    const mon = MONTHS.indexOf(h[2]!);
    if (mon >= 0) return Date.UTC(Number(h[3]), mon, Number(h[1]), Number(h[4] ?? 0), Number(h[5] ?? 0), Number(h[6] ?? 0), Number(h[7] ?? 0));
  }
  const iso = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (iso) {
    let t = s.replace(' ', 'T');
    if (!iso[1]) t += 'T00:00:00';
    if (!iso[4]) t += 'Z';
    const v = Date.parse(t);
    if (Number.isFinite(v)) return v;
  }
  throw usageError(`bad date '${s}' (examples: 2026-11-24T17:10:00Z, '2026-11-24 17:10', 24/Nov/2026:17:10:00, 1795626600)`);
}

function range(s: string, flag: string): { low: number; high: number } {
  const colon = s.indexOf(':');
  const lo = colon < 0 ? s : s.slice(0, colon);
  const hi = colon < 0 ? s : s.slice(colon + 1);
  const low = lo === '' ? Number.NEGATIVE_INFINITY : Number(lo);
  const high = hi === '' ? Number.POSITIVE_INFINITY : Number(hi);
  if (Number.isNaN(low) || Number.isNaN(high)) throw usageError(`bad range '${s}' for ${flag} (form: [min]:[max])`);
  return { low, high };
}

export function parseReportArgs(argv: readonly string[], forMerge = false): ReportCli {
  const o: ReportCli = {
    kind: null, files: [], format: null, html: null, summary: null, top: undefined, sort: undefined, timers: null,
    intervalMs: 60000, keepQuery: false, collapseIds: false, filter: {}, threads: undefined, capBytes: DEFAULT_CAP_BYTES,
    progress: undefined, quiet: false, help: false, rawCells: false,
  };
  const f = o.filter;
  const list = (k: 'frontends' | 'backends' | 'servers' | 'clients' | 'urlPrefixes', v: string): void => {
    (f[k] ??= []).push(...v.split(',').filter((x) => x !== ''));
  };
  let i = 0;
  const arg = (flag: string): string => {
    if (i + 1 >= argv.length) throw usageError(`${flag} needs a value`);
    return argv[++i]!;
  };
  const int = (flag: string, v: string): number => {
    if (!/^-?\d+$/.test(v)) throw usageError(`${flag} needs an integer, not '${v}'`);
    return Number(v);
  };
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      o.files.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      if (!forMerge && o.kind === null) {
        const k = parseKind(a);
        if (!k || k.kind === 'total') throw usageError(badKindMessage(a));
        o.kind = k;
      } else o.files.push(a);
      continue;
    }
    switch (a) {
      case '-h': case '--help': o.help = true; break;
      case '--text': case '--csv': case '--tsv': case '--json': case '--ndjson': o.format = a.slice(2) as Format; break;
      case '--raw-cells': o.rawCells = true; break;
      case '--html': o.html = arg(a); break;
      case '--summary': o.summary = arg(a); break;
      case '--kind': {
        const k = parseKind(arg(a));
        if (!k || k.kind === 'total') throw usageError(badKindMessage(argv[i]!));
        o.kind = k;
        break;
      }
      case '--top':
        o.top = int(a, arg(a));
        if (o.top < 0) throw usageError(`--top needs a number of rows, 0 or more, not '${argv[i]}'`);
        break;
      case '--sort': {
        const s = arg(a);
        const e = checkSort(s);
        if (e) throw usageError(e);
        o.sort = s;
        break;
      }
      case '--timers': {
        const t = parseTimers(arg(a));
        if (!t) throw usageError(`bad --timers '${argv[i]}' (a comma list of ${TIMERS.join(', ')}, or all)`);
        o.timers = t;
        break;
      }
      case '--interval': o.intervalMs = parseDuration(arg(a)); break;
      case '--keep-query': case '-query': o.keepQuery = true; break;
      case '--collapse-ids': o.collapseIds = true; break;
      case '--threads':
        o.threads = int(a, arg(a));
        if (o.threads < 1) throw usageError(`--threads needs 1 or more, not '${argv[i]}'`);
        break;
      case '--max-memory': o.capBytes = parseSize(arg(a)); break;
      case '--progress': o.progress = true; break;
      case '--no-progress': o.progress = false; break;
      case '-q': case '--quiet': o.quiet = true; break;
      // halog's input filters
      case '-e': f.errors = 'only'; break;
      case '-E': f.errors = 'exclude'; break;
      case '-H': f.httpOnly = true; break;
      case '-Q': f.queue = 'any'; break;
      case '-QS': f.queue = 'server'; break;
      case '-rt': case '-RT': f.tr = { ms: int(a, arg(a)), below: a === '-RT' }; break;
      case '-hs': case '-HS': f.status = { ...range(arg(a), a), invert: a === '-HS' }; break;
      case '-tcn': case '-TCN': {
        const code = arg(a);
        if (code.length < 1 || code.length > 2) throw usageError(`${a} takes a 1- or 2-character termination code such as CD or sH`);
        f.termCode = { code, invert: a === '-TCN' };
        break;
      }
      case '-time': f.time = range(arg(a), a); break;
      case '-v': f.invert = !f.invert; break;
      // halog's field skip: not needed (the record parser finds the accept date), accepted for muscle memory.
      case '-s': int(a, arg(a)); break;
      // our filters
      case '--since': f.sinceMs = parseLogDate(arg(a)); break;
      case '--until': f.untilMs = parseLogDate(arg(a)); break;
      case '--frontend': list('frontends', arg(a)); break;
      case '--backend': list('backends', arg(a)); break;
      case '--server': list('servers', arg(a)); break;
      case '--client': {
        const v = arg(a);
        try {
          clientBlockList(v.split(','));
        } catch (e) {
          throw usageError((e as Error).message);
        }
        list('clients', v);
        break;
      }
      case '--url-prefix': list('urlPrefixes', arg(a)); break;
      default:
        throw usageError(`unknown option '${a}'`);
    }
  }
  // JSON cannot hold infinities: store open bounds as absent-like extremes.
  if (f.status) f.status = { low: Math.max(f.status.low, -1e9), high: Math.min(f.status.high, 1e9), invert: f.status.invert };
  if (f.time) f.time = { low: Math.max(f.time.low, 0), high: Math.min(f.time.high, 1e12) };
  return o;
}

export function reportHelp(): string {
  return `Usage: haloscope report <kind> [options] [files...]   (no file or '-' = stdin; globs and .gz accepted)
       haloscope merge [output options] <summary.json>...

Kinds: urls servers backends frontends status termination clients timeline header:<block>:<field>
  (header:1:2 = 2nd field of the request capture block, e.g. User-Agent; block 2 = response)

Output (default: aligned text on a terminal, TSV when stdout is a pipe or a file):
  --text --csv --tsv --json --ndjson   table format on stdout
  --raw-cells          CSV/TSV: keep cells as logged (default: a cell a spreadsheet would run
                       as a formula, e.g. '=HYPERLINK(..)' in a User-Agent, gets a leading ')
  --html <file>        self-contained HTML report with charts
  --summary <file>     write the partial aggregate (JSON) for 'haloscope merge'
  --kind <kind>        merge: which report of the summaries to print (default: the first)
  --top N              first N rows after sorting (default: all)
  --sort <key>         req (default; timeline: time), err, bytes, 1xx..5xx, other, key,
                       <timer>.<p50|p75|p90|p95|p99|p99.9|max> (e.g. Ta.p99); '-key' = ascending
  --timers <list>      TR,Tw,Tc,Tr,Ta,Tt or all (default: Ta,Tt for text, all otherwise)
  --interval <d>       timeline bucket: 10s, 1m (default), 5m, 1h
  --keep-query         keep ?query and ;params in URLs (default: cut, like halog)
  --collapse-ids       /items/123 -> /items/:n, long hex ids and UUIDs -> :id

Filters (halog's): -e -E -H -Q -QS -rt N -RT N -hs a:b -HS a:b -tcn XX -TCN XX -time a:b -v (-v inverts these);
  -s N is accepted and ignored (no field skip is needed)
  --since <date> --until <date>   accept date in [since, until), UTC (2026-11-24T17:10:00Z, 24/Nov/2026:17:10:00)
  --frontend N --backend N --server [backend/]N --client CIDR --url-prefix P   (repeatable or comma lists)

Run: --threads N (default: all cores) --max-memory 512M (then approximate counts) --progress/--no-progress -q
`;
}

interface RunInput {
  analyzer: Analyzer;
  input: InputCounts;
  sources: string[];
}

function output(cli: ReportCli, run: RunInput, primary: KindSpec, primaryIndex: number): void {
  const { analyzer, input } = run;
  const table = analyzer.tables[primaryIndex]!;
  const format: Format | null = cli.format ?? (cli.html || cli.summary ? null : defaultFormat());
  const timers = cli.timers ?? (format === 'text' ? (['Ta', 'Tt'] as TimerName[]) : [...TIMERS]);
  const t = buildTable(primary, table, { timers, sort: cli.sort, top: cli.top, dropEmptyTimers: cli.timers === null && format === 'text' });
  const counts = { lines: input.lines, records: input.records, invalid: input.invalid, kept: analyzer.kept, filtered: analyzer.filtered };
  if (format !== null) {
    const write = (chunk: Uint8Array): void => writeAllSync(1, chunk);
    switch (format) {
      case 'text': writeText(t, write); break;
      case 'csv': writeCsv(t, write, { rawCells: cli.rawCells }); break;
      case 'tsv': writeTsv(t, write, { rawCells: cli.rawCells }); break;
      case 'json': writeJson(t, { input: counts }, write); break;
      case 'ndjson': writeNdjson(t, write); break;
    }
  }
  if (cli.html) {
    writeOutputFile(cli.html, 'HTML report', renderHtml(analyzer, primary, { input: counts, sources: run.sources, top: cli.top ?? 20, sort: cli.sort }));
  }
  if (!cli.quiet) {
    const notes: string[] = [`${input.lines} lines, ${input.records} records, ${input.invalid} not traffic or malformed, ${analyzer.kept} kept by the filters`];
    if (t.meta.approximate && format !== 'text') notes.push(`approximate: memory cap reached, req may over-count by up to ${t.meta.errorBound} (column req_err)`);
    process.stderr.write(notes.map((n) => `haloscope report: ${n}\n`).join(''));
  }
}

/**
 * Aligned text for a person at a terminal; TSV when stdout is a pipe or a file, so that
 * `sort`, `cut`, `awk` and a spreadsheet's paste get one header line and one tab-separated
 * row per key with every timer (`--text` forces the table).
 */
function defaultFormat(): Format {
  return process.stdout.isTTY ? 'text' : 'tsv';
}

/** What the record job of a run gets (also used by tests to analyze a buffer in-process). */
export function analyzeOptions(cli: ReportCli, threads: number): AnalyzeOptions {
  // Record only the timers the output shows (and sorts by): each is a histogram update per line.
  // Summaries and the HTML page need all of them.
  let record: number[] | undefined;
  if (!cli.summary && !cli.html) {
    const shown = cli.timers ?? ((cli.format ?? defaultFormat()) === 'text' ? (['Ta', 'Tt'] as TimerName[]) : null);
    if (shown) {
      const sortTimer = TIMERS.find((t) => cli.sort?.replace(/^-/, '').startsWith(`${t}.`));
      record = [...new Set([...shown, ...(sortTimer ? [sortTimer] : [])])].map((t) => TIMER_INDEX[t]);
    }
  }
  return {
    record,
    kinds: kindsFor(cli),
    intervalMs: cli.intervalMs,
    norm: { keepQuery: cli.keepQuery, collapseIds: cli.collapseIds },
    filter: cli.filter,
    capBytes: cli.capBytes,
    threads,
  };
}

/** The kinds one run records: the asked one first, then what the HTML report draws. */
function kindsFor(cli: ReportCli): KindSpec[] {
  const kinds: KindSpec[] = [cli.kind!];
  if (cli.html || cli.summary) {
    for (const k of HTML_KINDS) if (!kinds.some((x) => kindLabel(x) === kindLabel(k))) kinds.push(k);
  }
  return kinds;
}

/** The files --html and --summary will write, checked before any input is read. */
function checkOutputFiles(cli: ReportCli): void {
  if (cli.html) checkOutputFile(cli.html, 'HTML report');
  if (cli.summary) checkOutputFile(cli.summary, 'summary');
}

function fail(e: unknown): number {
  if (e instanceof ReportError || e instanceof HalogInputError) {
    process.stderr.write(`haloscope: ${e.message}\n`);
    return e instanceof ReportError && e.code === 'E_REPORT_USAGE' ? 2 : 1;
  }
  if ((e as NodeJS.ErrnoException).code === 'EPIPE') return 0;
  throw e;
}

export async function reportMain(argv: string[]): Promise<number> {
  let cli: ReportCli;
  try {
    cli = parseReportArgs(argv);
    if (cli.help) {
      process.stdout.write(reportHelp());
      return 0;
    }
    if (!cli.kind) throw usageError('which report? give a kind');
    checkOutputFiles(cli);
  } catch (e) {
    return fail(e);
  }
  const files = expandGlobs(cli.files.filter((f) => f !== '-'));
  let sources;
  try {
    sources = openSources(files);
  } catch (e) {
    return fail(e);
  }
  try {
    const options = analyzeOptions(cli, cli.threads ?? threadCount());
    const bar = progressBar(process.stderr, sources.every((s) => s.size >= 0), cli.progress);
    const { job, stats } = await readRecords(sources, new URL('./analyze/report-job.js', import.meta.url), options, {
      threads: options.threads,
      onProgress: (d, t) => bar.update(d, t),
    });
    bar.finish();
    const analyzer = job as Analyzer;
    const names = sources.map((s) => s.name);
    const input = { lines: stats.lines, records: stats.records, invalid: stats.invalid, bytes: stats.bytes };
    if (cli.summary) writeSummary(cli.summary, summaryDocument(analyzer, names, input));
    output(cli, { analyzer, input, sources: names }, cli.kind!, 0);
    return 0;
  } catch (e) {
    return fail(e);
  } finally {
    closeSources(sources);
  }
}

export async function mergeMain(argv: string[]): Promise<number> {
  try {
    const cli = parseReportArgs(argv, true);
    if (cli.help) {
      process.stdout.write(reportHelp());
      return 0;
    }
    checkOutputFiles(cli);
    const paths = expandGlobs(cli.files);
    const run = mergeSummaries(paths, cli.capBytes);
    const kinds = run.analyzer.options.kinds;
    const want = cli.kind ?? kinds[0]!;
    const idx = kinds.findIndex((k) => kindLabel(k) === kindLabel(want));
    if (idx < 0) throw usageError(`the summaries hold ${kinds.map(kindLabel).join(', ')}, not ${kindLabel(want)}`);
    if (cli.html && !HTML_KINDS.every((k) => kinds.some((x) => kindLabel(x) === kindLabel(k)))) {
      throw usageError('these summaries lack the kinds the HTML report draws');
    }
    if (cli.summary) writeSummary(cli.summary, summaryDocument(run.analyzer, run.sources, run.input));
    output(cli, run, want, idx);
    return 0;
  } catch (e) {
    return fail(e);
  }
}
