import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';
import { corpusLines, portOf, readLines, sendAll, startCapture, tempDir } from './helpers.js';

test('every datagram sent over IPv4 and IPv6 appears exactly once, as received', async (t) => {
  const corpus = corpusLines();
  if ('skip' in corpus) return t.skip(corpus.skip);
  const dir = tempDir(t);
  const { capture } = await startCapture(['--listen', '127.0.0.1:0', '--listen', '[::1]:0', '--out', `${dir}/`]);
  // Make every line unique: the corpus has repeated lines, and exactly-once needs distinct ones.
  const v4 = corpus.lines.slice(0, 3000).map((l, i) => `${l} #v4-${i}\n`);
  const v6 = corpus.lines.slice(3000, 4500).map((l, i) => `${l} #v6-${i}\n`);
  await Promise.all([sendAll('udp4', portOf(capture, 'udp4'), v4), sendAll('udp6', portOf(capture, 'udp6'), v6)]);
  const final = await capture.stop();

  const got = readLines(join(dir, 'capture.log'));
  const sent = [...v4, ...v6].map((d) => d.slice(0, -1));
  assert.equal(final.kernelDropped, 0, 'loopback at this pace must not overflow the socket buffer');
  assert.equal(final.received, sent.length);
  assert.equal(final.written, sent.length);
  assert.equal(final.unwritten, 0);
  assert.equal(final.pending, 0);
  assert.equal(got.length, sent.length);
  const counts = new Map<string, number>();
  for (const line of got) counts.set(line, (counts.get(line) ?? 0) + 1);
  for (const line of sent) assert.equal(counts.get(line), 1, `line not exactly once: ${line.slice(0, 80)}`);
  // Order per source is kept (one socket, one file, one writer).
  const onlyV4 = got.filter((l) => l.includes(' #v4-'));
  assert.deepEqual(onlyV4, v4.map((d) => d.slice(0, -1)));
});

test('a datagram without a trailing newline gets one, a datagram with one keeps exactly one', async (t) => {
  const dir = tempDir(t);
  const { capture } = await startCapture(['--listen', '127.0.0.1:0', '--out', join(dir, 'out.log')]);
  await sendAll('udp4', portOf(capture), ['<134>Nov 24 17:10:49 haproxy[1]: a', '<134>Nov 24 17:10:49 haproxy[1]: b\n', 'c\n\n']);
  await capture.stop();
  // The third keeps its first newline, escaped: one datagram stays one line.
  assert.deepEqual(readLines(join(dir, 'out.log')), ['<134>Nov 24 17:10:49 haproxy[1]: a', '<134>Nov 24 17:10:49 haproxy[1]: b', 'c#0A']);
});
