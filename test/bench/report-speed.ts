#!/usr/bin/env node
/**
 * Benchmark (not a test): `haloscope report` against real `halog -uto` and `halog -pct` on the
 * same generated log, in one run. Prints MB/s (file size / 10^6 / median wall time, startup
 * included), median CPU seconds (user + sys, all threads), peak RSS, and each case's ratio to
 * real `halog -u` (the issue's reference) and to `-uto` (what `report urls` computes), in wall
 * time and in CPU. On a shared machine the CPU figure is the steadier one.
 *
 *   npx tsc -p tsconfig.json && node dist/test/bench/report-speed.js [--size 1G] [--runs 3] [--file PATH]
 *
 * Cases: real halog -u, -uto, -pct (all `-s 0`, log on stdin), then ours with all cores
 * and with HALOG_THREADS=1: `report urls` (six timers, percentiles, JSON), `report timeline`,
 * `report clients`, `report urls --csv`. The log is the one test/bench/halog-vs-real.ts caches
 * (same name and fingerprint), so the two benchmarks share it.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateLogBuffer, writeLog } from '../../samples/generate/generate.js';
import { parseSize } from '../../samples/generate/options.js';
import { warmPageCache } from './page-cache.js';
import { installedArgv } from '../helpers/installed.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const LOG_SHAPE = { tcpRate: 0.01, malformedRate: 0.0005 } as const;
const GNU_TIME = '/usr/bin/time';

interface Opts {
  size: number;
  seed: number;
  runs: number;
  file: string | null;
  real: string;
  ours: string;
}

function parseArgs(argv: string[]): Opts {
  const o: Opts = {
    size: parseSize('1G'),
    seed: 1,
    runs: 3,
    file: null,
    real: ['/usr/bin/halog', '/usr/sbin/halog'].find((p) => existsSync(p)) ?? '/usr/bin/halog',
    ours: join(ROOT, 'dist', 'bin', 'haloscope.js'),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = (): string => argv[++i] ?? '';
    if (a === '--size') o.size = parseSize(v());
    else if (a === '--seed') o.seed = Number(v());
    else if (a === '--runs') o.runs = Number(v());
    else if (a === '--file') o.file = v();
    else if (a === '--real') o.real = v();
    else if (a === '--ours') o.ours = v();
    else {
      process.stderr.write('usage: report-speed [--size 1G] [--seed N] [--runs N] [--file PATH] [--real PATH] [--ours PATH]\n');
      process.exit(2);
    }
  }
  return o;
}

async function ensureLog(o: Opts): Promise<string> {
  if (o.file) return o.file;
  const fingerprint = createHash('sha256').update(generateLogBuffer({ seed: o.seed, lines: 2000, ...LOG_SHAPE })).digest('hex').slice(0, 10);
  const path = join(tmpdir(), `haloscope-bench-seed${o.seed}-${o.size}-${fingerprint}.log`);
  if (existsSync(path)) return path;
  const partial = `${path}.partial-${process.pid}`;
  process.stderr.write(`report-speed: generating ${(o.size / 1e6).toFixed(0)} MB -> ${path}\n`);
  try {
    await writeLog({ seed: o.seed, bytes: o.size, ...LOG_SHAPE }, partial);
    await rename(partial, path);
  } catch (e) {
    await rm(partial, { force: true });
    throw e;
  }
  return path;
}

interface Run {
  seconds: number;
  /** User + system CPU seconds (GNU time), NaN without it. */
  cpu: number;
  rssMb: number;
  ok: boolean;
}

