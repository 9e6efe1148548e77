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
