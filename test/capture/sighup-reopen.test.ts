import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { readLines, sendAll, spawnCli, tempDir, waitFor } from './helpers.js';

test('SIGHUP reopens the output file after logrotate renamed it; nothing is lost or duplicated', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'haproxy.log');
  const pidFile = join(dir, 'capture.pid');
  const cli = await spawnCli(['--listen', '127.0.0.1:0', '--out', out, '--pid-file', pidFile]);
  t.after(() => void cli.stop('SIGKILL'));
  const pid = Number(readFileSync(pidFile, 'utf8'));
  assert.equal(pid, cli.child.pid);
  const first = Array.from({ length: 200 }, (_, i) => `<134>Nov 24 17:10:49 haproxy[1]: before ${i}`);
  const second = Array.from({ length: 200 }, (_, i) => `<134>Nov 24 17:10:49 haproxy[1]: after ${i}`);

  await sendAll('udp4', cli.ports.udp4!, first);
  await waitFor(() => readLines(out).length === first.length, 'the first lines to be written');
  renameSync(out, `${out}.1`); // what logrotate does (create mode) before its postrotate HUP
  process.kill(pid, 'SIGHUP'); // as logrotate's postrotate: kill -HUP $(cat capture.pid)
  await waitFor(() => cli.stderr().includes('reopened 1 file(s) on SIGHUP'), 'the reopen message');
  await sendAll('udp4', cli.ports.udp4!, second);
  const code = await cli.stop('SIGTERM');

  assert.equal(code, 0, cli.stderr());
  assert.equal(existsSync(pidFile), false, 'the pid file is removed at exit');
  assert.deepEqual(readLines(`${out}.1`), first);
  assert.deepEqual(readLines(out), second);
  assert.match(cli.stderr(), /stopped on SIGTERM: received=400 written=400 pending=0 unwritten=0 /);
});

test('SIGUSR1 prints the counters and the process keeps running', async (t) => {
  const dir = tempDir(t);
  const cli = await spawnCli(['--listen', '127.0.0.1:0', '--out', join(dir, 'x.log'), '--max-line', '40']);
  t.after(() => void cli.stop('SIGKILL'));
  await sendAll('udp4', cli.ports.udp4!, ['<134>Nov 24 17:10:49 haproxy[1]: short', `<134>Nov 24 17:10:49 haproxy[1]: ${'x'.repeat(100)}`, '<1x>bad']);
  await waitFor(() => readLines(join(dir, 'x.log')).length === 3, 'lines written');
  cli.child.kill('SIGUSR1');
  await waitFor(() => /received=3 written=3 pending=0 unwritten=0 truncated=1 malformed=1 kernel-dropped=0/.test(cli.stderr()), 'the counters line');
  assert.equal(cli.child.exitCode, null);
  assert.equal(await cli.stop('SIGINT'), 0);
  assert.match(cli.stderr(), /stopped on SIGINT: received=3 /);
});
