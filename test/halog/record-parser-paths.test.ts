/**
 * parseRecord has three ways to walk a line. When the line sits in the reader's scan buffer
 * (takeScanBuffer), the WebAssembly walk of the whole line (wasm-record.ts) takes lines of the
 * common shape, and the JavaScript walk with WebAssembly SIMD searches takes the rest; on any
 * other buffer the JavaScript walk uses JavaScript loops. All must give the same record, field
 * by field, and the same reason for a rejected line: the reports and the detectors read files
 * through the scan buffer, the live view and tests through plain buffers. Lines are corpus
 * lines, whole and mutated (bytes that delimit fields inserted, replaced and removed, lines
 * cut), and lines at the edges of what the WebAssembly walk takes, placed at every alignment
 * of a 16-byte vector.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureValue, LogRecord, locateClientIp, parseRecord, type Span } from '../../halog/parse/record.js';
import { releaseScanBuffer, scanRecord, takeScanBuffer } from '../../halog/parse/bytes.js';
import { CORPUS } from '../helpers/paths.js';
import { mutateLine, randomInts } from '../helpers/random.js';

/** Everything parseRecord fills, relative to the line start (rejected lines: the reason). */
function describe(rec: LogRecord, ok: boolean): string {
  if (!ok) return `invalid: ${rec.invalidReason}`;
  const spans: Span[] = [rec.client, rec.clientIp, rec.frontend, rec.backend, rec.server, rec.requestCookie, rec.responseCookie,
    rec.termination, rec.requestCaptures, rec.responseCaptures, rec.request, rec.method, rec.uri, rec.version, rec.trailer];
  const captures: string[] = [];
  for (let n = 0; n < 4; n++) captures.push(rec.captureField(rec.requestCaptures, n), rec.captureField(rec.responseCaptures, n));
  return JSON.stringify({
    kind: rec.kind, port: rec.clientPort, accept: rec.acceptMs, timers: [...rec.timers], logasap: rec.logasap,
    status: rec.status, bytes: rec.bytesRead, conns: [...rec.connections], redispatched: rec.retriesRedispatched,
    queues: [rec.serverQueue, rec.backendQueue], blocks: rec.captureBlocks, captures,
    spans: spans.map((s) => [s.start - rec.lineStart, s.end - rec.lineStart]),
  });
}

const HTTP_LINE = '<134>Nov 24 17:10:49 haproxy[13531]: 127.1.5.77:48031 [24/Nov/2026:17:10:49.931] fe_web bk_app/app1 0/0/0/5/5 200 1417 - SESSIONID=40a2 --NI 7/7/2/0/0 0/0 {www.shop.test|Mozilla/5.0 (iPhone)|} {text/html} "GET /products/item-15.html HTTP/1.1"';
const TCP_LINE = '<134>Nov 24 17:10:49 haproxy[13531]: 127.2.9.1:52189 [24/Nov/2026:17:10:49.926] fe_tcp bk_tcp/tcp1 1/0/1 3494 -- 1/1/0/0/0 0/0';

/** Variants at the limits of the WebAssembly walk: each is taken by it or left to JavaScript, never read differently. */
const EDGES: string[] = [
  HTTP_LINE, TCP_LINE,
  ...[['1417', '999999999'], ['1417', '1000000000'], ['1417', '12345678901234567'], ['1417', '+1417'], ['1417', '-0'], ['1417', '1417x'],
    [' 200 ', ' +200 '], [' 200 ', ' 2000000000 '], [' 200 ', ' -1 '], [' 200 ', '  200   '],
    ['0/0/0/5/5', '0/0/0/5/+5'], ['0/0/0/5/5', '0/0/0/5/5/6'], ['0/0/0/5/5', '0/0/0/5/5/'], ['0/0/0/5/5', '-1/-1/-1/-1/0'], ['0/0/0/5/5', '0/0/0/5'],
    ['0/0/0/5/5', '0/0/0/5/1234567890'], ['0/0/0/5/5', '0/0/0/5/-'], ['7/7/2/0/0', '7/7/2/0/+1'], ['7/7/2/0/0', '7/7/2/0/0/9'], [' 0/0 {', ' +0/-0 {'],
    [' 0/0 {', ' 0/0/0 {'], [':48031', ':'], [':48031', ':99999999999'], [':48031', ':+48'], ['127.1.5.77:48031', '<1>127.1.5.77:48031'],
    ['{text/html}', '{text/html} {x|y}'], ['{text/html}', '{te}xt}'], ['{text/html} ', ''], ['Safari|}', 'Safari|}}'], [' --NI ', ' --N '],
    ['"GET /products/item-15.html HTTP/1.1"', '"<BADREQ>"'], ['"GET /products/item-15.html HTTP/1.1"', '"GET /a b HTTP/1.1" - x'],
    ['"GET /products/item-15.html HTTP/1.1"', '"GET"'], ['"GET /products/item-15.html HTTP/1.1"', '"GET /x HTTP/1.1'], ['"GET /products/item-15.html HTTP/1.1"', '"GET /x HTTP/"'],
    ['"GET /products/item-15.html HTTP/1.1"', '""'], ['"GET /products/item-15.html HTTP/1.1"', '"'], ['fe_web bk_app/app1', 'fe_web bk_app'], ['fe_web bk_app/app1', 'fe_web  /'],
    ['[24/Nov/2026:17:10:49.931]', '[24/Nov/2026:17:10:61.931]'], ['[24/Nov/2026:17:10:49.931]', '[24/Foo/2026:17:10:49.931]']]
    .map(([from, to]) => HTTP_LINE.replace(from!, to!)),
  ...[['3494', '+3494'], ['3494', '34940000000'], [' -- ', ' --- '], ['1/0/1', '1/0/+1'], [' 0/0', ' 0/0 trailing'], ['1/1/0/0/0', '1/1/0/0']]
    .map(([from, to]) => TCP_LINE.replace(from!, to!)),
];

