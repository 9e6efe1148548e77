#!/usr/bin/env node
/**
 * Benchmark (not a test): peak memory of `haloscope report` on hostile input, N lines with N
 * distinct URLs and N distinct client addresses (default 10 million), streamed on stdin so no
 * file is written. Prints peak RSS (GNU time %M), elapsed time, and whether the report says it
 * is approximate, for each kind and memory cap asked.
 *
 *   node dist/test/bench/report-memory.js [--lines 10000000] [--kinds urls,clients] [--caps 512M,128M]
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installedArgv } from '../helpers/installed.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function args(): { lines: number; kinds: string[]; caps: string[]; ours: string } {
  const o = { lines: 10_000_000, kinds: ['urls', 'clients'], caps: ['512M'], ours: join(ROOT, 'dist', 'bin', 'haloscope.js') };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--lines') o.lines = Number(a[++i]);
    else if (a[i] === '--kinds') o.kinds = a[++i]!.split(',');
    else if (a[i] === '--caps') o.caps = a[++i]!.split(',');
    else if (a[i] === '--ours') o.ours = a[++i]!;
    else {
      process.stderr.write('usage: report-memory [--lines N] [--kinds urls,clients] [--caps 512M,128M] [--ours PATH]\n');
      process.exit(2);
    }
  }
  return o;
}

/** Line i: client 10.x.y.z (distinct for i < 2^24, then IPv6), URL /item/<i>/<hash>. */
function* chunks(n: number): Generator<Buffer> {
  const batch: string[] = [];
  for (let i = 0; i < n; i++) {
    const ip = i < 1 << 24 ? `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` : `2001:db8::${i.toString(16)}`;
    const ms = String(i % 1000).padStart(3, '0');
    const s = String(Math.floor(i / 1000) % 60).padStart(2, '0');
    batch.push(`<134>Nov 24 17:10:49 haproxy[1]: ${ip}:40000 [24/Nov/2026:17:10:${s}.${ms}] fe_web bk_app/app${i % 4} 0/0/0/${i % 97}/${i % 131} ${i % 53 ? 200 : 503} ${i % 5000} - - ---- 1/1/1/1/0 0/0 "GET /item/${i}/${((i * 2654435761) >>> 0).toString(36)} HTTP/1.1"`);
    if (batch.length === 10000) {
      yield Buffer.from(batch.join('\n') + '\n', 'latin1');
      batch.length = 0;
    }
  }
  if (batch.length) yield Buffer.from(batch.join('\n') + '\n', 'latin1');
}

async function run(ours: string, kind: string, cap: string, lines: number): Promise<string> {
  const useTime = existsSync('/usr/bin/time');
  // As the installed `haloscope` command runs: through its #! line.
  const [cmd, ...launch] = installedArgv(ours);
  const argv = [...launch, 'report', kind, '--top', '3', '--max-memory', cap, '--json', '-'];
  const t0 = performance.now();
  const p = spawn(useTime ? '/usr/bin/time' : cmd!, useTime ? ['-f', '%M', cmd!, ...argv] : argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number>((r) => p.on('exit', (c) => r(c ?? -1)));
  for (const c of chunks(lines)) if (!p.stdin.write(c)) await new Promise((r) => p.stdin.once('drain', r));
  p.stdin.end();
  const code = await done;
  const s = (performance.now() - t0) / 1000;
  const rss = useTime ? Number(err.trim().split('\n').pop()) / 1024 : Number.NaN;
  let meta = `exit ${code}`;
  try {
    const j = JSON.parse(out) as { totalRows: number; approximate: boolean; errorBound: number; evictions: number; input: { records: number } };
    meta = `${j.input.records} records, ${j.totalRows} rows kept, approximate=${j.approximate}, errorBound=${j.errorBound}, evictions=${j.evictions}`;
  } catch {
    meta += `: ${err.slice(-500)}`;
  }
  return `${kind.padEnd(8)} cap ${cap.padStart(5)}: peak RSS ${rss.toFixed(0)} MB, ${s.toFixed(0)} s; ${meta}`;
}

const o = args();
for (const cap of o.caps) for (const kind of o.kinds) process.stdout.write(`${await run(o.ours, kind, cap, o.lines)}\n`);
