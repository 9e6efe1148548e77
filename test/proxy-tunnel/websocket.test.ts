/**
 * WebSocket upgrade -> tunnel with `timeout tunnel`, against real HAProxy 2.6: the 101 is
 * forwarded with its `connection: Upgrade`, bytes flow both ways, and the one log line per
 * tunnel (status 101, %B = 101 head + tunnelled server bytes, termination state, counters)
 * must match HAProxy's; clients must receive the same bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { freePort, haproxyAvailable, startHaproxy, startOurs, startSyslog } from '../proxy/helpers/proxy-harness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='; // RFC 6455's example pair

function cfg(port: number, syslog: number, be: number): string {
  return `
global
  log 127.0.0.1:${syslog} local0
defaults
  mode http
  log global
  option httplog
  timeout client 3s
  timeout server 3s
  timeout connect 1s
  timeout tunnel 600ms
listen l
  bind 127.0.0.1:${port}
  server s1 127.0.0.1:${be}
`;
}

function ws(port: number, path: string, script: (s: net.Socket) => void): Promise<string> {
  return new Promise((res) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      script(s);
    });
    let d = '';
    s.on('data', (x: Buffer) => (d += x.toString('latin1')));
    s.on('end', () => s.end());
    s.on('error', () => {});
    s.on('close', () => res(d));
  });
}

const SCENARIOS: { name: string; path: string; script: (s: net.Socket) => void }[] = [
  {
    name: 'echo, client closes',
    path: '/echo',
    script: (s) => {
      setTimeout(() => s.write('hello'), 80);
      setTimeout(() => s.end(), 250);
    },
  },
  { name: 'idle tunnel: timeout tunnel', path: '/silent', script: () => {} },
  {
    name: 'server closes the tunnel',
    path: '/bye',
    script: (s) => void setTimeout(() => s.write('ping'), 80),
  },
];

test('websocket tunnel: responses and log lines match real HAProxy 2.6', { timeout: 20_000 }, async (t) => {
  if (!haproxyAvailable()) {
    if (process.env.CI) assert.fail('haproxy is required in CI (/usr/sbin/haproxy)');
    return t.skip('haproxy not installed at /usr/sbin/haproxy');
  }
  const be = http.createServer((_q, s) => s.end('plain'));
  be.on('upgrade', (req: http.IncomingMessage, sock: net.Socket) => {
    sock.on('error', () => {});
    sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${ACCEPT}\r\n\r\n`);
    if (req.url === '/silent') return;
    sock.on('data', (d: Buffer) => {
      sock.write(d);
      if (req.url === '/bye') sock.end('bye');
    });
    sock.on('end', () => sock.end());
  });
  await new Promise<void>((r) => be.listen(0, '127.0.0.1', () => r()));
  const bePort = (be.address() as net.AddressInfo).port;
  const run = async (kind: 'haproxy' | 'ours'): Promise<{ got: string[]; lines: string[] }> => {
    const syslog = await startSyslog();
    const port = await freePort();
    const text = cfg(port, syslog.port, bePort);
    const stop = kind === 'haproxy' ? (await startHaproxy(text, port)).stop : ((x) => async () => x.stop())(await startOurs(text));
    const got: string[] = [];
    const lines: string[] = [];
    try {
      await sleep(100);
      for (const sc of SCENARIOS) {
        got.push(await ws(port, sc.path, sc.script));
        for (let i = 0; i < 100 && !syslog.messages.some((m) => m.toString().includes(`GET ${sc.path} `)); i++) await sleep(20);
        const line = syslog.messages.map((m) => m.toString('latin1')).find((m) => m.includes(`GET ${sc.path} `)) ?? 'missing';
        lines.push(line.replace(/^.*?\]: /, '').replace(/:\d+ \[[^\]]+\]/, ':PORT [DATE]').trimEnd());
      }
    } finally {
      await stop();
      syslog.close();
    }
    return { got, lines };
  };
  try {
    const [h, o] = await Promise.all([run('haproxy'), run('ours')]);
    assert.deepEqual(o.got, h.got, 'clients get the same bytes');
    const timers = (l: string): number[] => / (\d+)\/(\d+)\/(\d+)\/(\d+)\/(\d+) /.exec(l)!.slice(1).map(Number);
    const rest = (l: string): string => l.replace(/ \d+\/\d+\/\d+\/\d+\/\d+ /, ' TIMERS ');
    assert.deepEqual(o.lines.map(rest), h.lines.map(rest));
    // the tunnel's duration (Ta) is the same to within scheduling noise: 600 ms when idle
    o.lines.forEach((l, i) => assert.ok(Math.abs(timers(l)[4]! - timers(h.lines[i]!)[4]!) < 250, `${SCENARIOS[i]!.name}: Ta ${l} vs ${h.lines[i]}`));
    assert.match(o.lines[1]!, / 101 132 - - cD-- /);
  } finally {
    be.close();
  }
});
