/**
 * The parser's one-pass fast path (proxy/http/parser.ts) must decide every head exactly as the
 * general parser does: same result object, same refusals. Heads are built from valid and
 * invalid pieces, then mutated byte by byte (seeded, reproducible).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestHead, parseRequestHeadGeneral, parseResponseHead, parseResponseHeadGeneral } from '../../proxy/http/parser.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const REQUEST_LINES = [
  'GET / HTTP/1.1',
  'GET /a/b?c=d&e=%20 HTTP/1.0',
  'POST /upload HTTP/1.1',
  'get /x HTTP/1.1',
  'GET /x HTTP/2.0',
  'GET /x HTTP/0.9',
  'GET /x HTTP/1.1 extra',
  'GET  /x HTTP/1.1',
  'GET /x#frag HTTP/1.1',
  'GET /\x7f HTTP/1.1',
  'GET /\xe9 HTTP/1.1',
  'GET * HTTP/1.1',
  'OPTIONS * HTTP/1.1',
  'GET http://example.com/x HTTP/1.1',
  'CONNECT example.com:443 HTTP/1.1',
  'GET x HTTP/1.1',
  'G(T / HTTP/1.1',
  ' GET / HTTP/1.1',
  'GET / http/1.1',
  'GET / HTTP/1.1 ',
];
const STATUS_LINES = ['HTTP/1.1 200 OK', 'HTTP/1.0 404 Not Found', 'HTTP/1.1 204', 'HTTP/1.1 200 ', 'HTTP/1.1 2000 OK', 'HTTP/1.2 200 OK', 'HTTP/1.1 20x OK', 'HTTP/1.1 101 Switching Protocols', 'HTTP/1.1 200 \x85ok\x01', 'http/1.1 200 OK'];
const HEADERS = [
  'Host: example.com',
  'host: Example.COM',
  // known names (parser.ts KNOWN_NAMES) in any case, and tchars next to them that must not match
  'HOST: example.com',
  'CoNtEnT-LeNgTh: 5',
  'Content_Length: 5',
  'Hos~: x',
  'Hos^: x',
  'Age: 1',
  'SET-Cookie: a=b',
  // Connection and Content-Length values that parser.ts compares or reads in place
  'Connection: CLOSE',
  'Connection: clos\xc5',
  'Connection: close\xa0',
  'Connection: keep-alive,',
  'Content-Length: 007',
  'Content-Length: 1234567890123456',
  'Host: other.example',
  'Content-Length: 5',
  'Content-Length: 5, 5',
  'Content-Length: 5, 6',
  'content-length: 0',
  'Content-Length: -1',
  'Transfer-Encoding: chunked',
  'Transfer-Encoding: gzip, chunked',
  'Transfer-Encoding: chunked, gzip',
  'Connection: close',
  'Connection: Keep-Alive',
  'connection: upgrade, close',
  'Expect: 100-continue',
  'X-Empty:',
  'X-Spaces: \t v a l \t ',
  'X-Ctl: a\x01b',
  'X-Latin: caf\xe9',
  'Bad Header: v',
  'X-Y : v',
  ': novalue',
  'NoColon',
  'X-Nul: a\x00b',
  'X-Cr: a\rb',
  'Cookie: a=1; b=2',
];

function build(r: () => number, first: string): string {
  let s = first + '\r\n';
  const n = Math.floor(r() * 5);
  for (let i = 0; i < n; i++) s += HEADERS[Math.floor(r() * HEADERS.length)]! + '\r\n';
  return s + '\r\n';
}

function mutate(r: () => number, s: string): string {
  const picks = ['\r', '\n', ' ', '\t', ':', '\x00', 'A', '\r\n', '\r\n ', '\n\n', '#', '\xff'];
  const at = Math.floor(r() * s.length);
  const what = r();
  const piece = picks[Math.floor(r() * picks.length)]!;
  if (what < 0.4) return s.slice(0, at) + piece + s.slice(at);
  if (what < 0.7) return s.slice(0, at) + s.slice(at + 1);
  return s.slice(0, at) + piece + s.slice(at + 1);
}

/** Like the session and the exchange: the head up to its empty line. */
function cut(s: string): string | null {
  const b = Buffer.from(s, 'latin1');
  let i = b.indexOf(10);
  while (i >= 0) {
    if (b[i + 1] === 10) return s.slice(0, i + 2);
    if (b[i + 1] === 13 && b[i + 2] === 10) return s.slice(0, i + 3);
    i = b.indexOf(10, i + 1);
  }
  return null;
}

