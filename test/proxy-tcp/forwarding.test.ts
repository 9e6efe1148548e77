/**
 * `mode tcp` forwarding through our proxy with real sockets: backpressure both ways, bytes
 * intact, balancing algorithms on TCP connections, and the configuration rules of tcp
 * proxies (checked against `haproxy -c` wording where HAProxy has a message).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { resolve } from '../../proxy/config/resolve.js';
import { freePort, haproxyAvailable, startOurs } from '../proxy/helpers/proxy-harness.js';
import { sleep, startTcpBackend, tcpClient } from './helpers/tcp-harness.js';

const BASE = `defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 10s\n  timeout server 10s\n`;

const MB = 1 << 20;

/** Writes `total` bytes with a writer that honours backpressure; `accepted()` = bytes write() took. */
function pump(sock: net.Socket, total: number): { accepted: () => number; hash: Promise<string> } {
  let accepted = 0;
  const h = createHash('sha1');
  const chunk = Buffer.alloc(64 * 1024);
  let i = 0;
  const hash = new Promise<string>((res) => {
    const go = (): void => {
      while (accepted < total) {
        chunk.fill(i++ & 0xff);
        h.update(chunk);
        accepted += chunk.length;
        if (!sock.write(chunk)) return void sock.once('drain', go);
      }
      sock.end();
      res(h.digest('hex'));
    };
    go();
  });
  return { accepted: () => accepted, hash };
}

