#!/usr/bin/env node
/**
 * Benchmark: our halog (dist/halog/main.js) against the real one (/usr/bin/halog) on the same
 * generated log, in the same run. For each output mode: median MB/s of N runs for real halog,
 * ours (default threads) and ours with HALOG_THREADS=1, their ratios, peak RSS (GNU time %M),
 * and whether our stdout is byte-identical to the real one. Not a test file: run it with
 * `npm run bench:halog` or `node dist/test/bench/halog-vs-real.js --help` (test/bench/README.md).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateLogBuffer, writeLog } from '../../samples/generate/generate.js';
import { HALOG_SKIP } from '../../samples/generate/clock.js';
import { parseSize } from '../../samples/generate/options.js';
import { warmPageCache } from './page-cache.js';
import { installedArgv } from '../helpers/installed.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** dist/test/bench -> repository root. */
const ROOT = resolve(HERE, '..', '..', '..');
const DEFAULT_MODES = ['-c', '-st', '-srv', '-tc', '-pct', '-u', '-uto', '-ic'];
const GNU_TIME = '/usr/bin/time';
/** The generator options of the benchmark log (besides seed and size). */
const LOG_SHAPE = { tcpRate: 0.01, malformedRate: 0.0005 } as const;

interface BenchOptions {
  size: number;
  seed: number;
  runs: number;
  modes: string[];
  real: string;
  ours: string;
  file: string | null;
  timeoutS: number;
  keepOutputs: boolean;
}

const HELP = `Usage: node dist/test/bench/halog-vs-real.js [options]

  --size SIZE     generated log size (default 1G; K/M/G suffixes)
  --seed N        generator seed (default 1)
  --runs N        runs per implementation and mode, median reported (default 3)
  --modes LIST    comma-separated halog output flags (default ${DEFAULT_MODES.join(',')});
                  a mode may hold several flags separated by spaces, e.g. "-H -c,-e -st"
  --real PATH     real halog (default /usr/bin/halog, else /usr/sbin/halog)
  --ours PATH     our halog entry point (default dist/halog/main.js)
  --file PATH     benchmark this existing log instead of generating one (must be in the
                  UDP 'local' header format, read with -s 0)
  --timeout S     kill a run after S seconds (default 600)
  --keep-outputs  keep the stdout of each implementation in the temp dir for diffing
`;

function parseArgs(argv: string[]): BenchOptions {
  const o: BenchOptions = {
    size: parseSize('1G'),
    seed: 1,
    runs: 3,
    modes: DEFAULT_MODES,
    real: ['/usr/bin/halog', '/usr/sbin/halog'].find((p) => existsSync(p)) ?? '/usr/bin/halog',
    ours: join(ROOT, 'dist', 'halog', 'main.js'),
    file: null,
    timeoutS: 600,
    keepOutputs: false,
  };
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) problems.push(`${a} needs a value`);
      return v ?? '';
    };
    const int = (v: string): number => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) problems.push(`${a} expects a non-negative integer, got '${v}'`);
      return n;
    };
    switch (a) {
      case '-h':
      case '--help':
        process.stdout.write(HELP);
        process.exit(0);
        break;
      case '--size':
        try {
          o.size = parseSize(value());
        } catch (e) {
          problems.push((e as Error).message);
        }
        break;
      case '--seed':
        o.seed = int(value());
        break;
      case '--runs':
        o.runs = Math.max(1, int(value()));
        break;
      case '--modes':
        o.modes = value()
          .split(',')
          .map((m) => m.trim())
          .filter((m) => m !== '');
        break;
      case '--real':
        o.real = value();
        break;
      case '--ours':
        o.ours = resolve(value());
        break;
      case '--file':
        o.file = resolve(value());
        break;
      case '--timeout':
        o.timeoutS = int(value());
        break;
      case '--keep-outputs':
        o.keepOutputs = true;
        break;
      default:
        problems.push(`unknown option '${a}' (see --help)`);
    }
  }
  if (problems.length > 0) {
    process.stderr.write(`halog-vs-real: ${problems.join('; ')}\n`);
    process.exit(2);
  }
  return o;
}