/** 30,000 heads from `firstLines`, some mutated: `fast` and `general` must give the same result for each. */
function agree(seed: number, firstLines: readonly string[], fast: (head: string) => unknown, general: (head: string) => unknown): void {
  const r = rng(seed);
  let accepted = 0;
  for (let k = 0; k < 30000; k++) {
    let s = build(r, firstLines[Math.floor(r() * firstLines.length)]!);
    const m = Math.floor(r() * 3);
    for (let i = 0; i < m; i++) s = mutate(r, s);
    const head = cut(s);
    if (head === null) continue;
    const got = fast(head);
    assert.deepEqual(got, general(head), JSON.stringify(head));
    if (got) accepted++;
  }
  assert.ok(accepted > 2000, `only ${accepted} valid heads generated`);
}

test('request heads: the fast path and the general parser agree (valid, invalid and mutated heads)', () => {
  agree(1, REQUEST_LINES, parseRequestHead, parseRequestHeadGeneral);
});

test('response heads: the fast path and the general parser agree (valid, invalid and mutated heads)', () => {
  agree(2, STATUS_LINES, parseResponseHead, parseResponseHeadGeneral);
});

/** The reading parser.ts had before it compared plain values in place: split, trim, lower-case. */
function listHasByParts(v: string, token: string): boolean {
  return v.split(',').some((t) => t.trim().toLowerCase() === token);
}

test('Connection tokens and Content-Length values read in place decide as splitting and trimming them does', () => {
  const r = rng(3);
  const pieces = ['close', 'CLOSE', 'Close', 'keep-alive', 'Keep-Alive', 'upgrade', 'clos', 'closed', 'clos\xc5', 'c\x0dlose', 'close\xa0', '\xa0close', ' ', ',', '\t', '\x0b', 'k', '-', '\xe9', '\x85'];
  for (let k = 0; k < 20000; k++) {
    let v = '';
    for (let n = 1 + Math.floor(r() * 3); n > 0; n--) v += pieces[Math.floor(r() * pieces.length)]!;
    v = v.replace(/^[ \t]+|[ \t]+$/g, ''); // as the header parsers leave a value
    if (v === '' || /[\r\n\x00]/.test(v)) continue;
    const req = parseRequestHeadGeneral(`GET / HTTP/1.1\r\nConnection: ${v}\r\n\r\n`);
    assert.equal(req?.keepAlive, !listHasByParts(v, 'close'), JSON.stringify(v));
    const res = parseResponseHeadGeneral(`HTTP/1.0 200 OK\r\nConnection: ${v}\r\n\r\n`);
    assert.equal(res?.close, !listHasByParts(v, 'keep-alive'), JSON.stringify(v));
  }
  const lengths: [string, number | null][] = [['0', 0], ['7', 7], ['007', 7], ['123456789012345', 123456789012345], ['1234567890123456', null], ['5, 5', 5], ['5,6', null], ['5a', null], ['+5', null]];
  for (const [v, want] of lengths) {
    const h = parseRequestHeadGeneral(`POST / HTTP/1.1\r\nContent-Length: ${v}\r\n\r\n`);
    if (want === null) assert.equal(h, null, v);
    else assert.deepEqual(h?.framing, want === 0 ? { kind: 'none' } : { kind: 'length', length: want }, v);
  }
});