test('download: a client that does not read holds the server back; all bytes arrive intact', { timeout: 20_000 }, async () => {
  const total = 96 * MB;
  let sent: ReturnType<typeof pump> | null = null;
  const srv = net.createServer((s) => {
    s.on('error', () => {});
    s.resume();
    sent = pump(s, total);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = await freePort();
  const p = await startOurs(`${BASE}listen l\n  bind 127.0.0.1:${port}\n  server s 127.0.0.1:${(srv.address() as net.AddressInfo).port}\n`);
  try {
    const c = net.connect(port, '127.0.0.1');
    c.pause();
    await new Promise((r) => c.once('connect', r));
    await sleep(800);
    const early = sent!.accepted();
    // kernel socket buffers on loopback take a few MB per socket; without backpressure the
    // proxy would have read everything the server can produce by now
    assert.ok(early < 40 * MB, `server could write ${early} bytes to a client that reads nothing`);
    const h = createHash('sha1');
    let got = 0;
    c.on('data', (d: Buffer) => {
      got += d.length;
      h.update(d);
    });
    c.resume();
    await new Promise((r) => c.on('close', r));
    assert.equal(got, total);
    assert.equal(h.digest('hex'), await sent!.hash);
  } finally {
    p.stop();
    srv.close();
  }
});

test('upload: a server that does not read holds the client back; all bytes arrive intact', { timeout: 20_000 }, async () => {
  const total = 96 * MB;
  let serverSock: net.Socket | null = null;
  const h = createHash('sha1');
  let got = 0;
  const done = new Promise<void>((res) => {
    const srv = net.createServer((s) => {
      serverSock = s;
      s.pause();
      s.on('data', (d: Buffer) => {
        got += d.length;
        h.update(d);
      });
      s.on('end', () => {
        s.end();
        srv.close();
        res();
      });
    });
    srv.listen(0, '127.0.0.1', () => void start((srv.address() as net.AddressInfo).port));
  });
  const up: { pump: ReturnType<typeof pump> | null } = { pump: null };
  let stop = (): void => {};
  const start = async (be: number): Promise<void> => {
    const port = await freePort();
    const p = await startOurs(`${BASE}listen l\n  bind 127.0.0.1:${port}\n  server s 127.0.0.1:${be}\n`);
    stop = () => p.stop();
    const c = net.connect(port, '127.0.0.1');
    c.on('error', () => {});
    c.resume();
    up.pump = pump(c, total);
  };
  while (!up.pump || !serverSock) await sleep(20);
  await sleep(800);
  assert.ok(up.pump.accepted() < 40 * MB, `client could write ${up.pump.accepted()} bytes to a server that reads nothing`);
  (serverSock as net.Socket).resume();
  await done;
  stop();
  assert.equal(got, total);
  assert.equal(h.digest('hex'), await up.pump.hash);
});

test('balancing TCP connections: source sticks, leastconn avoids the busy server, static-rr follows weights', { timeout: 15_000 }, async () => {
  const a = await startTcpBackend('named', 'A');
  const b = await startTcpBackend('named', 'B');
  const [ps, pl, pr] = [await freePort(), await freePort(), await freePort()];
  const servers = `  server a 127.0.0.1:${a.port}\n  server b 127.0.0.1:${b.port}\n`;
  const p = await startOurs(
    `${BASE}listen src\n  bind 127.0.0.1:${ps}\n  balance source\n${servers}` +
      `listen lc\n  bind 127.0.0.1:${pl}\n  balance leastconn\n${servers}` +
      `listen srr\n  bind 127.0.0.1:${pr}\n  balance static-rr\n  server a 127.0.0.1:${a.port} weight 2\n  server b 127.0.0.1:${b.port} weight 1\n`,
  );
  const who = async (port: number): Promise<string> => (await tcpClient(port, (s) => void s.end())).data.toString().trim();
  try {
    const bySource = new Set<string>();
    for (let i = 0; i < 6; i++) bySource.add(await who(ps));
    assert.equal(bySource.size, 1, 'one client address, one server');

    // hold a connection on the first pick, then the next one must go to the other server
    let first = '';
    const held = net.connect(pl, '127.0.0.1');
    await new Promise<void>((r) => held.once('data', (d) => ((first = d.toString().trim()), r())));
    const second = await who(pl);
    assert.notEqual(second, first, 'leastconn: the idle server');
    held.destroy();

    const picks: string[] = [];
    for (let i = 0; i < 6; i++) picks.push(await who(pr));
    assert.equal(picks.filter((x) => x === 'A').length, 4, picks.join(''));
  } finally {
    p.stop();
    await a.close();
    await b.close();
  }
});

function check(text: string): { alerts: string[]; warnings: string[] } {
  const r = resolve([{ file: 't.cfg', text }]);
  const alerts: string[] = [];
  const warnings: string[] = [];
  for (const d of r.diagnostics) {
    if (d.level === 'alert') alerts.push(`${d.error.code} ${d.error.message}`);
    else warnings.push(d.message);
  }
  return { alerts, warnings };
}

/** HAProxy's own diagnostics on the same text (null when haproxy is not installed). */
function haproxyCheck(text: string): string | null {
  if (!haproxyAvailable()) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-tcpcfg-'));
  const file = path.join(dir, 't.cfg');
  fs.writeFileSync(file, text);
  const r = spawnSync('/usr/sbin/haproxy', ['-c', '-f', file], { cwd: dir });
  fs.rmSync(dir, { recursive: true, force: true });
  return r.stderr.toString().split(dir + '/').join('');
}

test('tcp proxies: HTTP-only settings are ignored with HAProxy\'s warnings', () => {
  const text = `${BASE}frontend f\n  bind 127.0.0.1:1\n  option httplog\n  http-request deny if { path /x }\n  default_backend b\nbackend b\n  option forwardfor\n  server s 127.0.0.1:2\n`;
  const ours = check(text);
  assert.deepEqual(ours.alerts, []);
  const expected = [
    `'option httplog' not usable with frontend 'f' (needs 'mode http'). Falling back to 'option tcplog'.`,
    `'http-request' rules ignored for frontend 'f' as they require HTTP mode.`,
    `'option forwardfor' ignored for backend 'b' as it requires HTTP mode.`,
  ];
  for (const w of expected) assert.ok(ours.warnings.includes(w), `missing warning: ${w}\n${ours.warnings.join('\n')}`);
  const theirs = haproxyCheck(text);
  if (theirs !== null) for (const w of expected) assert.ok(theirs.includes(w), `haproxy does not say: ${w}\n${theirs}`);
});

test('layer 7 balancing in a tcp proxy falls back to round robin with HAProxy\'s warning', () => {
  const text = `${BASE}listen l\n  bind 127.0.0.1:1\n  balance uri\n  server s 127.0.0.1:2\n`;
  const msg = `Layer 7 hash not possible for proxy 'l' (needs 'mode http'). Falling back to round robin.`;
  const r = resolve([{ file: 't.cfg', text }]);
  assert.ok(r.diagnostics.some((d) => d.level === 'warning' && d.message === msg));
  assert.equal(r.config!.backends.get('l')!.balance.algorithm, 'roundrobin');
  const theirs = haproxyCheck(text);
  if (theirs !== null) assert.ok(theirs.includes(msg), theirs);
});

test('mode mismatches and what tcp cannot do are alerts with file:line', () => {
  const httpToTcp = `${BASE}frontend f\n  mode http\n  bind 127.0.0.1:1\n  use_backend b if { path /x }\n  default_backend b\nbackend b\n  server s 127.0.0.1:2\n`;
  const a = check(httpToTcp).alerts;
  assert.equal(a.length, 2);
  const msg1 = `http frontend 'f' (t.cfg:6) tries to use incompatible tcp backend 'b' (t.cfg:11) in a 'use_backend' rule (see 'mode').`;
  const msg2 = `http frontend 'f' (t.cfg:6) tries to use incompatible tcp backend 'b' (t.cfg:11) as its default backend (see 'mode').`;
  assert.deepEqual(a, [`E_CONFIG_BAD_VALUE parsing [t.cfg:10] : ${msg2}`, `E_CONFIG_BAD_VALUE parsing [t.cfg:9] : ${msg1}`]);
  const theirs = haproxyCheck(httpToTcp);
  if (theirs !== null) for (const m of [msg1, msg2]) assert.ok(theirs.includes(m), `haproxy does not say: ${m}\n${theirs}`);

  const l7 = check(`${BASE}frontend f\n  bind 127.0.0.1:1\n  use_backend b if { path /x }\n  default_backend b\nbackend b\n  server s 127.0.0.1:2\n`).alerts;
  assert.match(l7[0]!, /^E_CONFIG_UNSUPPORTED parsing \[t\.cfg:8\] : frontend 'f' : 'use_backend b' : criterion 'path' needs HTTP/);
  const tcplogInHttp = check(`${BASE}listen l\n  mode http\n  option tcplog\n  bind 127.0.0.1:1\n  server s 127.0.0.1:2\n`).alerts;
  assert.match(tcplogInHttp[0]!, /^E_CONFIG_UNSUPPORTED parsing \[t\.cfg:6\] : listen 'l' : 'option tcplog' in 'mode http' is not supported/);
});
