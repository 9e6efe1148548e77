import assert from 'node:assert/strict';
import { readFileSync, readdirSync, renameSync } from 'node:fs';
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
  // In slices, each written before the next is sent: a collector in another process may be
  // descheduled on a loaded machine, and this test is about sharing sockets, not about loss.
  let sentSoFar = 0;
  for (let i = 0; i < 3000; i += 250) {
    await Promise.all([sendAll('udp4', cli.ports.udp4!, v4.slice(i, i + 250)), sendAll('udp6', cli.ports.udp6!, v6.slice(i / 3, (i + 250) / 3))]);
    sentSoFar += v4.slice(i, i + 250).length + v6.slice(i / 3, (i + 250) / 3).length;
    await waitFor(() => readLines(out).length === sentSoFar, `${sentSoFar} lines written`);
  }
  assert.equal(sentSoFar, v4.length + v6.length);
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

/** Child processes of `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return Number(readFileSync(`/proc/${d}/stat`, 'latin1').replace(/^.*\) /s, '').split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

test('--workers: a worker killed with SIGKILL is reported and restarted; capture keeps every later datagram', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'capture.log');
  const cli = await spawnCli(['--workers', '2', '--listen', '127.0.0.1:0', '--out', out]);
  t.after(() => void cli.stop('SIGKILL'));
  const workers = childrenOf(cli.child.pid!);
  assert.equal(workers.length, 2, 'two worker processes');
  process.kill(workers[0]!, 'SIGKILL');
  await waitFor(() => /worker \d \(pid \d+\) exited unexpectedly \(SIGKILL\); restarting it in 1 s \[E_CAPTURE_WORKER\]/.test(cli.stderr()), 'the report');
  await waitFor(() => /worker \d restarted \(pid \d+\), reading again/.test(cli.stderr()), 'the restarted worker');
  assert.equal(childrenOf(cli.child.pid!).filter((p) => p !== workers[0]).length, 2);
  const sent = Array.from({ length: 500 }, (_, i) => `<134>Nov 24 17:10:49 haproxy[1]: after restart ${i}`);
  await sendAll('udp4', cli.ports.udp4!, sent);
  assert.equal(await cli.stop(), 0, cli.stderr());
  assert.deepEqual(readLines(out).sort(), sent.sort());
});
