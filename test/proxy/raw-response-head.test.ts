/**
 * A response head forwarded as bytes (proxy/http/raw-head.ts) must give what the parsed path
 * gives: the same bytes toward the client, `%B`, framing and server close, for every head it
 * takes; and a session that reads response headers (a capture) must still parse them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { parseResponseHead, responseFraming } from '../../proxy/http/parser.js';
import { rawFraming, rawHeadLength, scanResponseHead, writeRawHead, type RawHeadScan } from '../../proxy/http/raw-head.js';
import { responseHeadLength, responseHtxBytes, writeResponseHead } from '../../proxy/http/responses.js';
import { freePort, raw, startOurs, startSyslog, splitSyslog } from './helpers/proxy-harness.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const STATUS_LINES = ['HTTP/1.1 200 OK', 'HTTP/1.0 200 OK', 'HTTP/1.0 404 Not Found', 'HTTP/1.1 204', 'HTTP/1.1 304 Not Modified', 'HTTP/1.1 200 ', 'HTTP/1.1 2000 OK', 'HTTP/1.2 200 OK', 'HTTP/1.1 20x OK', 'HTTP/1.1 101 Switching Protocols', 'HTTP/1.1 100 Continue', 'HTTP/1.1 200 \x85ok\x01', 'http/1.1 200 OK', 'HTTP/1.1 503 Service Unavailable'];
const HEADERS = [
  'Server: nginx/1.22.1',
  'Date: Sat, 28 Nov 2026 01:55:29 GMT',
  'Content-Type: text/plain',
  'CONTENT-TYPE:text/html',
  'Content-Length: 64',
  'content-length: 0',
  'Content-Length: 007',
  'Content-Length: 5',
  'Content-Length: 5, 5',
  'Content-Length: 1234567890123456',
  'Content-Length: -1',
  'Content-Length:',
  'Transfer-Encoding: chunked',
  'Transfer-Encoding: gzip',
  'Connection: close',
  'Connection: CLOSE',
  'Connection: keep-alive',
  'connection: Keep-Alive',
  'Connection: upgrade',
  'Connection: keep-alive, close',
  'Connection: close\xa0',
  'Connection:',
  'Keep-Alive: timeout=5',
  'ETag: "6b0a30b3-40"',
  'Set-Cookie: a=b; path=/',
  'X-Spaces: \t v a l \t ',
  'X-Empty:',
  'X-Ctl: a\x01b',
  'X-Latin: caf\xe9',
  'X-Mixed-CASE_~^`: v',
  'Bad Header: v',
  'X-Y : v',
  ': novalue',
  'NoColon',
  'X-Nul: a\x00b',
  'X-Cr: a\rb',
];

function build(r: () => number): string {
  let s = STATUS_LINES[Math.floor(r() * STATUS_LINES.length)]! + '\r\n';
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) s += HEADERS[Math.floor(r() * HEADERS.length)]! + '\r\n';
  return s + '\r\n';
}

function mutate(r: () => number, s: string): string {
  const picks = ['\r', '\n', ' ', '\t', ':', '\x00', 'A', '\r\n', '\r\n ', '\n\n', '\xff'];
  const at = Math.floor(r() * s.length);
  const what = r();
  const piece = picks[Math.floor(r() * picks.length)]!;
  if (what < 0.4) return s.slice(0, at) + piece + s.slice(at);
  if (what < 0.7) return s.slice(0, at) + s.slice(at + 1);
  return s.slice(0, at) + piece + s.slice(at + 1);
}

/** Where the exchange cuts the head (parser.ts headEnd()), or -1. */
function headEndOf(b: Buffer): number {
  let i = b.indexOf(10);
  while (i >= 0) {
    if (b[i + 1] === 10) return i + 2;
    if (b[i + 1] === 13 && b[i + 2] === 10) return i + 3;
    i = b.indexOf(10, i + 1);
  }
  return -1;
}

const scan: RawHeadScan = { status: 0, v11: true, close: false, length: -1, htx: 0, size: 0 };

