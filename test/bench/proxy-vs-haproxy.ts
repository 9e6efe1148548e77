/**
 * Benchmark (not a test): wrk through our proxy and through real haproxy, same config
 * (logging on, to a UDP sink), same backend, same CPU split (nbthread 1 each; wrk -t1), in one
 * run. Prints req/s, p50/p99 latency, MB/s and ours/haproxy ratios for: keep-alive small
 * responses, `Connection: close` per request, 64 KB responses.
 *
 *   npx tsc -p tsconfig.json && node dist/test/bench/proxy-vs-haproxy.js [seconds=5] [connections=50] [rounds=3]
 *
 * The backend is a raw `net` server answering a precomputed response (no nginx here), so
 * that it costs less CPU than either proxy. http-proxy (npm) is not a dependency of this
 * project and is reported as skipped unless it is installed.
 */
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { freePort, startHaproxy } from '../proxy/helpers/proxy-harness.js';

const SECONDS = Number(process.argv[2] ?? 5);
const CONNS = Number(process.argv[3] ?? 50);
const ROUNDS = Number(process.argv[4] ?? 3);

async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

function fastBackend(bodySize: number): Promise<{ port: number; close(): void }> {
  const body = Buffer.alloc(bodySize, 'x');
  const head = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${bodySize}\r\n\r\n`);
  const resp = Buffer.concat([head, body]);
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    let pending = '';
    s.on('data', (d) => {
      pending += d.toString('latin1');
      let i: number;
      while ((i = pending.indexOf('\r\n\r\n')) >= 0) {
        const req = pending.slice(0, i);
        pending = pending.slice(i + 4);
        s.write(resp);
        if (/\r\nconnection: *close/i.test(req)) s.end();
      }
    });
    s.on('error', () => {});
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ port: (server.address() as net.AddressInfo).port, close: () => server.close() })));
}

interface Result {
  rps: number;
  p50: number;
  p99: number;
  mbps: number;
}

function unit(v: string): number {
  const m = /^([\d.]+)(us|ms|s|KB|MB|GB|B|k)?$/.exec(v.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  switch (m[2]) {
    case 'us':
      return n / 1000;
    case 's':
      return n * 1000;
    case 'KB':
      return n / 1024;
    case 'GB':
      return n * 1024;
    case 'B':
      return n / (1024 * 1024);
    default:
      return n;
  }
}

/** Async: the backend and the log sink live in this process and must keep running. */
async function wrk(port: number, path: string, close: boolean, seconds = SECONDS): Promise<Result> {
  const args = ['-t1', `-c${CONNS}`, `-d${seconds}s`, '--latency', ...(close ? ['-H', 'Connection: close'] : []), `http://127.0.0.1:${port}${path}`];
  const child = spawn('wrk', args);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.once('exit', r));
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const mbps = unit(/Transfer\/sec:\s+(\S+)/.exec(out)?.[1] ?? 'NaN');
  const p50 = unit(/\s50%\s+(\S+)/.exec(out)?.[1] ?? 'NaN');
  const p99 = unit(/\s99%\s+(\S+)/.exec(out)?.[1] ?? 'NaN');
  return { rps, p50, p99, mbps };
}

function cfg(port: number, be: number, syslog: number): string {
  return `
global
  log 127.0.0.1:${syslog} local0
  nbthread 1
  maxconn 4096
defaults
  mode http
  log global
  option httplog
  option http-keep-alive
  timeout connect 1s
  timeout client 10s
  timeout server 10s
frontend fe
  bind 127.0.0.1:${port}
  default_backend b
backend b
  server s1 127.0.0.1:${be}
`;
}

