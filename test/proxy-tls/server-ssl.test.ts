/**
 * TLS toward servers (`server ... ssl verify none|required ca-file <f> sni str(<name>)`)
 * against real HAProxy 2.6, with a certificate made by openssl at test time: HTTP and TCP
 * proxies re-encrypt to an HTTPS backend; a server whose certificate does not verify is a
 * failed connection (503); log lines and responses must match HAProxy's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { resolve } from '../../proxy/config/resolve.js';
import { freePort, haproxyAvailable, raw, startHaproxy, startOurs, startSyslog } from '../proxy/helpers/proxy-harness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function cert(dir: string, name: string): { key: string; crt: string } | null {
  const key = path.join(dir, `${name}.key`);
  const crt = path.join(dir, `${name}.crt`);
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
  return r.status === 0 ? { key, crt } : null;
}

test('server ssl: re-encryption, verification and logs match real HAProxy 2.6', { timeout: 20_000 }, async (t) => {
  if (!haproxyAvailable()) {
    if (process.env.CI) assert.fail('haproxy is required in CI (/usr/sbin/haproxy)');
    return t.skip('haproxy not installed at /usr/sbin/haproxy');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-srvssl-'));
  const good = cert(dir, 'good');
  const other = cert(dir, 'other');
  if (!good || !other) {
    if (process.env.CI) assert.fail('openssl is required in CI');
    return t.skip('openssl not available');
  }
  const be = https.createServer({ key: fs.readFileSync(good.key), cert: fs.readFileSync(good.crt) }, (req, res) => res.end(`secure ${req.url}`));
  await new Promise<void>((r) => be.listen(0, '127.0.0.1', () => r()));
  const bp = (be.address() as net.AddressInfo).port;
  const run = async (kind: 'haproxy' | 'ours'): Promise<{ got: string[]; lines: string[] }> => {
    const syslog = await startSyslog();
    const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
    const text = `
global
  log 127.0.0.1:${syslog.port} local0
defaults
  log global
  retries 0
  timeout connect 500ms
  timeout client 2s
  timeout server 2s
listen none
  mode http
  option httplog
  bind 127.0.0.1:${ports[0]}
  server s1 127.0.0.1:${bp} ssl verify none
listen verified
  mode http
  option httplog
  bind 127.0.0.1:${ports[1]}
  server s2 127.0.0.1:${bp} ssl ca-file ${good.crt} verify required sni str(localhost)
listen wrongca
  mode http
  option httplog
  bind 127.0.0.1:${ports[2]}
  server s3 127.0.0.1:${bp} ssl ca-file ${other.crt} verify required
listen tcp
  mode tcp
  option tcplog
  bind 127.0.0.1:${ports[3]}
  server s4 127.0.0.1:${bp} ssl verify none
`;
    const stop = kind === 'haproxy' ? (await startHaproxy(text, ports[0]!)).stop : ((x) => async () => x.stop())(await startOurs(text));
    const got: string[] = [];
    try {
      await sleep(150);
      const before = syslog.messages.length;
      for (const [i, p] of ports.entries()) {
        got.push((await raw(p, [`GET /r${i} HTTP/1.${i === 3 ? 0 : 1}\r\nHost: x\r\nConnection: close\r\n\r\n`])).text.replace(/^date: .*\r\n/im, ''));
        // The client sees the close before HAProxy logs and frees the session: starting the next
        // one first made HAProxy count it in this line's actconn (2 instead of 1, 1 run in 6).
        await syslog.waitFor(before + i + 1);
      }
      await sleep(100);
      const lines = syslog.messages
        .slice(before)
        .map((m) => m.toString('latin1').replace(/^.*?\]: /, '').replace(/:\d+ \[[^\]]+\]/, ':PORT [DATE]').trimEnd())
        .map((l) => l.replace(/ (-?\d+)\/(-?\d+)\/(-?\d+)(\/(-?\d+)\/(-?\d+))? /, (m) => ' ' + m.trim().split('/').map((v) => (v === '-1' ? v : 'N')).join('/') + ' '))
        .sort();
      return { got, lines };
    } finally {
      await stop();
      syslog.close();
    }
  };
  try {
    const [h, o] = await Promise.all([run('haproxy'), run('ours')]);
    assert.deepEqual(o.got, h.got);
    assert.deepEqual(o.lines, h.lines);
    assert.match(o.got[1]!, /secure \/r1$/);
    assert.match(o.got[2]!, /^HTTP\/1\.1 503 /);
  } finally {
    be.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('server ssl without a CA and without verify none is HAProxy\'s alert', () => {
  const r = resolve([{ file: 't.cfg', text: `defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nlisten l\n  bind 127.0.0.1:1\n  server s 127.0.0.1:2 ssl\n` }]);
  const a = r.diagnostics.find((d) => d.level === 'alert');
  assert.ok(a && a.level === 'alert');
  assert.equal(a.error.message, `parsing [t.cfg:8] : 'server l/s' : verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default.`);
});
