/**
 * The scanner's `route` (halog/parse/wasm-route.ts), which `detect`'s reading thread uses to
 * send each line to the thread of its client, against the JavaScript it replaces on that path:
 * line ends found with indexBefore, a `\r` before the newline dropped, empty lines skipped,
 * and detector.ts shardKey's hash of the address locateClientIp finds. A line hashed
 * differently by the two would put a client's lines on two threads when a buffer grown past
 * the scan buffer (a line longer than a read) takes the JavaScript way. And where `route` says
 * a line's client field and accept date start, the scanner's `recordAt` must read the very
 * record `record` reads from the line's start. Buffers hold corpus lines, whole and mutated,
 * and the shapes at the edges of the client walk, with more lines than one call takes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { indexBefore, releaseScanBuffer, routeLines, scanRecord, scanRecordAt, scanRecordOut, scanRouteOut, takeScanBuffer } from '../../halog/parse/bytes.js';
import { ROUTE_CELLS, ROUTE_LINES } from '../../halog/parse/wasm-route.js';
import { shardKey } from '../../halog/detect/detector.js';
import { CHUNK_SIZE } from '../../halog/read/chunks.js';
import { CORPUS } from '../helpers/paths.js';
import { mutateLine, randomInts } from '../helpers/random.js';

const LINE = '<134>Nov 24 17:10:49 haproxy[13531]: 127.1.5.77:48031 [24/Nov/2026:17:10:49.931] fe_web bk_app/app1 0/0/0/5/5 200 1417 - - --NI 7/7/2/0/0 0/0 "GET / HTTP/1.1"';

/** Lines whose client the walk finds in an unusual place, or finds none. */
const EDGES = [
  ['127.1.5.77:48031', '<1>127.1.5.77:48031'], ['127.1.5.77:48031', '<1>127.1.5.77'], ['127.1.5.77:48031', '<1127.1.5.77:48031'],
  ['127.1.5.77:48031', '127.1.5.77'], ['127.1.5.77:48031', ':48031'], ['127.1.5.77:48031', '::1:48031'], ['127.1.5.77:48031', '[2001:db8::1]:48031'],
  ['127.1.5.77:48031', '127.1.5.77:48031:'], ['<134>Nov 24 17:10:49 haproxy[13531]: ', ''], ['<134>Nov 24 17:10:49 haproxy[13531]: ', 'a b c d e f g h i j k l '],
  ['[24/Nov', '[x24/Nov'], ['[24/Nov', '24/Nov'], ['127.1.5.77:48031 [', '127.1.5.77:48031  ['], [' fe_web', '\r fe_web'],
].map(([from, to]) => LINE.replace(from!, to!));

/** The JavaScript routing: [start, end, hash] for each line of buf[0, end). */
function routeInJs(buf: Buffer, end: number): number[] {
  const key = shardKey({})!;
  const out: number[] = [];
  for (let p = 0; p < end; ) {
    let nl = indexBefore(buf, 0x0a, p, end);
    if (nl < 0) nl = end;
    let e = nl;
    if (e > p && buf[e - 1] === 0x0d) e--;
    if (e > p) out.push(p, e, key(buf, p, e));
    p = nl + 1;
  }
  return out;
}

test('route: the lines and client hashes of a buffer, as the JavaScript routing gives them', () => {
  const corpus = readFileSync(join(CORPUS, 'access.log'), 'latin1').split('\n').filter((l) => l.length > 0);
  const rand = randomInts(5);
  const parts: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < 2_500_000; i++) {
    const r = rand(20);
    const base = corpus[rand(corpus.length)]!;
    let line = r === 0 ? EDGES[rand(EDGES.length)]! : r < 8 ? mutateLine(base, rand) : base;
    if (r === 1) line += '\r';
    parts.push(line);
    // empty lines and CRLF-only lines, which no thread gets
    if (r === 2) parts.push('', '\r');
    bytes += line.length + 1;
  }
  const text = `${parts.join('\n')}\n`;
  const scan = takeScanBuffer(CHUNK_SIZE);
  assert.ok(scan, 'WebAssembly SIMD is available in Node 20');
  try {
    // The whole buffer with its last newline, and cut inside its last line (no newline at the end).
    for (const end of [text.length, text.length - 40]) {
      scan.fill(0x0a, 0, end + 64);
      scan.write(text.slice(0, end), 0, 'latin1');
      const expected = routeInJs(scan, end);
      const got: number[] = [];
      /** Where recordAt may start, per line: client field, accept date (-1: none). */
      const starts: number[] = [];
      let calls = 0;
      for (let p = 0; p < end; calls++) {
        const next = routeLines(scan, p, end);
        assert.ok(next > p && next <= end + 1, `route(${p}, ${end}) went on to ${next}`);
        const out = scanRouteOut;
        assert.ok(out[0]! <= ROUTE_LINES);
        for (let i = 1; i < 1 + ROUTE_CELLS * out[0]!; i += ROUTE_CELLS) {
          got.push(out[i]!, out[i + 1]!, out[i + 2]!);
          starts.push(out[i + 3]!, out[i + 4]!);
        }
        p = next;
      }
      assert.equal(got.length, expected.length, 'line count');
      for (let i = 0; i < expected.length; i += 3) {
        assert.deepEqual(got.slice(i, i + 3), expected.slice(i, i + 3), JSON.stringify(scan.toString('latin1', expected[i], expected[i + 1])));
      }
      const lines = expected.length / 3;
      assert.ok(calls > lines / ROUTE_LINES, `${calls} calls for ${lines} lines: some buffer took more than one`);
      const none = expected.filter((h, i) => i % 3 === 2 && h < 0).length;
      assert.ok(none > 100 && none < lines / 4, `${none} of ${lines} lines without a client`);
      // recordAt from route's starts: the same answer and the same fields as record.
      let read = 0;
      for (let k = 0; k < lines; k++) {
        const [start, e] = [expected[3 * k]!, expected[3 * k + 1]!];
        const [client, accept] = [starts[2 * k]!, starts[2 * k + 1]!];
        assert.equal(client < 0, expected[3 * k + 2]! < 0, 'a client field exactly when a hash');
        if (client < 0) continue;
        scanRecordOut.fill(-7);
        const whole = scanRecord(scan, start, e);
        const fields = whole === 0 ? [] : [...scanRecordOut];
        scanRecordOut.fill(-7);
        const at = scanRecordAt(scan, start, e, client, accept);
        assert.deepEqual([at, ...(at === 0 ? [] : scanRecordOut)], [whole, ...fields], JSON.stringify(scan.toString('latin1', start, e)));
        if (whole !== 0) read++;
      }
      assert.ok(read > lines / 2, `${read} of ${lines} lines read by the WebAssembly walk`);
    }
  } finally {
    releaseScanBuffer(scan);
  }
  assert.equal(routeLines(Buffer.from(`${LINE}\n`), 0, LINE.length + 1), -1, 'another buffer is not the scanner\'s');
});
