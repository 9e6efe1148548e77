/**
 * Cookie persistence (`cookie <name> insert [indirect]`, `server ... cookie <v>`) against
 * real HAProxy 2.6: for each kind of client cookie (none, valid, valid among others, unknown,
 * naming a disabled server) and server response (with and without its own cookie of that
 * name), both proxies must pick the same server, send the same Set-Cookie headers, pass the
 * same Cookie header to the server, and log the same line (3rd/4th termination characters
 * and %B included; client port, dates, pid and timer values masked), also when the servers
 * refuse the connection (503, 4th character `N`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { freePort, haproxyAvailable, raw, startHaproxy, startOurs, startSyslog } from '../proxy/helpers/proxy-harness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const COOKIES = ['', 'Cookie: SRV=c2\r\n', 'Cookie: a=1; SRV=c2; b=2\r\n', 'Cookie: SRV=zz\r\n', 'Cookie: SRV=c3\r\n', 'Cookie: SRV=c1\r\n'];

function cfg(p: { ind: number; ins: number; dead: number }, syslog: number, be: number, deadPort: number): string {
  const servers = `  server s1 127.0.0.1:${be} cookie c1\n  server s2 127.0.0.1:${be} cookie c2\n  server s3 127.0.0.1:${be} cookie c3 disabled\n`;
  return `
global
  # one thread: HAProxy's other thread could accept the next request's connection between
  # logging the previous one and releasing it, counting it in that line's actconn/feconn
  nbthread 1
  log 127.0.0.1:${syslog} local0
defaults
  mode http
  log global
  option httplog
  timeout connect 300ms
  timeout client 2s
  timeout server 2s
listen ind
  bind 127.0.0.1:${p.ind}
  cookie SRV insert indirect
${servers}listen ins
  bind 127.0.0.1:${p.ins}
  cookie SRV insert
${servers}listen dead
  bind 127.0.0.1:${p.dead}
  retries 0
  cookie SRV insert indirect
${servers.replace(/127\.0\.0\.1:\d+ cookie c(1|2)/g, `127.0.0.1:${deadPort} cookie c$1`)}`;
}

test('cookie insert [indirect]: choices, headers and log lines match real HAProxy 2.6', { timeout: 25_000 }, async (t) => {
  if (!haproxyAvailable()) {
    if (process.env.CI) assert.fail('haproxy is required in CI (/usr/sbin/haproxy)');
    return t.skip('haproxy not installed at /usr/sbin/haproxy');
  }
  // what the server saw, per request id (the id travels in the path)
  const seen = new Map<string, string>();
  const be = http.createServer((req, res) => {
    seen.set(req.url ?? '', String(req.headers.cookie ?? '-'));
    if (req.url?.includes('setc')) res.setHeader('Set-Cookie', 'SRV=fromserver; path=/');
    res.end('hi');
  });
  await new Promise<void>((r) => be.listen(0, '127.0.0.1', () => r()));
  const bePort = (be.address() as net.AddressInfo).port;
  const deadPort = await freePort();
  const run = async (kind: 'haproxy' | 'ours'): Promise<string[]> => {
    const syslog = await startSyslog();
    const p = { ind: await freePort(), ins: await freePort(), dead: await freePort() };
    while (p.ins === p.ind) p.ins = await freePort();
    while (p.dead === p.ind || p.dead === p.ins || p.dead === deadPort) p.dead = await freePort();
    const text = cfg(p, syslog.port, bePort, deadPort);
    const stop = kind === 'haproxy' ? (await startHaproxy(text, p.ind)).stop : ((x) => async () => x.stop())(await startOurs(text));
    const out: string[] = [];
    try {
      await sleep(100);
      for (const [name, port] of Object.entries(p))
        for (const [i, c] of COOKIES.entries())
          for (const path of ['/get', '/setc']) {
            const id = `${path}/${kind}/${name}/${i}`;
            const before = syslog.messages.length;
            const r = await raw(port, [`GET ${id} HTTP/1.1\r\nHost: x\r\n${c}Connection: close\r\n\r\n`]);
            while (!syslog.messages.slice(before).some((m) => m.toString().includes(id))) await syslog.waitFor(syslog.messages.length + 1);
            const line = syslog.messages
              .slice(before)
              .map((m) => m.toString('latin1'))
              .find((m) => m.includes(id))!
              .replace(/^.*?\]: /, '')
              .replace(/:\d+ \[[^\]]+\]/, ':PORT [DATE]')
              .replace(/ (-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+) /, (m) => ' ' + m.trim().split('/').map((v) => (v === '-1' ? v : 'N')).join('/') + ' ')
              .replace(`/${kind}/`, '/X/')
              .trimEnd();
            const setCookies = r.text.split('\r\n\r\n')[0]!.split('\r\n').filter((l) => /^set-cookie:/i.test(l));
            out.push(`${JSON.stringify(c)} ${path}: ${line} | to client ${JSON.stringify(setCookies)} | server saw ${seen.get(id)}`);
          }
    } finally {
      await stop();
      syslog.close();
    }
    return out;
  };
  try {
    const [h, o] = await Promise.all([run('haproxy'), run('ours')]);
    assert.deepEqual(o, h);
    // and the states exercised are the interesting ones
    const states = new Set(o.map((l) => / ([-A-Za-z]{4}) \d+\//.exec(l)![1]));
    for (const s of ['--NI', '--VN', '--VD', '--II', '--DI', 'SCNN', 'SCVN', 'SCIN']) assert.ok(states.has(s), `state ${s} exercised`);
  } finally {
    be.close();
  }
});
