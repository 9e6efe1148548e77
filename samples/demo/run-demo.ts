import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBackend, stopBackends, type BackendRole, type DemoBackend } from './backends.js';
import split2 from 'split2';
import { TrafficDriver } from './traffic.js';

/**
 * `haloscope demo`: the whole pipeline on one machine with no configuration. Demo backends,
 * the collector and the proxy on samples/demo.cfg start; a minute of realistic traffic
 * (browsers, an API partner, a slow client, a scanner, a login brute force, an injection
 * prober) goes through; everything stops and the captured log is analyzed.
 */
const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(HERE, '..', '..');
const REPO = resolve(DIST, '..');
const HALOSCOPE = join(DIST, 'bin', 'haloscope.js');
const HALOG = join(DIST, 'halog', 'main.js');
const DEMO_CFG = join(REPO, 'samples', 'demo.cfg');

/** Which demo server each backend port of demo.cfg is. */
const BACKEND_ROLES: Readonly<Record<string, BackendRole>> = {
  app1: 'app', app2: 'app', static1: 'static', static2: 'static', api1: 'api', auth1: 'login',
};

export interface DemoOptions {
  durationS: number;
  out: string;
  report: boolean;
}

function parseArgs(args: string[]): DemoOptions | string {
  const o: DemoOptions = { durationS: 60, out: join(tmpdir(), `haloscope-demo-${process.pid}`), report: true };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = args[i + 1];
    if (a === '--duration' && v !== undefined) { o.durationS = Number(v); i++; }
    else if (a === '--out' && v !== undefined) { o.out = resolve(v); i++; }
    else if (a === '--no-report') o.report = false;
    else if (a === '-h' || a === '--help') return 'help';
    else return `unknown option '${a}'`;
  }
  if (!(o.durationS > 0)) return '--duration takes a number of seconds, e.g. --duration 10';
  return o;
}

async function tcpFree(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = createServer();
    s.once('error', () => r(false));
    s.listen(port, '127.0.0.1', () => s.close(() => r(true)));
  });
}

async function udpFree(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = createSocket('udp4');
    s.once('error', () => r(false));
    s.bind(port, '127.0.0.1', () => s.close(() => r(true)));
  });
}

async function freeTcpPort(): Promise<number> {
  return new Promise((r) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => r(p));
    });
  });
}

/**
 * The demo's configuration: samples/demo.cfg as it is when its ports are free, otherwise
 * with the taken ones replaced by free ones (the copy is written next to the log).
 */
async function effectiveConfig(out: string): Promise<{ path: string; text: string; moved: string[] }> {
  let text = readFileSync(DEMO_CFG, 'utf8');
  const moved: string[] = [];
  for (const m of new Set([...text.matchAll(/127\.0\.0\.1:(\d+)/g)].map((x) => Number(x[1])))) {
    const isLog = new RegExp(`log 127\\.0\\.0\\.1:${m}\\b`).test(text);
    if (isLog ? await udpFree(m) : await tcpFree(m)) continue;
    const next = await freeTcpPort();
    text = text.replaceAll(`127.0.0.1:${m}`, `127.0.0.1:${next}`);
    moved.push(`${m} -> ${next}`);
  }
  if (!moved.length) return { path: DEMO_CFG, text, moved };
  const path = join(out, 'demo.cfg');
  writeFileSync(path, text);
  return { path, text, moved };
}

/** Resolves when the child prints a line matching `pattern` on stderr (read as a line stream). */
function waitForLine(child: ChildProcess, pattern: RegExp, ms: number): Promise<void> {
  return new Promise((resolveWait, reject) => {
    const recent: string[] = [];
    const lines = child.stderr!.pipe(split2());
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; got: ${recent.join(' | ')}`)), ms);
    const onLine = (line: string): void => {
      recent.push(line);
      if (recent.length > 5) recent.shift();
      if (pattern.test(line)) {
        clearTimeout(timer);
        lines.off('data', onLine);
        lines.resume();
        resolveWait();
      }
    };
    lines.on('data', onLine);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready: ${recent.join(' | ')}`));
    });
  });
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1', () => s.end(() => r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => {
    child.once('exit', (code) => r(code));
    child.kill(signal);
  });
}

function halog(args: string[], file: string): string {
  const fd = openSync(file, 'r');
  try {
    return spawnSync(process.execPath, [HALOG, ...args], { stdio: [fd, 'pipe', 'pipe'] }).stdout.toString();
  } finally {
    closeSync(fd);
  }
}

export interface DemoResult {
  logFile: string;
  sentFile: string;
  requests: number;
  slowConnections: number;
}

