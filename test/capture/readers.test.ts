import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';
import { parseOptions } from '../../capture/options.js';
import { corpusLines, portOf, readLines, sendAll, startCapture, tempDir } from './helpers.js';

// Sent 64 at a time, so that datagrams queue behind each other and the fd reads (busy polling
// on the main thread, reader threads) carry most of them, not Node's 'message' events.
for (const readers of [0, 1, 2]) {
  test(`--readers ${readers}: a fast stream arrives exactly once${readers < 2 ? ', in order' : ''}, odd datagrams included`, async (t) => {
    const corpus = corpusLines();
    if ('skip' in corpus) return t.skip(corpus.skip);
    const dir = tempDir(t);
    const { capture } = await startCapture(['--readers', String(readers), '--listen', '127.0.0.1:0', '--out', join(dir, 'out.log')]);
    const stream = corpus.lines.slice(0, 6000).map((l, i) => `${l} #${i}\n`);
    const odd = ['', 'x'.repeat(65507), 'two\nlines', '\n'];
    await sendAll('udp4', portOf(capture), [...stream.slice(0, 3000), ...odd, ...stream.slice(3000)], 64);
    const final = await capture.stop();

    const expected = [...stream.slice(0, 3000), ...odd, ...stream.slice(3000)].map((d) => (d.endsWith('\n') ? d.slice(0, -1) : d).replace(/\n/g, '#0A'));
    const got = readLines(join(dir, 'out.log'));
    assert.equal(final.kernelDropped, 0, 'loopback at this pace must not overflow the socket buffer');
    assert.equal(final.received, expected.length);
    assert.equal(final.written, expected.length);
    assert.equal(final.malformed, 2, 'the two empty datagrams');
    if (readers < 2) assert.deepEqual(got, expected);
    else assert.deepEqual([...got].sort(), [...expected].sort());
  });
}

test('--readers 1: bursts, pauses (the thread parks, the main thread reads) and bursts again keep every datagram in order', async (t) => {
  const dir = tempDir(t);
  const { capture } = await startCapture(['--readers', '1', '--listen', '127.0.0.1:0', '--out', join(dir, 'out.log')]);
  const port = portOf(capture);
  const sent: string[] = [];
  const burst = async (tag: string): Promise<void> => {
    const b = Array.from({ length: 2000 }, (_, i) => `<134>Nov 24 17:10:49 haproxy[1]: ${tag} ${i}`);
    sent.push(...b);
    await sendAll('udp4', port, b, 64);
  };
  await burst('first');
  await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < 5; i++) {
    const one = `<134>Nov 24 17:10:49 haproxy[1]: quiet ${i}`;
    sent.push(one);
    await sendAll('udp4', port, [one]);
    await new Promise((r) => setTimeout(r, 30));
  }
  await burst('second');
  await capture.catchUp();
  assert.deepEqual(readLines(join(dir, 'out.log')), sent, 'catchUp() hands over what the thread holds');
  const final = await capture.stop();
  assert.equal(final.written, sent.length);
  assert.equal(final.kernelDropped, 0);
});

test('--readers: defaults to one thread, none where lines need the sender; conflicts are refused', () => {
  const config = (args: string[]) => parseOptions(['--listen', '127.0.0.1:514', '--out', 'x.log', ...args], () => false);
  assert.equal(config([]).config!.readers, 1);
  assert.equal(config(['--format', 'rsyslog']).config!.readers, 0);
  assert.equal(config(['--workers', '2']).config!.readers, 0);
  assert.equal(config(['--readers', '0', '--format', 'rsyslog']).config!.readers, 0);
  assert.deepEqual(config(['--readers', '1', '--workers', '2']).problems.map((p) => p.code), ['E_CAPTURE_OPTION_CONFLICT']);
  assert.match(config(['--readers', '2', '--format', 'rsyslog']).problems[0]!.message, /reader threads do not learn each datagram's sender/);
  assert.deepEqual(config(['--readers', '17']).problems.map((p) => p.code), ['E_CAPTURE_OPTION']);
});
