/**
 * Benchmark (not a test): MB/s of `haloscope detect` on a large generated log with attacks
 * mixed in, against real `halog -u` on the same file, in the same run.
 *
 *   npx tsc -p tsconfig.json
 *   node dist/test/bench/detect-speed.js                    # 1 GB, 1 run, threads 1 and all cores
 *   node dist/test/bench/detect-speed.js --size 200M --runs 3 --threads 1,2
 *   node dist/test/bench/detect-speed.js --baseline /tmp/old/dist/bin/haloscope.js   # + an older build, same rounds
 *
 * The log (sample generator, `local` header, 1 % tcplog, 0.05 % malformed) is written once to
 * os.tmpdir() as haloscope-detect-bench-v2-<seed>-<bytes>.log and reused; about 16 times, a
 * block of attack lines (brute force, SQL injection, slowloris, flood) from
 * 192.0.2.0/24 is inserted with the chunk's time, and the run checks those clients are flagged.
 *
 * Each command runs under GNU time (`/usr/bin/time -f '%e %U %S'`): the table gives the median
 * wall time and the median user CPU time of `--runs` runs, and MB/s of both (MB per CPU-second
 * is the steadier figure on a shared, busy machine). Commands are interleaved round by round.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, openSync, closeSync, renameSync, statSync, writeSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LogGenerator } from '../../samples/generate/generate.js';
import { parseSize } from '../../samples/generate/options.js';
import { LogRecord, parseRecord } from '../../halog/parse/record.js';
import { http } from '../detect/log-lines.js';
import { warmPageCache } from './page-cache.js';
import { installedArgv } from '../helpers/installed.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const HALOSCOPE = join(HERE, '..', '..', 'bin', 'haloscope.js');

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

const bytes = parseSize(arg('--size', '1G'));
const runs = Number(arg('--runs', '1'));
const threads = arg('--threads', `1,${availableParallelism()}`).split(',').map(Number);
const seed = Number(arg('--seed', '7'));
const ATTACKERS = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'];

function attackBlock(ms: number, k: number): string {
  const lines: string[] = [];
  for (let i = 0; i < 30; i++) lines.push(http({ ip: '192.0.2.1', port: 40000 + k, uri: '/login', status: 401, ms: ms + i * 200 }));
  for (let i = 0; i < 5; i++) lines.push(http({ ip: '192.0.2.2', uri: `/api/items?id=${k}${i}%20UNION%20SELECT%20NULL--`, ms: ms + i * 100 }));
  for (let i = 0; i < 20; i++) lines.push(http({ ip: '192.0.2.3', port: 20000 + i, request: '<BADREQ>', status: 408, term: 'cR--', timers: '-1/-1/-1/-1/2000', ms: ms + i * 50 }));
  for (let i = 0; i < 600; i++) lines.push(http({ ip: '192.0.2.4', port: 1024 + ((k * 600 + i) % 60000), ms: ms + i * 8 }));
  return `${lines.join('\n')}\n`;
}

function lastAcceptMs(chunk: Buffer): number {
  const rec = new LogRecord();
  let end = chunk.length - 1;
  for (let tries = 0; tries < 50 && end > 0; tries++) {
    const start = chunk.lastIndexOf(0x0a, end - 1) + 1;
    if (parseRecord(chunk, start, end, rec)) return rec.acceptMs;
    end = start - 1;
  }
  return Date.UTC(2026, 10, 24, 17);
}

function ensureLog(): string {
  const file = join(tmpdir(), `haloscope-detect-bench-v2-${seed}-${bytes}.log`);
  if (existsSync(file)) return file;
  const tmp = `${file}.partial`;
  const fd = openSync(tmp, 'w');
  const g = new LogGenerator({ seed, bytes, malformedRate: 0.0005, tcpRate: 0.01 });
  // About 16 attack blocks whatever the size (the generator yields 4 MiB chunks).
  const every = Math.max(1, Math.floor(bytes / (4 << 20) / 16));
  let n = 0;
  for (let chunk = g.next(); chunk !== null; chunk = g.next()) {
    writeSync(fd, chunk);
    if (++n % every === 0) writeSync(fd, attackBlock(lastAcceptMs(chunk), n / every));
  }
  closeSync(fd);
  renameSync(tmp, file);
  return file;
}

const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

interface Timing {
  /** Wall seconds. */
  s: number;
  /** User and system CPU seconds (NaN without GNU time). */
  user: number;
  sys: number;
  out: string;
}

