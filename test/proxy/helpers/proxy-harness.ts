/**
 * Real-socket helpers for proxy tests: backend HTTP servers, a UDP syslog receiver, a raw
 * client, our proxy in-process and real haproxy as a child process. Loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { resolve } from '../../../proxy/config/resolve.js';
import { DIST } from '../../helpers/paths.js';
import { startProxy, type RunningProxy } from '../../../proxy/runtime.js';

/**
 * Ports freePort() has given out in this process. The kernel may give the same free port to
 * two bind(0) calls in a row once the port is closed again, and it does so often when tens of
 * thousands of TIME_WAIT sockets narrow its choice (after a benchmark's `Connection: close`
 * runs): two servers of one run were then told to listen on the same port (EADDRINUSE).
 */
const givenPorts = new Set<number>();

export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const p = await new Promise<number>((res, rej) => {
      const s = net.createServer();
      s.once('error', rej);
      s.listen(0, host, () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => res(port));
      });
    });
    if (!givenPorts.has(p)) {
      givenPorts.add(p);
      return p;
    }
  }
  throw new Error(`freePort: the kernel kept offering ports this process already handed out (${givenPorts.size} so far)`);
}

export interface Backend {
  readonly port: number;
  readonly server: http.Server;
  /** requests seen, in order */
  readonly seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

/** A node:http backend; the handler gets the full request body. */
export async function startBackend(handler: Handler, host = '127.0.0.1'): Promise<Backend> {
  const seen: Backend['seen'] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('latin1');
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    server,
    seen,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export interface SyslogReceiver {
  readonly port: number;
  readonly messages: Buffer[];
  /** Resolves when at least n messages have arrived (rejects after `ms`, to avoid hanging). */
  waitFor(n: number, ms?: number): Promise<Buffer[]>;
  close(): void;
}

export async function startSyslog(): Promise<SyslogReceiver> {
  const sock = dgram.createSocket('udp4');
  const messages: Buffer[] = [];
  const waiters: { n: number; res: (m: Buffer[]) => void }[] = [];
  sock.on('message', (m) => {
    messages.push(m);
    for (const w of [...waiters]) if (messages.length >= w.n) {
      waiters.splice(waiters.indexOf(w), 1);
      w.res(messages.slice());
    }
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return {
    port: sock.address().port,
    messages,
    waitFor(n, ms = 8000) {
      if (messages.length >= n) return Promise.resolve(messages.slice());
      return new Promise((res, rej) => {
        const t = setTimeout(() => rej(new Error(`expected ${n} log messages, got ${messages.length}: ${messages.map((m) => m.toString('latin1')).join('\n')}`)), ms);
        waiters.push({ n, res: (m) => (clearTimeout(t), res(m)) });
      });
    },
    close: () => sock.close(),
  };
}

export interface RawResult {
  readonly data: Buffer;
  readonly text: string;
}

/**
 * Sends `parts` (written one after the other, `gapMs` apart) on one connection and returns
 * everything received until the server closes, or until `idleMs` after the last byte (then we
 * close, like a client done with a keep-alive connection).
 */
export function raw(port: number, parts: (string | Buffer)[], opts: { host?: string; gapMs?: number; idleMs?: number; endAfterWrite?: boolean } = {}): Promise<RawResult> {
  return new Promise((res, rej) => {
    const chunks: Buffer[] = [];
    const s = net.connect(port, opts.host ?? '127.0.0.1');
    let idle: NodeJS.Timeout | null = null;
    const arm = (): void => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => s.destroy(), opts.idleMs ?? 400);
    };
    s.on('connect', async () => {
      for (const p of parts) {
        s.write(typeof p === 'string' ? Buffer.from(p, 'latin1') : p);
        if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
      }
      if (opts.endAfterWrite) s.end();
      arm();
    });
    s.on('data', (c: Buffer) => {
      chunks.push(c);
      arm();
    });
    s.on('error', (e) => (chunks.length ? undefined : rej(e)));
    s.on('close', () => {
      if (idle) clearTimeout(idle);
      const data = Buffer.concat(chunks);
      res({ data, text: data.toString('latin1') });
    });
  });
}

export async function startOurs(cfgText: string): Promise<RunningProxy> {
  const r = resolve([{ file: 'test.cfg', text: cfgText }]);
  if (!r.config) throw new Error(r.diagnostics.map((d) => (d.level === 'alert' ? d.error.message : d.message)).join('\n'));
  return startProxy(r.config);
}

/** Whether something accepts TCP connections on 127.0.0.1:`port` now (the connection is closed at once). */
export function accepts(port: number): Promise<boolean> {
  return new Promise<boolean>((r) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => (s.destroy(), r(true)));
    s.on('error', () => r(false));
  });
}

/** A proxy run as a child process on a configuration written to a temporary file. */
export interface ProxyProcess {
  readonly child: ChildProcess;
  /** SIGTERM, then SIGKILL after 3 s: a proxy that does not stop must not keep the test alive. */
  stop(): Promise<void>;
}
export type OursProcess = ProxyProcess;
export type HaproxyProcess = ProxyProcess;

/**
 * Writes `cfgText` to a temporary file, starts `command(file)` and resolves once `port` accepts
 * connections (`tries` x 50 ms); throws with the process's stderr when it exits or never
 * listens. The start-up probe is one connection without a request, which proxies log.
 */
async function startProxyProcess(name: string, cfgText: string, command: (file: string) => [string, string[]], port: number, tries: number): Promise<ProxyProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hx-${name}-`));
  const file = path.join(dir, `${name}.cfg`);
  fs.writeFileSync(file, cfgText);
  const [cmd, args] = command(file);
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null || i === tries) throw new Error(`${name} did not start: ${stderr}`);
    if (await accepts(port)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    stop: () =>
      new Promise<void>((r) => {
        const done = (): void => {
          fs.rmSync(dir, { recursive: true, force: true });
          r();
        };
        if (child.exitCode !== null) return done();
        const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => (clearTimeout(kill), done()));
        child.kill('SIGTERM');
      }),
  };
}

/** Our proxy as a child process (`haloscope proxy -f`, the compiled CLI), for tests that need a process of its own like haproxy's. */
export function startOursProcess(cfgText: string, port: number, tries = 100): Promise<OursProcess> {
  return startProxyProcess('haloscope', cfgText, (file) => [process.execPath, [path.join(DIST, 'bin', 'haloscope.js'), 'proxy', '-f', file]], port, tries);
}

export function haproxyAvailable(): boolean {
  return fs.existsSync('/usr/sbin/haproxy');
}

/** Runs real haproxy in the foreground on `cfgText`; resolves once `port` accepts connections. */
export function startHaproxy(cfgText: string, port: number): Promise<HaproxyProcess> {
  return startProxyProcess('haproxy', cfgText, (file) => ['/usr/sbin/haproxy', ['-db', '-f', file]], port, 100);
}

/** Splits a received syslog datagram (local format) into header and message. */
export function splitSyslog(m: Buffer): { header: string; message: string } {
  const s = m.toString('latin1').replace(/\n$/, '');
  const i = s.indexOf(']: ');
  return { header: s.slice(0, i + 3), message: s.slice(i + 3) };
}