/** The cached generated log: reused when a complete file with the same seed/size/revision exists. */
async function ensureLog(o: BenchOptions): Promise<string> {
  if (o.file !== null) {
    if (!existsSync(o.file)) throw new Error(`--file ${o.file} does not exist`);
    return o.file;
  }
  // The name carries a fingerprint of the generator's output (the hash of its first 2000 lines),
  // so a log cached by an older generator version is never taken for the current one.
  const fingerprint = createHash('sha256')
    .update(generateLogBuffer({ seed: o.seed, lines: 2000, ...LOG_SHAPE }))
    .digest('hex')
    .slice(0, 10);
  const path = join(tmpdir(), `haloscope-bench-seed${o.seed}-${o.size}-${fingerprint}.log`);
  if (existsSync(path)) {
    log(`reusing ${path} (${mb(statSync(path).size)} MB)`);
    return path;
  }
  // Written under a temporary name and renamed when complete: an interrupted run never leaves a
  // truncated file that a later run would take for the real one.
  const partial = `${path}.partial-${process.pid}`;
  log(`generating ${mb(o.size)} MB log (seed ${o.seed}) -> ${path}`);
  const t0 = performance.now();
  try {
    const stats = await writeLog({ seed: o.seed, bytes: o.size, ...LOG_SHAPE }, partial);
    const s = (performance.now() - t0) / 1000;
    log(`generated ${stats.lines} lines, ${mb(stats.bytes)} MB in ${s.toFixed(1)} s (${(stats.bytes / 1e6 / s).toFixed(0)} MB/s)`);
    await rename(partial, path);
  } catch (e) {
    await rm(partial, { force: true });
    throw e;
  }
  return path;
}

function log(msg: string): void {
  process.stderr.write(`halog-vs-real: ${msg}\n`);
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(0);
}

/** Reads the log once up front (and again before each run, in measure): runs read it from the page cache. */
function warmCache(path: string): void {
  log(`page cache warmed in ${warmPageCache(path).toFixed(1)} s`);
}

interface Impl {
  readonly label: string;
  readonly argv: (flags: string[]) => string[];
  readonly env: NodeJS.ProcessEnv;
}

interface RunResult {
  readonly seconds: number;
  /** Peak RSS in MB from GNU time, NaN when unavailable. */
  readonly rssMb: number;
  readonly exit: number | null;
  readonly signal: string | null;
  readonly stderr: string;
  readonly stdoutPath: string;
}

/** One run: stdin from the log, stdout to a file, stderr captured; GNU time's %M is its last line. */
function runOnce(impl: Impl, flags: string[], input: string, stdoutPath: string, o: BenchOptions, withTime: boolean): Promise<RunResult> {
  const cmd = impl.argv(flags);
  const argv = withTime ? [GNU_TIME, '-f', '%M', ...cmd] : cmd;
  const inFd = openSync(input, 'r');
  const outFd = openSync(stdoutPath, 'w');
  return new Promise((resolveRun, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: [inFd, outFd, 'pipe'], env: impl.env });
    const err: Buffer[] = [];
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutS * 1000);
    child.on('error', (e) => {
      clearTimeout(timer);
      closeSync(inFd);
      closeSync(outFd);
      reject(e);
    });
    child.on('close', (exit, signal) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      clearTimeout(timer);
      closeSync(inFd);
      closeSync(outFd);
      let stderr = Buffer.concat(err).toString('latin1');
      let rssMb = NaN;
      if (withTime) {
        // GNU time appends "%M\n" (KB), after "Command exited with non-zero status N" if any.
        const m = /(?:^|\n)(\d+)\n?$/.exec(stderr);
        if (m) {
          rssMb = Number(m[1]) / 1024;
          stderr = stderr.slice(0, m.index);
        }
        stderr = stderr.replace(/(?:^|\n)Command (?:exited with non-zero status \d+|terminated by signal \d+)$/, '');
      }
      resolveRun({ seconds, rssMb, exit, signal, stderr, stdoutPath });
    });
  });
}

/**
 * The line of stderr that says why a run failed: a Node crash ends with a stack and a
 * `Node.js vX` banner, so prefer the `SomethingError: message` line; else the last line that is
 * not halog's per-line `Truncated line N:` noise.
 */
function failureReason(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('Truncated line '));
  return lines.find((l) => /^\w*Error\b|^error:/i.test(l)) ?? lines.filter((l) => !/^Node\.js v\d/.test(l)).at(-1) ?? '(no stderr)';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface ImplSummary {
  /** Median MB/s, or null with a reason. */
  readonly mbs: number | null;
  readonly rssMb: number;
  readonly problem: string | null;
  readonly first: RunResult | null;
}

