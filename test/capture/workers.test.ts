import assert from 'node:assert/strict';
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { corpusLines, readLines, sendAll, spawnCli, tempDir, waitFor } from './helpers.js';

test('--workers 2: worker processes share the sockets; every datagram appears exactly once; counters, SIGHUP and drops work', async (t) => {
  const corpus = corpusLines();
  if ('skip' in corpus) return t.skip(corpus.skip);
  const dir = tempDir(t);
  const out = join(dir, 'capture.log');
  const stats = join(dir, 'stats.json');
  const cli = await spawnCli(['--workers', '2', '--listen', '127.0.0.1:0', '--listen', '[::1]:0', '--out', out, '--stats', stats]);
  t.after(() => void cli.stop('SIGKILL'));
  const v4 = corpus.lines.slice(0, 3000).map((l, i) => `${l} #v4-${i}\n`);
  const v6 = corpus.lines.slice(3000, 4000).map((l, i) => `${l} #v6-${i}\n`);
  await Promise.all([sendAll('udp4', cli.ports.udp4!, v4), sendAll('udp6', cli.ports.udp6!, v6)]);
  await waitFor(() => readLines(out).length === v4.length + v6.length, 'all lines written');
  renameSync(out, `${out}.1`);
  cli.child.kill('SIGHUP');
  await waitFor(() => cli.stderr().includes('reopened 1 file(s) on SIGHUP'), 'the reopen message');
  const after = ['<134>Nov 24 17:10:49 haproxy[1]: after the reopen'];
  await sendAll('udp4', cli.ports.udp4!, after);
  assert.equal(await cli.stop('SIGTERM'), 0, cli.stderr());

  const got = readLines(`${out}.1`);
  const sent = [...v4, ...v6].map((d) => d.slice(0, -1));
  assert.deepEqual([...got].sort(), [...sent].sort(), 'the same lines, each once (order may interleave by batch)');
  assert.deepEqual(readLines(out), after);
  const s = JSON.parse(readFileSync(stats, 'utf8'));
  assert.equal(s.received, sent.length + 1);
  assert.equal(s.written, sent.length + 1);
  assert.equal(s.kernelDropped, 0);
  assert.deepEqual(s.listeners.map((l: { type: string; kernelDropped: number | null }) => [l.type, l.kernelDropped]), [['udp4', 0], ['udp6', 0]]);
  assert.match(cli.stderr(), /stopped on SIGTERM: received=4001 written=4001 pending=0 unwritten=0 /);
});