function timed(cmd: string, args: string[], stdinFile?: string): Timing {
  warmPageCache(file);
  const t0 = process.hrtime.bigint();
  const stdin = stdinFile ? openSync(stdinFile, 'r') : 'ignore';
  const [c, a] = GNU_TIME ? [GNU_TIME, ['-f', '@@time %e %U %S', cmd, ...args]] : [cmd, args];
  const r = spawnSync(c, a, { stdio: [stdin, 'pipe', 'pipe'], maxBuffer: 1 << 30, encoding: 'latin1' });
  if (typeof stdin === 'number') closeSync(stdin);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr.slice(0, 500)}`);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /@@time (\S+) (\S+) (\S+)/.exec(r.stderr);
  return { s: wall, user: m ? Number(m[2]) : Number.NaN, sys: m ? Number(m[3]) : Number.NaN, out: r.stdout };
}

/** `cli` (a build's bin/haloscope.js) as the installed command runs it: through its #! line. */
function timedCli(cli: string, args: string[]): Timing {
  const [cmd, ...launch] = installedArgv(cli);
  return timed(cmd!, [...launch, ...args]);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

const file = ensureLog();
const mb = statSync(file).size / 1e6;
const halog = ['/usr/bin/halog', '/usr/sbin/halog'].find((p) => existsSync(p));
interface Row {
  name: string;
  run: () => Timing;
  check?: (out: string) => void;
  times: Timing[];
}
const rows: Row[] = [];
if (halog) rows.push({ name: 'halog -u (real)', run: () => timed(halog, ['-s', '0', '-u'], file), times: [] });
else console.log('real halog not found (apt-get install haproxy): no reference');
const baseline = arg('--baseline', '');
if (baseline) {
  for (const t of threads) rows.push({ name: `baseline --threads ${t}`, run: () => timedCli(baseline, ['detect', '--csv', '--threads', String(t), file]), times: [] });
}
for (const t of threads) {
  rows.push({
    name: `detect --threads ${t}`,
    run: () => timedCli(HALOSCOPE, ['detect', '--csv', '--threads', String(t), file]),
    check: (out) => {
      const flagged = out.split('\n').slice(1).map((l) => l.split(',')[0]!);
      const missed = ATTACKERS.filter((a) => !flagged.includes(a));
      if (missed.length) console.log(`detect --threads ${t}: MISSED ${missed.join(', ')}`);
    },
    times: [],
  });
}
// Interleaved rounds: a burst of load from other processes hits every command alike.
for (let i = 0; i < runs; i++) {
  for (const row of rows) {
    const r = row.run();
    if (i === 0) row.check?.(r.out);
    row.times.push(r);
  }
}
console.log(`log: ${file} (${mb.toFixed(0)} MB), median of ${runs} run(s)`);
const refWall = median(rows[0]!.times.map((x) => x.s));
const refUser = median(rows[0]!.times.map((x) => x.user));
console.log(`${'command'.padEnd(22)} ${'wall s'.padStart(8)} ${'MB/s'.padStart(8)} ${'ratio'.padStart(6)}  ${'user s'.padStart(8)} ${'sys s'.padStart(7)} ${'MB/cpu-s'.padStart(9)} ${'ratio'.padStart(6)}`);
for (const row of rows) {
  const s = median(row.times.map((x) => x.s));
  const u = median(row.times.map((x) => x.user));
  const sys = median(row.times.map((x) => x.sys));
  console.log(
    `${row.name.padEnd(22)} ${s.toFixed(2).padStart(8)} ${(mb / s).toFixed(1).padStart(8)} ${`x${(s / refWall).toFixed(2)}`.padStart(6)}  ${u.toFixed(2).padStart(8)} ${sys.toFixed(2).padStart(7)} ${(mb / (u + sys)).toFixed(1).padStart(9)} ${`x${(u / refUser).toFixed(2)}`.padStart(6)}`,
  );
}
console.log(`ratio: time / ${rows[0]!.name}'s (lower is faster); MB/cpu-s = MB / (user + sys)`);
