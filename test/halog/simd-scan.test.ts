/**
 * The SIMD walkers (halog/parse/simd-scan.ts) against the JavaScript ones of bytes.ts, which
 * the oracle tests hold to real halog: same results for every start, end and field count on
 * lines made to put spaces, runs of spaces, quotes and line ends on every side of the 16-byte
 * vectors, and through the dispatch of bytes.ts on the buffer takeScanBuffer gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simdScanner } from '../../halog/parse/simd-scan.js';
import { fieldStart, fieldStop, indexBefore, releaseScanBuffer, takeScanBuffer } from '../../halog/parse/bytes.js';
import { randomFloats } from '../helpers/random.js';

/** Bytes of a line: words of 0..40 bytes separated by 1..3 spaces, sometimes a quote or a newline. */
function randomLine(rand: () => number): Buffer {
  const out: number[] = [];
  const len = Math.floor(rand() * 120);
  while (out.length < len) {
    const r = rand();
    if (r < 0.15) out.push(0x20);
    else if (r < 0.18) out.push(0x22);
    else if (r < 0.2) out.push(0x0a);
    else out.push(0x21 + Math.floor(rand() * 0x5e));
  }
  return Buffer.from(out);
}

test('SIMD field, find and the bytes.ts dispatch give the JavaScript walkers\' results', () => {
  const scanner = simdScanner(1 << 16);
  assert.ok(scanner, 'WebAssembly SIMD is available in Node 20');
  const rand = randomFloats(7);
  let checks = 0;
  for (let i = 0; i < 3000; i++) {
    const line = randomLine(rand);
    // the line at every alignment of a vector, with junk after its end that a load may read
    const shift = i % 17;
    scanner.buffer.fill(0x20, 0, shift + line.length + 32);
    line.copy(scanner.buffer, shift);
    const plain = Buffer.alloc(shift + line.length + 32, 0x20);
    line.copy(plain, shift);
    for (let end = shift; end <= shift + line.length; end += 1 + (end % 3)) {
      for (let p = shift; p <= end; p += 1 + (p % 4)) {
        for (let n = 0; n <= 6; n++) {
          assert.equal(scanner.field(p, end, n), fieldStart(plain, p, end, n), `field(${p}, ${end}, ${n}) of ${JSON.stringify(line.toString('latin1'))} at +${shift}`);
          checks++;
        }
        for (const byte of [0x20, 0x22, 0x0a]) {
          const js = plain.indexOf(byte, p);
          assert.equal(scanner.find(p, end, byte), js >= 0 && js < end ? js : -1, `find(${p}, ${end}, ${byte})`);
        }
      }
    }
  }
  assert.ok(checks > 100_000, `${checks} checks`);
});

test('bytes.ts walks the reader buffer it handed out with SIMD, with the same results', () => {
  const buf = takeScanBuffer(1 << 16);
  assert.ok(buf, 'a scan buffer is given once');
  assert.equal(takeScanBuffer(1 << 16), null, 'to one reader at a time');
  releaseScanBuffer(buf);
  assert.equal(takeScanBuffer(1 << 16), buf, 'and again once given back');
  const rand = randomFloats(11);
  for (let i = 0; i < 2000; i++) {
    const line = randomLine(rand);
    const shift = i % 23;
    buf.fill(0x20, 0, shift + line.length + 32);
    line.copy(buf, shift);
    const plain = Buffer.alloc(shift + line.length + 32);
    buf.copy(plain, 0, 0, plain.length);
    const end = shift + line.length;
    for (let p = shift; p <= end + 2; p++) {
      assert.equal(fieldStop(buf, p, end), fieldStop(plain, p, end), `fieldStop(${p}, ${end})`);
      assert.equal(indexBefore(buf, 0x22, p, end), indexBefore(plain, 0x22, p, end), `indexBefore(", ${p}, ${end})`);
      for (let n = 1; n <= 4; n++) assert.equal(fieldStart(buf, p, end, n), fieldStart(plain, p, end, n));
    }
  }
});

test('indexBefore on any other buffer finds the first byte in [p, end), in short and long ranges, never past end', () => {
  const rand = randomFloats(5);
  const buf = Buffer.alloc(3000, 0x61);
  const first = (b: number, p: number, end: number): number => {
    for (let i = p; i < end; i++) if (buf[i] === b) return i;
    return -1;
  };
  for (let round = 0; round < 300; round++) {
    buf.fill(0x61);
    // 0 to 3 quotes anywhere, so that some ranges hold none and one may lie just past end
    for (let k = Math.floor(rand() * 4); k > 0; k--) buf[Math.floor(rand() * buf.length)] = 0x22;
    const p = Math.floor(rand() * buf.length);
    for (const end of [p, p + 1, p + 511, p + 512, p + 513, p + 1500, buf.length]) {
      const e = Math.min(end, buf.length);
      assert.equal(indexBefore(buf, 0x22, p, e), first(0x22, p, e), `indexBefore(", ${p}, ${e})`);
    }
  }
});