test('record parser: the WebAssembly and SIMD walks on the scan buffer and the JavaScript walks elsewhere give the same records', () => {
  const corpus = readFileSync(join(CORPUS, 'access.log'), 'latin1').split('\n').filter((l) => l.length > 0);
  const rand = randomInts(11);
  const scan = takeScanBuffer(1 << 16);
  assert.ok(scan, 'WebAssembly SIMD is available in Node 20');
  const onScan = new LogRecord();
  const onPlain = new LogRecord();
  const ipScan: Span = { start: 0, end: 0 };
  const ipPlain: Span = { start: 0, end: 0 };
  let compared = 0;
  let rejected = 0;
  let whole = 0;
  try {
    for (let i = 0; i < 12000 + EDGES.length * 17; i++) {
      const edge = i >= 12000 ? EDGES[(i - 12000) % EDGES.length]! : null;
      const base = corpus[rand(corpus.length)]!;
      const line = Buffer.from(edge ?? (i % 4 === 0 ? base : mutateLine(base, rand)), 'latin1');
      const at = edge === null ? i % 17 : Math.floor((i - 12000) / EDGES.length);
      const end = at + line.length;
      // After the line: its newline or a byte a walk might take for the line's own (a quote
      // right at the end counts as the request's closing one), then bytes a vector load may read.
      scan.fill(0x41, 0, end + 64);
      line.copy(scan, at);
      scan[end] = '\n" }7/'.charCodeAt(i % 6);
      scan.write('"|}', end + 1, 'latin1');
      if (scanRecord(scan, at, end) !== 0) whole++;
      const plain = Buffer.from(scan.subarray(0, end + 64));
      const a = parseRecord(scan, at, end, onScan);
      const b = parseRecord(plain, at, end, onPlain);
      assert.equal(describe(onScan, a), describe(onPlain, b), line.toString('latin1'));
      const la = locateClientIp(scan, at, end, ipScan);
      const lb = locateClientIp(plain, at, end, ipPlain);
      assert.deepEqual([la, ipScan.start, ipScan.end], [lb, ipPlain.start, ipPlain.end], line.toString('latin1'));
      compared++;
      if (!a) rejected++;
    }
  } finally {
    releaseScanBuffer(scan);
  }
  // Both kinds of line were compared, not only one, and most good ones by the WebAssembly walk.
  assert.ok(rejected > 1000 && compared - rejected > 3000, `${rejected} of ${compared} rejected`);
  assert.ok(whole > (compared - rejected) * 0.6, `${whole} of ${compared - rejected} good lines taken by the WebAssembly walk`);
});

test('captureValue: the n-th |-separated value, never past the block end', () => {
  const buf = Buffer.from('{a|bb||c} {x} "GET / HTTP/1.1" {y|z}', 'latin1');
  const first: Span = { start: 1, end: 8 };
  const out: Span = { start: 0, end: 0 };
  const values: (string | null)[] = [];
  for (let n = 0; n < 5; n++) values.push(captureValue(buf, first, n, out) ? buf.toString('latin1', out.start, out.end) : null);
  assert.deepEqual(values, ['a', 'bb', '', 'c', null]);
  // One value and a `|` further on in the buffer: the second value is absent.
  const single: Span = { start: 11, end: 12 };
  assert.equal(captureValue(buf, single, 0, out), true);
  assert.equal(buf.toString('latin1', out.start, out.end), 'x');
  assert.equal(captureValue(buf, single, 1, out), false);
  assert.deepEqual(out, { start: 0, end: 0 });
});
