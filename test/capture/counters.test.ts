import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { portOf, readLines, sendAll, startCapture, tempDir } from './helpers.js';

test('kernel drops are read from /proc/net/udp: received + kernel-dropped = sent, and reported', async (t) => {
  const dir = tempDir(t);
  // The smallest buffer the kernel allows, and a burst sent without yielding to the event loop:
  // the collector (same thread) cannot read during the burst, so the kernel must drop.
  const { capture, log } = await startCapture(['--listen', '127.0.0.1:0', '--out', `${dir}/`, '--rcvbuf', '1K']);
  const sender = dgram.createSocket('udp4');
  await new Promise<void>((r) => sender.connect(portOf(capture), '127.0.0.1', () => r()));
  const sent = 2000;
  const payload = Buffer.from(`<134>Nov 24 17:10:49 haproxy[1]: ${'x'.repeat(300)}`);
  const done: Promise<void>[] = [];
  for (let i = 0; i < sent; i++) done.push(new Promise((r) => sender.send(payload, () => r())));
  await Promise.all(done);
  sender.close();
  const final = await capture.stop();
  assert.ok(final.kernelDropped > 0, 'the kernel dropped some');
  assert.equal(final.received + final.kernelDropped, sent);
  assert.equal(final.written, final.received);
  assert.equal(final.listeners[0]!.kernelDropped, final.kernelDropped);
  assert.equal(readLines(join(dir, 'capture.log')).length, final.received);
  assert.match(log.join(''), /the kernel dropped \d+ datagrams on udp4 127\.0\.0\.1:\d+ .*\[E_CAPTURE_KERNEL_DROPS\]/);
});

test('--max-line truncates and counts; malformed and escaped newlines are counted; --stats writes JSON', async (t) => {
  const dir = tempDir(t);
  const stats = join(dir, 'stats.json');
  const { capture } = await startCapture(['--listen', '127.0.0.1:0', '--out', join(dir, 'c.log'), '--max-line', '64', '--stats', stats]);
  const long = `<134>Nov 24 17:10:49 haproxy[1]: ${'y'.repeat(200)}`;
  await sendAll('udp4', portOf(capture), [long, '<134>Nov 24 17:10:49 haproxy[1]: ok', '<13', 'a\nb', '']);
  const final = await capture.stop();
  assert.deepEqual(readLines(join(dir, 'c.log')), [long.slice(0, 64), '<134>Nov 24 17:10:49 haproxy[1]: ok', '<13', 'a#0Ab', '']);
  const s = JSON.parse(readFileSync(stats, 'utf8'));
  assert.deepEqual(s, JSON.parse(JSON.stringify(final)));
  assert.equal(s.received, 5);
  assert.equal(s.written, 5);
  assert.equal(s.truncated, 1);
  assert.equal(s.malformed, 2, "'<13' and the empty datagram");
  assert.equal(s.newlinesEscaped, 1);
  assert.equal(s.pending, 0);
  assert.equal(s.unwritten, 0);
  assert.equal(s.kernelDropped, 0);
  assert.deepEqual(s.files, [join(dir, 'c.log')]);
  assert.equal(s.listeners[0].type, 'udp4');
  assert.ok(s.listeners[0].rcvbuf > 0);
});
