/**
 * Allocation of the proxy per request, counted rather than timed: young-generation collections
 * (scavenges) and full collections per 1000 requests, with a 1 MB semi-space
 * (`--max-semi-space-size=1 --min-semi-space-size=1 --trace-gc`), so that the figure does not
 * move with the machine's load the way CPU time and rates do. Same configuration and nginx
 * backend as test/bench/proxy-vs-haproxy.ts, logging on (UDP).
 *
 * `node dist/test/bench/proxy-gc-count.js [seconds=5] [close|http] [rounds=3] [dist...]`:
 * each `dist` is a build's output directory (default: this one), measured in interleaved
 * rounds after a 2 s warm-up each; prints every round and the median per build.
 */
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import path from 'node:path';
import { accepts, freePort } from '../proxy/helpers/proxy-harness.js';
import { findNginx, startNginx } from './nginx-backend.js';
import { benchConfig, oursScript } from './proxy-bench-setup.js';

const SECONDS = Number(process.argv[2] ?? 5);
const MODE = process.argv[3] ?? 'close';
const ROUNDS = Number(process.argv[4] ?? 3);
const BUILDS = process.argv.length > 5 ? process.argv.slice(5) : [path.resolve(new URL('../../', import.meta.url).pathname)];

async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await accepts(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

interface Proc {
  readonly port: number;
  scavenges: number;
  fulls: number;
  kill(): void;
}

async function startOurs(dist: string, be: number, syslog: number): Promise<Proc> {
  const port = await freePort();
  const flags = ['--max-semi-space-size=1', '--min-semi-space-size=1', '--trace-gc'];
  const child = spawn(process.execPath, [...flags, '-e', oursScript(benchConfig(port, be, syslog), dist)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const p: Proc = { port, scavenges: 0, fulls: 0, kill: () => child.kill('SIGTERM') };
  let tail = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (tail + d.toString('latin1')).split('\n');
    tail = lines.pop()!;
    for (const l of lines) {
      if (l.includes(' Scavenge ')) p.scavenges++;
      else if (l.includes('Mark-Compact')) p.fulls++;
    }
  });
  await waitPort(port);
  return p;
}

function wrk(port: number, seconds: number): Promise<number> {
  const args = ['-t1', '-c50', `-d${seconds}s`, ...(MODE === 'close' ? ['-H', 'Connection: close'] : []), `http://127.0.0.1:${port}/`];
  const child = spawn('wrk', args);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((r) => child.once('exit', () => r(Number(/(\d+) requests in/.exec(out)?.[1]))));
}

async function main(): Promise<void> {
  if (spawnSync('which', ['wrk']).status !== 0) throw new Error('wrk is required: apt-get install wrk');
  const bin = findNginx();
  if (!bin) throw new Error('nginx is required: apt-get install nginx-light');
  const sink = dgram.createSocket('udp4');
  sink.on('message', () => {});
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
  const syslog = sink.address().port;
  const nginx = await startNginx(bin, await freePort(), 64, waitPort);
  const procs: Proc[] = [];
  for (const b of BUILDS) procs.push(await startOurs(b, nginx.port, syslog));
  for (const p of procs) await wrk(p.port, 2);
  const per: number[][] = BUILDS.map(() => []);
  console.log(`${MODE}, wrk -t1 -c50 -d${SECONDS}s, ${ROUNDS} rounds, 1 MB semi-space: scavenges / full GCs per 1000 requests`);
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < procs.length; i++) {
      const p = procs[i]!;
      // the trace lines of the round are read before the counts are taken
      await new Promise((res) => setTimeout(res, 200));
      const s0 = p.scavenges;
      const f0 = p.fulls;
      const n = await wrk(p.port, SECONDS);
      await new Promise((res) => setTimeout(res, 200));
      const s = ((p.scavenges - s0) / n) * 1000;
      per[i]!.push(s);
      console.log(`round ${r + 1} ${BUILDS[i]}: ${n} requests, ${s.toFixed(2)} scavenges, ${(((p.fulls - f0) / n) * 1000).toFixed(3)} full`);
    }
  }
  for (let i = 0; i < procs.length; i++) {
    const v = [...per[i]!].sort((a, b) => a - b);
    console.log(`median ${BUILDS[i]}: ${v[v.length >> 1]!.toFixed(2)} scavenges per 1000 requests`);
  }
  for (const p of procs) p.kill();
  await nginx.close();
  sink.close();
}

main().catch((e) => {
  console.error(e);
  spawnSync('pkill', ['-TERM', '-P', String(process.pid)]);
  process.exit(1);
});