function runOnce(cmd: string, args: string[], env: Record<string, string>, stdinFile: string | null): Promise<Run> {
  return new Promise((resolvePromise) => {
    const useTime = existsSync(GNU_TIME);
    const fd = stdinFile ? openSync(stdinFile, 'r') : 'ignore';
    const t0 = performance.now();
    const p = spawn(useTime ? GNU_TIME : cmd, useTime ? ['-f', '%M %U %S', cmd, ...args] : args, {
      stdio: [fd, 'ignore', 'pipe'],
      env: { ...process.env, ...env },
    });
    let err = '';
    p.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (typeof fd === 'number') closeSync(fd);
      const lines = err.trim().split('\n');
      const [rssKb, user, sys] = useTime ? lines[lines.length - 1]!.split(' ').map(Number) : [Number.NaN, Number.NaN, Number.NaN];
      resolvePromise({ seconds, cpu: user! + sys!, rssMb: rssKb! / 1024, ok: code === 0 });
    });
  });
}

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const log = await ensureLog(o);
  const size = statSync(log).size;
  const cases: { name: string; cmd: string; args: string[]; env: Record<string, string>; stdin: boolean }[] = [
    { name: 'halog -u (real)', cmd: o.real, args: ['-s', '0', '-u'], env: {}, stdin: true },
    { name: 'halog -uto (real)', cmd: o.real, args: ['-s', '0', '-uto'], env: {}, stdin: true },
    { name: 'halog -pct (real)', cmd: o.real, args: ['-s', '0', '-pct'], env: {}, stdin: true },
  ];
  // Ours as the installed `haloscope` command runs: through its #! line.
  const [ours, ...launch] = installedArgv(o.ours);
  for (const [label, env] of [['all cores', {}], ['1 thread', { HALOG_THREADS: '1' }]] as const) {
    cases.push({ name: `report urls --json (${label})`, cmd: ours!, args: [...launch, 'report', 'urls', '--json', '-q', log], env, stdin: false });
    cases.push({ name: `report timeline (${label})`, cmd: ours!, args: [...launch, 'report', 'timeline', '-q', log], env, stdin: false });
    cases.push({ name: `report clients (${label})`, cmd: ours!, args: [...launch, 'report', 'clients', '-q', log], env, stdin: false });
    cases.push({ name: `report urls --csv (${label})`, cmd: ours!, args: [...launch, 'report', 'urls', '--csv', '-q', log], env, stdin: false });
  }
  interface Result {
    name: string;
    mbs: number;
    seconds: number;
    cpu: number;
    rssMb: number;
    ok: boolean;
    /** Median over rounds of halog -u's time / this case's time in the same round (speed as a multiple of halog -u's). */
    roundRatio: number;
  }
  // Interleaved rounds: each round runs every case once, so a burst of load from other
  // processes hits every case alike, and each round gives its own ratio to halog -u.
  const runs: Run[][] = cases.map(() => []);
  for (let i = 0; i < o.runs; i++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[k]!;
      warmPageCache(log);
      runs[k]!.push(await runOnce(c.cmd, c.args, c.env, c.stdin ? log : null));
    }
    process.stderr.write(`report-speed: round ${i + 1} of ${o.runs}: ${cases.map((c, k) => `${c.name} ${runs[k]![i]!.seconds.toFixed(2)} s`).join(', ')}\n`);
  }
  const results: Result[] = cases.map((c, k) => {
    const mine = runs[k]!;
    const seconds = median(mine.map((r) => r.seconds));
    return {
      name: c.name,
      mbs: size / 1e6 / seconds,
      seconds,
      cpu: median(mine.map((x) => x.cpu)),
      rssMb: median(mine.map((x) => x.rssMb)),
      ok: mine.every((x) => x.ok),
      roundRatio: median(mine.map((x, i) => runs[0]![i]!.seconds / x.seconds)),
    };
  });
  const ref = (prefix: string): Result | undefined => results.find((r) => r.name.startsWith(prefix));
  const line = (r: Result): string => {
    const u = ref('halog -u ');
    const uto = ref('halog -uto');
    return (
      `${r.name.padEnd(34)} ${r.mbs.toFixed(1).padStart(8)} MB/s ${r.seconds.toFixed(2).padStart(7)} s ${r.cpu.toFixed(2).padStart(7)} s CPU ${r.rssMb.toFixed(0).padStart(6)} MB` +
      `  x${(r.mbs / (u?.mbs ?? Number.NaN)).toFixed(2)} of halog -u speed (x${r.roundRatio.toFixed(2)} per round), ${(r.cpu / (u?.cpu ?? Number.NaN)).toFixed(2)}x its CPU;` +
      ` x${(r.mbs / (uto?.mbs ?? Number.NaN)).toFixed(2)} of -uto speed, ${(r.cpu / (uto?.cpu ?? Number.NaN)).toFixed(2)}x its CPU${r.ok ? '' : ' FAILED'}`
    );
  };
  process.stdout.write(`report-speed: ${(size / 1e6).toFixed(0)} MB log ${log}, median of ${o.runs} runs\n${results.map(line).join('\n')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`report-speed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