async function measure(impl: Impl, flags: string[], input: string, size: number, dir: string, name: string, o: BenchOptions, withTime: boolean): Promise<ImplSummary> {
  const times: number[] = [];
  const rss: number[] = [];
  let first: RunResult | null = null;
  for (let i = 0; i < o.runs; i++) {
    warmPageCache(input);
    const r = await runOnce(impl, flags, input, join(dir, `${name}.${i}.out`), o, withTime);
    first ??= r;
    if (r.signal !== null) return { mbs: null, rssMb: NaN, problem: `killed by ${r.signal}${r.signal === 'SIGKILL' ? ` (timeout ${o.timeoutS} s?)` : ''}`, first };
    if (r.exit !== 0) return { mbs: null, rssMb: NaN, problem: `exit ${r.exit}: ${failureReason(r.stderr).slice(0, 200)}`, first };
    times.push(r.seconds);
    rss.push(r.rssMb);
    if (i > 0) await rm(r.stdoutPath, { force: true });
  }
  return { mbs: size / 1e6 / median(times), rssMb: Math.max(...rss), problem: null, first };
}

/** First differing line of two outputs, for the MISMATCH report. */
async function compareOutputs(realPath: string, oursPath: string): Promise<string | null> {
  const [a, b] = await Promise.all([readFile(realPath), readFile(oursPath)]);
  if (a.equals(b)) return null;
  const la = a.toString('latin1').split('\n');
  const lb = b.toString('latin1').split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) {
      return `line ${i + 1}: real ${JSON.stringify(la[i] ?? '<EOF>').slice(0, 100)} vs ours ${JSON.stringify(lb[i] ?? '<EOF>').slice(0, 100)} (${a.length} vs ${b.length} bytes)`;
    }
  }
  return `${a.length} vs ${b.length} bytes`;
}

/** The "N lines in, M lines out, E parsing errors" summary both print on stderr. */
function summaryLine(stderr: string): string | null {
  const m = /\d+ lines in, \d+ lines out, \d+ parsing errors/.exec(stderr);
  return m ? m[0] : null;
}

function fmt(n: number | null, digits = 0): string {
  return n === null || !Number.isFinite(n) ? '-' : n.toFixed(digits);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 || c === r.length - 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd()).join('\n');
}

/**
 * What Node.js itself costs before any parsing: `node -e 0`, then read-floor.js reading the log
 * on 1 and 2 threads, each timed like a halog run (MB/s = log size / wall time) and compared
 * with real `halog -c`, which reads the same bytes and finds every line.
 */
