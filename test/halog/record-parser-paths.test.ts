/**
 * parseRecord has two ways to walk a line: WebAssembly SIMD searches when the line sits in the
 * reader's scan buffer (takeScanBuffer), JavaScript loops on any other buffer. Both must give
 * the same record, field by field, and the same reason for a rejected line: the reports and
 * the detectors read files through the scan buffer, the live view and tests through plain
 * buffers. Lines are corpus lines, whole and mutated (bytes that delimit fields inserted,
 * replaced and removed, lines cut), placed at every alignment of a 16-byte vector.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureValue, LogRecord, locateClientIp, parseRecord, type Span } from '../../halog/parse/record.js';
import { releaseScanBuffer, takeScanBuffer } from '../../halog/parse/bytes.js';
import { CORPUS } from '../helpers/paths.js';
import { randomInts } from '../helpers/random.js';

const DELIMITERS = ' :[]{}"/+-0123456789<>|?;.';

function mutate(line: string, rand: (n: number) => number): string {
  let s = line;
  for (let k = 1 + rand(3); k > 0; k--) {
    const p = rand(s.length + 1);
    const byte = DELIMITERS[rand(DELIMITERS.length)]!;
    switch (rand(4)) {
      case 0: s = s.slice(0, p) + s.slice(p + 1 + rand(12)); break;
      case 1: s = s.slice(0, p) + byte + s.slice(p); break;
      case 2: s = s.slice(0, p) + byte + s.slice(p + 1); break;
      default: s = s.slice(0, p);
    }
  }
  return s;
}

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

test('record parser: the SIMD walks on the scan buffer and the JavaScript walks elsewhere give the same records', () => {
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
  try {
    for (let i = 0; i < 12000; i++) {
      const base = corpus[rand(corpus.length)]!;
      const line = Buffer.from(i % 4 === 0 ? base : mutate(base, rand), 'latin1');
      const at = i % 17;
      const end = at + line.length;
      // After the line: its newline, then bytes a vector load may read (a quote and a bar, which
      // a search must not take for the line's own).
      scan.fill(0x41, 0, end + 64);
      line.copy(scan, at);
      scan[end] = 0x0a;
      scan.write('"|}', end + 1, 'latin1');
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
  // Both kinds of line were compared, not only one.
  assert.ok(rejected > 1000 && compared - rejected > 3000, `${rejected} of ${compared} rejected`);
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