test('a head taken as bytes gives what the parsed head gives: bytes for the client, %B, framing, server close', () => {
  const r = rng(7);
  let taken = 0;
  let parsedOnly = 0;
  const out = Buffer.alloc(4096);
  const ref = Buffer.alloc(4096);
  for (let k = 0; k < 40000; k++) {
    let s = build(r);
    const m = Math.floor(r() * 3);
    for (let i = 0; i < m; i++) s = mutate(r, s);
    // body bytes after the head, a space first: a scan that read past the head would take it for a folded line
    const buf = Buffer.from(s + ' \r\n x', 'latin1');
    const end = headEndOf(buf);
    if (end < 0) continue;
    const parsed = parseResponseHead(buf.toString('latin1', 0, end));
    if (!scanResponseHead(buf, end, scan)) {
      if (parsed && parsed.status >= 200) parsedOnly++;
      continue;
    }
    taken++;
    const head = JSON.stringify(s);
    assert.ok(parsed, `taken as bytes but refused by the parser: ${head}`);
    assert.ok(parsed.status >= 200, head);
    assert.equal(scan.status, parsed.status, head);
    assert.equal(scan.v11, parsed.version === 11, head);
    assert.equal(scan.close, parsed.close, head);
    assert.equal(scan.htx, responseHtxBytes(parsed.versionText, parsed.reason, parsed.headers), head);
    for (const method of ['GET', 'HEAD']) assert.deepEqual(rawFraming(method, scan), responseFraming(method, parsed), `${method} ${head}`);
    for (const keep of [true, false]) {
      const n = writeRawHead(out, 5, buf, end, scan.v11, keep) - 5;
      const want = writeResponseHead(ref, 0, parsed.versionText, parsed.status, parsed.reason, parsed.headers, keep);
      assert.equal(out.toString('latin1', 5, 5 + n), ref.toString('latin1', 0, want), `keep=${keep} ${head}`);
      assert.equal(rawHeadLength(scan.size, scan.v11, keep), n, head);
      assert.equal(responseHeadLength(parsed.versionText, parsed.status, parsed.reason, parsed.headers, keep), n, head);
    }
  }
  // both kinds occur: heads taken as bytes, and valid heads left to the parser (lists, chunked...)
  assert.ok(taken > 3000, `only ${taken} heads taken as bytes`);
  assert.ok(parsedOnly > 2000, `only ${parsedOnly} valid heads left to the parser`);
});

test('the usual heads are taken as bytes: nginx, no reason, a repeated length, HTTP/1.0', () => {
  const heads = [
    'HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sat, 28 Nov 2026 01:55:29 GMT\r\nContent-Type: text/plain\r\nContent-Length: 64\r\nConnection: keep-alive\r\nETag: "6b0a30b3-40"\r\n\r\n',
    'HTTP/1.1 204\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\n',
    'HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n',
  ];
  for (const h of heads) assert.ok(scanResponseHead(Buffer.from(h, 'latin1'), h.length, scan), JSON.stringify(h));
  const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
  assert.equal(scanResponseHead(Buffer.from(chunked, 'latin1'), chunked.length, scan), false, 'chunked goes to the parser');
});

const SERVER_HEAD = 'HTTP/1.1 200 OK\r\nServer: Test/1.0\r\nContent-Type: text/plain\r\nX-Odd-Case:   padded value \t\r\nContent-Length: 5\r\nConnection: Keep-Alive\r\n\r\n';

test('through the proxy: the head forwarded as bytes equals the parsed one, and a capture still reads the headers', async () => {
  // a server that answers every request with the same head, in two writes half of the time
  let n = 0;
  const server = net.createServer((s) => {
    s.on('data', () => {
      const whole = Buffer.from(SERVER_HEAD + 'hello', 'latin1');
      if (n++ % 2 === 0) s.write(whole);
      else {
        s.write(whole.subarray(0, SERVER_HEAD.length));
        setTimeout(() => s.write(whole.subarray(SERVER_HEAD.length)), 20);
      }
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const bePort = (server.address() as net.AddressInfo).port;
  const sys = await startSyslog();
  const plain = await freePort();
  const captured = await freePort();
  const p = await startOurs(`
global
  log 127.0.0.1:${sys.port} local0
defaults
  mode http
  log global
  option httplog
  timeout client 5s
  timeout server 5s
  timeout connect 1s
frontend plain
  bind 127.0.0.1:${plain}
  default_backend b
frontend captured
  bind 127.0.0.1:${captured}
  capture response header X-Odd-Case len 20
  default_backend b
backend b
  server s 127.0.0.1:${bePort}
`);
  try {
    const want = 'HTTP/1.1 200 OK\r\nserver: Test/1.0\r\ncontent-type: text/plain\r\nx-odd-case: padded value\r\ncontent-length: 5\r\n';
    for (const [req, tail] of [
      ['GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'connection: close\r\n\r\nhello'],
      ['GET / HTTP/1.1\r\nHost: x\r\n\r\n', '\r\nhello'],
    ] as const) {
      for (let i = 0; i < 2; i++) {
        const a = await raw(plain, [req]);
        const b = await raw(captured, [req]);
        assert.equal(a.text, want + tail, 'forwarded as bytes');
        assert.equal(b.text, a.text, 'parsed and forwarded: the same bytes');
      }
    }
    const lines = (await sys.waitFor(8)).map((m) => splitSyslog(m).message);
    const plainLines = lines.filter((l) => / plain b\/s /.test(l));
    const capLines = lines.filter((l) => / captured b\/s /.test(l));
    assert.equal(plainLines.length, 4);
    assert.equal(capLines.length, 4);
    // %B is the same either way (HTX size of the head as received, plus the body)
    for (const l of [...plainLines, ...capLines]) assert.match(l, / 200 112 - - --/, l);
    for (const l of capLines) assert.match(l, / \{padded value\} "GET \/ HTTP\/1\.1"$/, l);
  } finally {
    p.stop();
    sys.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