async function measureFloor(real: Impl, file: string, size: number, dir: string, o: BenchOptions, withTime: boolean): Promise<string[][]> {
  const floorJs = join(HERE, 'read-floor.js');
  const node = (label: string, args: string[]): Impl => ({ label, argv: () => [process.execPath, ...args], env: process.env });
  const cases: [string, Impl][] = [
    ['real halog -c', real],
    ['node -e 0 (start only)', node('start', ['-e', '0'])],
    ['node, read only, 1 thread', node('read1', [floorJs, '1'])],
    ['node, read only, 2 threads', node('read2', [floorJs, '2'])],
  ];
  const rows: string[][] = [['program', 'MB/s', 'x real -c', 'RSS MB', '']];
  let realMbs: number | null = null;
  for (const [label, impl] of cases) {
    const r = await measure(impl, impl === real ? ['-c'] : [], file, size, dir, `floor.${impl.label}`, o, withTime);
    if (impl === real) realMbs = r.mbs;
    rows.push([label, fmt(r.mbs), r.mbs && realMbs ? fmt(r.mbs / realMbs, 2) : '-', fmt(r.rssMb, 1), r.problem ?? '']);
    log(rows.at(-1)!.join(' '));
  }
  return rows;
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(o.real)) {
    log(`real halog not found at ${o.real} (Debian: apt-get install -y haproxy; or --real PATH)`);
    return 1;
  }
  const withTime = existsSync(GNU_TIME);
  if (!withTime) log(`${GNU_TIME} missing: peak RSS not measured (Debian: apt-get install -y time)`);
  const oursMissing = existsSync(o.ours) ? null : `missing: ${o.ours} (build halog first: npx tsc -p tsconfig.json)`;
  if (oursMissing) log(`ours ${oursMissing}; measuring real halog only`);

  const file = await ensureLog(o);
  const size = statSync(file).size;
  warmCache(file);
  const skip = ['-s', String(HALOG_SKIP.local)];
  const dir = await mkdtemp(join(tmpdir(), 'halog-bench-'));
  const real: Impl = { label: 'real', argv: (f) => [o.real, ...skip, ...f], env: process.env };
  // Ours as the installed `halog` command runs: through its #! line.
  const launch = oursMissing ? [process.execPath, o.ours] : installedArgv(o.ours);
  const ours: Impl = { label: 'ours', argv: (f) => [...launch, ...skip, ...f], env: process.env };
  const ours1: Impl = { label: 'ours-1', argv: ours.argv, env: { ...process.env, HALOG_THREADS: '1' } };

  const rows: string[][] = [['mode', 'real MB/s', 'ours MB/s', 'ours/real', '1-thr MB/s', '1-thr/real', 'real RSS MB', 'ours RSS MB', 'output']];
  const notes: string[] = [];
  let failures = 0;
  log(`${mb(size)} MB, ${o.runs} run(s) each, modes: ${o.modes.join(' | ')}`);
  for (const mode of o.modes) {
    const flags = mode.split(/\s+/);
    const key = mode.replace(/[^\w]+/g, '_');
    const r = await measure(real, flags, file, size, dir, `${key}.real`, o, withTime);
    let a: ImplSummary | null = null;
    let b: ImplSummary | null = null;
    let output = '-';
    if (oursMissing) {
      output = 'ours missing';
    } else {
      a = await measure(ours, flags, file, size, dir, `${key}.ours`, o, withTime);
      b = await measure(ours1, flags, file, size, dir, `${key}.ours1`, o, withTime);
      if (a.problem) {
        output = `ours FAILED (${a.problem})`;
        failures++;
      } else if (r.first && a.first) {
        const diff = await compareOutputs(r.first.stdoutPath, a.first.stdoutPath);
        if (diff) {
          output = 'MISMATCH';
          notes.push(`${mode}: MISMATCH ${diff}`);
          failures++;
        } else {
          output = 'identical';
        }
        const rs = summaryLine(r.first.stderr);
        const os = summaryLine(a.first.stderr);
        if (rs !== os) notes.push(`${mode}: stderr summary differs: real "${rs ?? '(none)'}" vs ours "${os ?? '(none)'}"`);
        if (b.first && !b.problem && (await compareOutputs(r.first.stdoutPath, b.first.stdoutPath)) !== null) {
          notes.push(`${mode}: HALOG_THREADS=1 output differs from real halog`);
          output += ' (1-thr MISMATCH)';
          failures++;
        }
      }
      if (b.problem) notes.push(`${mode}: HALOG_THREADS=1 FAILED (${b.problem})`);
    }
    if (r.problem) notes.push(`${mode}: real halog ${r.problem}`);
    const row = [
      mode,
      fmt(r.mbs),
      fmt(a?.mbs ?? null),
      r.mbs && a?.mbs ? fmt(a.mbs / r.mbs, 2) : '-',
      fmt(b?.mbs ?? null),
      r.mbs && b?.mbs ? fmt(b.mbs / r.mbs, 2) : '-',
      fmt(r.rssMb, 1),
      fmt(a?.rssMb ?? null, 1),
      output,
    ];
    rows.push(row);
    log(row.join(' '));
  }
  const floor = oursMissing ? null : await measureFloor(real, file, size, dir, o, withTime);
  if (!o.keepOutputs) await rm(dir, { recursive: true, force: true });
  else log(`outputs kept in ${dir}`);

  process.stdout.write(`\nhalog vs real halog: ${file} (${mb(size)} MB), median of ${o.runs}, flags prefixed with ${skip.join(' ')}\n\n`);
  process.stdout.write(`${table(rows)}\n`);
  if (notes.length > 0) process.stdout.write(`\n${notes.join('\n')}\n`);
  if (floor) {
    process.stdout.write(`\nNode.js floor: programs that start Node and read the log once, parsing nothing, against real halog -c (median of ${o.runs}).\n`);
    process.stdout.write(`A ratio under 1 here bounds every Node.js halog: none can reach real halog's speed in that mode.\n\n${table(floor)}\n`);
  }
  return failures > 0 || oursMissing ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`halog-vs-real: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