/** Runs the pipeline; prints progress to `say`. */
export async function runDemo(o: DemoOptions, say: (s: string) => void): Promise<DemoResult> {
  mkdirSync(o.out, { recursive: true });
  const cfg = await effectiveConfig(o.out);
  if (cfg.moved.length) say(`ports in use, moved: ${cfg.moved.join(', ')} (config: ${cfg.path})\n`);
  const logPort = Number(/log 127\.0\.0\.1:(\d+)/.exec(cfg.text)![1]);
  const frontPort = Number(/bind 127\.0\.0\.1:(\d+)/.exec(cfg.text)![1]);
  const logFile = join(o.out, 'haproxy.log');
  const backends: DemoBackend[] = [];
  const children: ChildProcess[] = [];
  try {
    for (const m of cfg.text.matchAll(/server (\w+) 127\.0\.0\.1:(\d+)/g)) {
      backends.push(await startBackend(BACKEND_ROLES[m[1]!] ?? 'app', Number(m[2])));
    }
    say(`started ${backends.length} demo backend servers\n`);
    const capture = spawn(process.execPath, [HALOSCOPE, 'capture', '--listen', `127.0.0.1:${logPort}`, '--out', logFile, '--stats', join(o.out, 'capture-stats.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(capture);
    await waitForLine(capture, /listening on/, 10000);
    say(`collector listening on udp 127.0.0.1:${logPort}, writing ${logFile}\n`);
    const proxy = spawn(process.execPath, [HALOSCOPE, 'proxy', '-f', cfg.path], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(proxy);
    proxy.stderr!.resume();
    await waitForPort(frontPort, 10000);
    say(`proxy on http://127.0.0.1:${frontPort}/ (config ${cfg.path})\n`);
    say(`driving ${o.durationS} s of traffic: 3 browsers, an API partner, a slow client, a scanner, a login brute force, an injection prober\n`);
    const traffic = new TrafficDriver({ host: '127.0.0.1', port: frontPort, durationMs: o.durationS * 1000 });
    const ticker = setInterval(() => say(`  ${traffic.sent.length} requests sent\n`), 10000);
    await traffic.run();
    clearInterval(ticker);
    say(`traffic done: ${traffic.sent.length} requests and ${traffic.slowConnections} stalled connections\n`);
    await stop(proxy);
    // The proxy has sent its last datagrams; give the collector a moment to read them.
    await new Promise((r) => setTimeout(r, 300));
    const captureExit = await stop(capture);
    const sentFile = join(o.out, 'sent.json');
    writeFileSync(sentFile, JSON.stringify(traffic.sent));
    if (captureExit !== 0) say(`collector exited with ${captureExit}: see ${join(o.out, 'capture-stats.json')}\n`);
    return { logFile, sentFile, requests: traffic.sent.length, slowConnections: traffic.slowConnections };
  } finally {
    for (const c of children) await stop(c, 'SIGKILL');
    await stopBackends(backends);
  }
}

function printReport(logFile: string): void {
  const show = (title: string, args: string[]): void => {
    process.stdout.write(`\n== ${title}   $ halog ${args.join(' ')} < ${logFile}\n${halog(args, logFile)}`);
  };
  show('Requests per server', ['-s', '0', '-H', '-srv']);
  show('Status codes', ['-s', '0', '-H', '-st']);
  show('Termination states (cR = slow client timed out, PR = denied by the proxy)', ['-s', '0', '-H', '-tc']);
  show('Busiest URLs', ['-s', '0', '-m', '8', '-uc']);
  show('Clients by request count', ['-s', '0', '-ic']);
}

interface Suspect {
  client: string;
  verdict: string;
  score: number;
  rules: { id: string; count: number }[];
}

async function printDetection(logFile: string): Promise<void> {
  if (!existsSync(join(DIST, 'halog', 'detect', 'cli.js'))) return;
  const r = spawnSync(process.execPath, [HALOSCOPE, 'detect', '--json', logFile], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) return;
  const { suspects } = JSON.parse(r.stdout) as { suspects: Suspect[] };
  process.stdout.write(`\n== Suspicious clients   $ haloscope detect ${logFile}   (add --json for the evidence lines)\n`);
  for (const s of suspects) {
    process.stdout.write(`${s.client.padEnd(14)} ${s.verdict.padEnd(10)} score ${String(s.score).padStart(3)}  ${s.rules.map((x) => `${x.id}(${x.count})`).join(' ')}\n`);
  }
  if (!suspects.length) process.stdout.write('none\n');
}

export async function main(args: string[]): Promise<number> {
  const o = parseArgs(args);
  if (o === 'help') {
    process.stdout.write('Usage: haloscope demo [--duration SECONDS (60)] [--out DIR] [--no-report]\n');
    return 0;
  }
  if (typeof o === 'string') {
    process.stderr.write(`demo: ${o}\nUsage: haloscope demo [--duration SECONDS (60)] [--out DIR] [--no-report]\n`);
    return 2;
  }
  const say = (s: string): void => void process.stderr.write(`demo: ${s}`);
  const r = await runDemo(o, say);
  if (o.report) {
    printReport(r.logFile);
    await printDetection(r.logFile);
  }
  process.stdout.write(`\nFiles:\n  captured log       ${r.logFile}\n  collector counters ${join(o.out, 'capture-stats.json')}\n  requests sent      ${r.sentFile}\n`);
  process.stdout.write(`Next: halog --help, haloscope report --help, haloscope detect --help (docs/ explains each)\n`);
  return 0;
}
