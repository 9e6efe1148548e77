/**
 * End-to-end behaviour of our proxy with real backends, a real UDP receiver and raw clients:
 * streaming both ways, 100-continue, header rules, forwardfor, balancing, backup servers,
 * connection reuse and connection modes, IPv6, log formats and dontlognull.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import { freePort, raw, startBackend, startOurs, startSyslog, splitSyslog } from './helpers/proxy-harness.js';

const base = (syslog: number, extra = ''): string => `
global
  log 127.0.0.1:${syslog} local0
defaults
  mode http
  log global
  option httplog
  timeout connect 1s
  timeout client 5s
  timeout server 5s
${extra}`;

test('bodies stream both ways: 1 MiB Content-Length upload, chunked download, 100-continue', async () => {
  const be = await startBackend((req, res, body) => {
    if (req.url === '/chunks') {
      res.write('first-');
      setTimeout(() => res.end('second'), 30);
      return;
    }
    res.end(crypto.createHash('sha1').update(body, 'latin1').digest('hex'));
  });
  const sys = await startSyslog();
  const port = await freePort();
  const p = await startOurs(base(sys.port) + `frontend fe\n  bind 127.0.0.1:${port}\n  default_backend b\nbackend b\n  server s 127.0.0.1:${be.port}\n`);
  try {
    const big = crypto.randomBytes(1 << 20);
    const up = await raw(port, [`POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: ${big.length}\r\n\r\n`, big], { idleMs: 500 });
    assert.match(up.text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(up.text.endsWith(crypto.createHash('sha1').update(big).digest('hex')), 'server got the exact body');

    const ch = await raw(port, [`GET /chunks HTTP/1.1\r\nHost: x\r\n\r\n`]);
    assert.match(ch.text, /transfer-encoding: chunked\r\n/);
    assert.match(ch.text, /\r\n6\r\nfirst-\r\n6\r\nsecond\r\n0\r\n\r\n$/);

    // Expect: 100-continue: the interim response arrives before we send the body
    const got = await new Promise<string>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      let buf = '';
      s.on('connect', () => s.write('POST /c HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n'));
      s.on('data', (d) => {
        buf += d.toString('latin1');
        if (buf === 'HTTP/1.1 100 Continue\r\n\r\n') s.write('hello');
        if (buf.includes('\r\n\r\n', buf.indexOf('200 OK'))) setTimeout(() => s.destroy(), 50);
      });
      s.on('close', () => resolve(buf));
      s.on('error', reject);
    });
    assert.ok(got.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK'), got);
    assert.ok(got.endsWith(crypto.createHash('sha1').update('hello').digest('hex')));
    const logs = (await sys.waitFor(3)).map((m) => splitSyslog(m).message);
    assert.match(logs[0]!, / 200 \d+ - - ---- .* "POST \/up HTTP\/1\.1"$/);
    // %B counts payload, not chunk framing: 12 bytes of data
    assert.match(logs[1]!, / b\/s \d+\/\d+\/\d+\/\d+\/\d+ 200 (\d+) /);
  } finally {
    p.stop();
    sys.close();
    await be.close();
  }
});

test('http-request header rules and forwardfor reach the server; HEAD/204/304 have no body', async () => {
  const be = await startBackend((req, res) => {
    if (req.url === '/204') return void res.writeHead(204).end();
    res.setHeader('Content-Length', '5');
    res.end(req.method === 'HEAD' ? undefined : 'hello');
  });
  const sys = await startSyslog();
  const port = await freePort();
  const p = await startOurs(
    base(sys.port) +
      `frontend fe
  bind 127.0.0.1:${port}
  http-request set-header X-Set yes
  http-request add-header X-Add one
  http-request del-header X-Secret
  http-request set-header X-Only-Api 1 if { path_beg /api }
  default_backend b
backend b
  option forwardfor
  server s 127.0.0.1:${be.port}
`,
  );
  try {
    await raw(port, [`GET /api/x HTTP/1.1\r\nHost: x\r\nX-Secret: s\r\nX-Set: old\r\nX-Add: zero\r\n\r\n`]);
    const h = be.seen[0]!.headers;
    assert.equal(h['x-set'], 'yes');
    assert.equal(h['x-add'], 'zero, one');
    assert.equal(h['x-secret'], undefined);
    assert.equal(h['x-only-api'], '1');
    assert.equal(h['x-forwarded-for'], '127.0.0.1');
    const r = await raw(port, [`HEAD / HTTP/1.1\r\nHost: x\r\n\r\n`, `GET /204 HTTP/1.1\r\nHost: x\r\n\r\n`, `GET / HTTP/1.1\r\nHost: x\r\n\r\n`], { gapMs: 60 });
    const parts = r.text.split('HTTP/1.1 ');
    assert.deepEqual(
      parts.slice(1).map((x) => x.slice(0, 3)),
      ['200', '204', '200'],
    );
    assert.ok(parts[1]!.endsWith('\r\n\r\n') && parts[2]!.endsWith('\r\n\r\n') && parts[3]!.endsWith('hello'));
  } finally {
    p.stop();
    sys.close();
    await be.close();
  }
});

test('roundrobin weights, backup servers, keep-alive reuse of server connections', async () => {
  const a = await startBackend((_q, res) => res.end('A'));
  const b = await startBackend((_q, res) => res.end('B'));
  let aConns = 0;
  a.server.on('connection', () => aConns++);
  const sys = await startSyslog();
  const port = await freePort();
  const p = await startOurs(
    base(sys.port) +
      `frontend fe
  bind 127.0.0.1:${port}
  use_backend bk_backup if { path_beg /bk }
  default_backend bk
backend bk
  balance roundrobin
  server a 127.0.0.1:${a.port} weight 3
  server b 127.0.0.1:${b.port} weight 1
backend bk_backup
  server a 127.0.0.1:${a.port} disabled
  server b1 127.0.0.1:${b.port} backup
  server b2 127.0.0.1:${a.port} backup
`,
  );
  try {
    const reqs = Array.from({ length: 8 }, () => `GET / HTTP/1.1\r\nHost: x\r\n\r\n`);
    const r = await raw(port, reqs, { gapMs: 20 });
    assert.equal(r.text.match(/\r\n\r\n[AB]/g)!.map((x) => x.slice(-1)).join(''), 'AABAAABA');
    assert.equal(aConns, 1, 'six requests to server a went over one reused connection');
    const bk = await raw(port, [`GET /bk HTTP/1.1\r\nHost: x\r\n\r\n`, `GET /bk HTTP/1.1\r\nHost: x\r\n\r\n`], { gapMs: 30 });
    assert.equal(bk.text.match(/\r\n\r\n[AB]/g)!.map((x) => x.slice(-1)).join(''), 'BB', 'first backup only');
    const logs = (await sys.waitFor(10)).map((m) => splitSyslog(m).message.split(' ')[3]);
    assert.deepEqual(logs, ['bk/a', 'bk/a', 'bk/b', 'bk/a', 'bk/a', 'bk/a', 'bk/b', 'bk/a', 'bk_backup/b1', 'bk_backup/b1']);
  } finally {
    p.stop();
    sys.close();
    await a.close();
    await b.close();
  }
});

test('httpclose closes both sides; IPv6 listener and server; log formats, len and dontlognull', async (t) => {
  const v6 = await new Promise<boolean>((r) => {
    const s = net.createServer().listen(0, '::1', () => s.close(() => r(true)));
    s.on('error', () => r(false));
  });
  const be = await startBackend((_q, res) => res.end('ok'), v6 ? '::1' : '127.0.0.1');
  const sys = await startSyslog();
  const port = await freePort();
  const port6 = v6 ? await freePort('::1') : 0;
  const p = await startOurs(`
global
  log-tag hx
  log 127.0.0.1:${sys.port} format rfc5424 local1
  log 127.0.0.1:${sys.port} len 80 format raw local2
  log 127.0.0.1:${sys.port} format short local3 err
defaults
  mode http
  option httpclose
  option dontlognull
  timeout client 5s
  timeout server 5s
  timeout connect 1s
frontend fe
  log global
  option httplog
  bind 127.0.0.1:${port}
  ${v6 ? `bind [::1]:${port6}` : ''}
  default_backend b
backend b
  server s ${v6 ? `[::1]:${be.port}` : `127.0.0.1:${be.port}`}
`);
  try {
    await raw(port, []); // empty connection: not logged with dontlognull
    const r = await raw(port, [`GET /x HTTP/1.1\r\nHost: x\r\n\r\n`], { idleMs: 3000 });
    assert.match(r.text, /connection: close\r\n/);
    const msgs = (await sys.waitFor(2)).map((m) => m.toString('latin1'));
    assert.equal(msgs.length, 2, 'short logger at err does not get info messages; empty connection not logged');
    const rfc = msgs.find((m) => m.startsWith('<142>1 '))!;
    assert.match(rfc, /^<142>1 \S+ - hx \d+ - - 127\.0\.0\.1:\d+ \[.*\] fe b\/s .* 200 \d+ - - ---- .* "GET \/x HTTP\/1\.1"\n$/);
    const rawMsg = msgs.find((m) => m.startsWith('127.0.0.1:'))!;
    assert.equal(rawMsg.length, 81, 'raw format truncated to len 80, then LF');
    if (v6) {
      const r6 = await raw(port6, [`GET /six HTTP/1.1\r\nHost: x\r\n\r\n`], { host: '::1', idleMs: 3000 });
      assert.match(r6.text, /^HTTP\/1\.1 200 OK/);
      const m6 = (await sys.waitFor(4)).map((m) => m.toString('latin1'));
      assert.ok(m6.some((m) => / ::1:\d+ \[/.test(m) && m.includes('"GET /six HTTP/1.1"')), 'IPv6 client printed without brackets');
    } else t.diagnostic('IPv6 loopback unavailable: IPv6 part skipped');
  } finally {
    p.stop();
    sys.close();
    await be.close();
  }
});

test('frontend maxconn holds extra connections unread until a slot frees', async () => {
  const be = await startBackend((req, res) => res.end(req.url));
  const sys = await startSyslog();
  const port = await freePort();
  const p = await startOurs(base(sys.port) + `frontend fe\n  bind 127.0.0.1:${port}\n  maxconn 1\n  default_backend b\nbackend b\n  server s 127.0.0.1:${be.port}\n`);
  try {
    const first = net.connect(port, '127.0.0.1');
    await new Promise((r) => first.once('connect', r));
    first.write('GET /first HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => first.once('data', r));
    // the first connection stays open (keep-alive): the second must wait
    let secondAnswered = false;
    const second = raw(port, ['GET /second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'], { idleMs: 3000 }).then((r) => ((secondAnswered = true), r));
    const firstLog = (await sys.waitFor(1))[0]!;
    assert.match(splitSyslog(firstLog).message, / 1\/1\/0\/0\/0 0\/0 "GET \/first HTTP\/1\.1"$/);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(secondAnswered, false, 'second connection not served while the first holds the only slot');
    assert.equal(be.seen.length, 1);
    first.destroy();
    const r = await second;
    assert.match(r.text, /\/second$/);
    const lines = (await sys.waitFor(2)).map((m) => splitSyslog(m).message);
    assert.match(lines[1]!, / 1\/1\/0\/0\/0 0\/0 "GET \/second HTTP\/1\.1"$/, 'only one connection counted at a time');
  } finally {
    p.stop();
    sys.close();
    await be.close();
  }
});

test('hash balancing reads the request: url_param, uri and hdr(host) keep a key on one server', async () => {
  const servers = await Promise.all(['A', 'B', 'C'].map((n) => startBackend((_q, res) => res.end(n))));
  const sys = await startSyslog();
  const port = await freePort();
  const list = servers.map((b, i) => `  server s${i} 127.0.0.1:${b.port}`).join('\n');
  const p = await startOurs(
    base(sys.port) +
      `frontend fe
  bind 127.0.0.1:${port}
  use_backend by_param if { path_beg /p }
  use_backend by_uri if { path_beg /u }
  default_backend by_host
backend by_param
  balance url_param id
${list}
backend by_uri
  balance uri
${list}
backend by_host
  balance hdr(host)
${list}
`,
  );
  const pick = async (path: string, host = 'x'): Promise<string> => (await raw(port, [`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`])).text.slice(-1);
  try {
    for (const [make, label] of [
      [(k: string) => pick(`/p?a=1&id=${k}`), 'url_param'],
      [(k: string) => pick(`/u/${k}?noise=${Math.random()}`), 'uri (query ignored)'],
      [(k: string) => pick('/', `${k}.example`), 'hdr(host)'],
    ] as const) {
      const seen = new Set<string>();
      for (const key of ['k1', 'k2', 'k3', 'k4', 'k5', 'k6']) {
        const first = await make(key);
        assert.equal(await make(key), first, `${label}: key ${key} stays on its server`);
        seen.add(first);
      }
      assert.ok(seen.size >= 2, `${label}: keys spread over servers (${[...seen].join('')})`);
    }
  } finally {
    p.stop();
    sys.close();
    await Promise.all(servers.map((b) => b.close()));
  }
});