async function main(): Promise<void> {
  if (spawnSync('which', ['wrk']).status !== 0) throw new Error('wrk is required: apt-get install wrk');
  const sink = dgram.createSocket('udp4');
  let logs = 0;
  sink.on('message', () => logs++);
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
  const small = await fastBackend(64);
  const large = await fastBackend(64 * 1024);
  const cases = [
    { name: 'keep-alive, 64 B responses', be: small, close: false },
    { name: 'Connection: close, 64 B', be: small, close: true },
    { name: 'keep-alive, 64 KB responses', be: large, close: false },
  ];
  console.log(`wrk -t1 -c${CONNS} -d${SECONDS}s, median of ${ROUNDS} interleaved rounds, logging on (UDP), nbthread 1 both, ${new Date().toISOString()}, load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log('case | proxy | req/s | p50 ms | p99 ms | MB/s');
  for (const c of cases) {
    // all three up at once; rounds interleaved so that load changes on this shared machine
    // hit each proxy alike; the median of ROUNDS runs is reported
    const hp = await freePort();
    const h = await startHaproxy(cfg(hp, c.be.port, sink.address().port), hp);
    const op = await freePort();
    const ours = spawn(process.execPath, ['-e', oursScript(cfg(op, c.be.port, sink.address().port))], { stdio: 'inherit' });
    const np = await freePort();
    const bare = spawn(process.execPath, ['-e', bareUndiciScript(np, c.be.port)], { stdio: 'inherit' });
    const xp = await freePort();
    const httpProxy = spawn(process.execPath, ['-e', httpProxyScript(xp, c.be.port)], { stdio: 'inherit' });
    await waitPort(op);
    await waitPort(np);
    await waitPort(xp);
    const targets: [string, number][] = [
      ['haproxy', hp],
      ['haloscope', op],
      ['bare undici proxy (no log)', np],
      ['http-proxy (npm, no log)', xp],
    ];
    for (const [, port] of targets) await wrk(port, '/', c.close, 2); // warm-up (V8 optimizes the hot path)
    const results = new Map<string, Result[]>(targets.map(([n]) => [n, []]));
    for (let round = 0; round < ROUNDS; round++) for (const [name, port] of targets) results.get(name)!.push(await wrk(port, '/', c.close));
    await h.stop();
    for (const child of [ours, bare, httpProxy]) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    const med = (name: string): Result => {
      const list = results.get(name)!;
      const m = (k: keyof Result): number => list.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
      return { rps: m('rps'), p50: m('p50'), p99: m('p99'), mbps: m('mbps') };
    };
    const row = (who: string, r: Result): string => `${c.name} | ${who} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.mbps.toFixed(1)}`;
    for (const [name] of targets) console.log(row(name, med(name)));
    const t = med('haproxy');
    const o = med('haloscope');
    const n = med('bare undici proxy (no log)');
    const x = med('http-proxy (npm, no log)');
    console.log(`${c.name} | ratio ours/haproxy | req/s ${(o.rps / t.rps).toFixed(2)} | MB/s ${(o.mbps / t.mbps).toFixed(2)} | p99 ${(o.p99 / t.p99).toFixed(2)}x | ours/bare-undici req/s ${(o.rps / n.rps).toFixed(2)} | ours/http-proxy req/s ${(o.rps / x.rps).toFixed(2)} MB/s ${(o.mbps / x.mbps).toFixed(2)}`);
  }
  console.log(`log datagrams received: ${logs}`);
  small.close();
  large.close();
  sink.close();
}

function bareUndiciScript(port: number, be: number): string {
  const undici = new URL('../../../node_modules/undici/index.js', import.meta.url).pathname;
  return `
const http = require('node:http');
const { Pool } = require(${JSON.stringify(undici)});
const pool = new Pool('http://127.0.0.1:${be}', { connections: 64, pipelining: 1 });
http.createServer((req, res) => {
  pool.request({ path: req.url, method: req.method, headers: req.headers, body: req.method === 'GET' || req.method === 'HEAD' ? null : req })
    .then((r) => { res.writeHead(r.statusCode, r.headers); r.body.pipe(res); })
    .catch(() => { res.statusCode = 502; res.end(); });
}).listen(${port}, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`;
}

/** The `http-proxy` npm package (a devDependency, for this comparison only), keep-alive upstream. */
function httpProxyScript(port: number, be: number): string {
  const lib = new URL('../../../node_modules/http-proxy/index.js', import.meta.url).pathname;
  return `
const http = require('node:http');
const httpProxy = require(${JSON.stringify(lib)});
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const proxy = httpProxy.createProxyServer({ target: 'http://127.0.0.1:${be}', agent });
proxy.on('error', (e, req, res) => { res.statusCode = 502; res.end(); });
http.createServer((req, res) => proxy.web(req, res)).listen(${port}, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`;
}

function oursScript(text: string): string {
  const url = new URL('../../proxy/config/resolve.js', import.meta.url).href;
  const rt = new URL('../../proxy/runtime.js', import.meta.url).href;
  return `
const { resolve } = await import(${JSON.stringify(url)});
const { startProxy } = await import(${JSON.stringify(rt)});
const r = resolve([{ file: 'bench.cfg', text: ${JSON.stringify(text)} }]);
const p = await startProxy(r.config);
process.on('SIGTERM', () => { p.stop(); process.exit(0); });
`;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
