import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import test from 'node:test';
import { CLI, readLines, sendAll, spawnCli, tempDir, waitFor } from './helpers.js';

test('an output directory that cannot be created: clear error, keeps receiving, counts unwritten, exit 3', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'file'), 'not a directory\n');
  const out = join(dir, 'file', 'logs', 'capture.log');
  const stats = join(dir, 'stats.json');
  const cli = await spawnCli(['--listen', '127.0.0.1:0', '--out', out, '--stats', stats]);
  t.after(() => void cli.stop('SIGKILL'));
  await sendAll('udp4', cli.ports.udp4!, Array.from({ length: 50 }, (_, i) => `<134>Nov 24 17:10:49 haproxy[1]: ${i}`));
  await waitFor(() => cli.stderr().includes('E_CAPTURE_OPEN'), 'the open error');
  assert.match(cli.stderr(), new RegExp(`cannot open ${out.replace(/[/.]/g, '\\$&')} for appending: ENOTDIR`));
  assert.equal(cli.child.exitCode, null, 'still running');
  const code = await cli.stop();
  assert.equal(code, 3);
  const s = JSON.parse(readFileSync(stats, 'utf8'));
  assert.equal(s.received, 50);
  assert.equal(s.written, 0);
  assert.equal(s.unwritten, 50);
  assert.equal(s.pending, 0);
});

test('a full disk (/dev/full): E_CAPTURE_WRITE once, throttled, lines counted as unwritten, no crash', async (t) => {
  if (!existsSync('/dev/full')) return t.skip('no /dev/full on this system');
  const dir = tempDir(t);
  const stats = join(dir, 'stats.json');
  const cli = await spawnCli(['--listen', '127.0.0.1:0', '--out', '/dev/full', '--stats', stats]);
  t.after(() => void cli.stop('SIGKILL'));
  for (let round = 0; round < 3; round++) {
    await sendAll('udp4', cli.ports.udp4!, Array.from({ length: 100 }, (_, i) => `<134>Nov 24 17:10:49 haproxy[1]: ${round}/${i}`));
  }
  await waitFor(() => cli.stderr().includes('E_CAPTURE_WRITE'), 'the write error');
  assert.match(cli.stderr(), /cannot write to \/dev\/full: ENOSPC/);
  const code = await cli.stop();
  assert.equal(code, 3);
  assert.equal(cli.stderr().split('E_CAPTURE_WRITE').length - 1, 1, 'reported once per 10 s, not per batch');
  const s = JSON.parse(readFileSync(stats, 'utf8'));
  assert.equal(s.received, 300);
  assert.equal(s.unwritten, 300);
  assert.equal(s.written, 0);
});

test('a write cut short (EFBIG past ulimit -f) leaves the existing file intact and ending with a complete line', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'existing.log');
  const stats = join(dir, 'stats.json');
  const existing = ['<134>Nov 24 17:10:49 haproxy[1]: written before capture started', '<134>Nov 24 17:10:49 haproxy[1]: second old line'];
  writeFileSync(out, existing.map((l) => `${l}\n`).join(''));
  const cli = await spawnCli(['--listen', '127.0.0.1:0', '--out', out, '--stats', stats], { fileSizeLimitKiB: 8 });
  t.after(() => void cli.stop('SIGKILL'));
  const line = (i: number): string => `<134>Nov 24 17:10:49 haproxy[1]: ${String(i).padStart(4, '0')} ${'z'.repeat(90)}`;
  const first = Array.from({ length: 20 }, (_, i) => line(i));
  await sendAll('udp4', cli.ports.udp4!, first);
  await waitFor(() => readLines(out).length === existing.length + first.length, 'the first lines');
  const more = Array.from({ length: 100 }, (_, i) => line(100 + i)); // ~12 KB: crosses the 8 KiB limit
  await sendAll('udp4', cli.ports.udp4!, more, 100);
  await waitFor(() => cli.stderr().includes('E_CAPTURE_WRITE'), 'the write error');
  assert.match(cli.stderr(), /cannot write to .*existing\.log: EFBIG/);
  assert.equal(await cli.stop(), 3);

  const text = readFileSync(out, 'latin1');
  assert.ok(statSync(out).size <= 8192);
  assert.ok(text.endsWith('\n'), 'ends with a complete line');
  const lines = readLines(out);
  assert.deepEqual(lines.slice(0, 2), existing, 'what was there is untouched');
  const sent = new Set([...first, ...more]);
  for (const l of lines.slice(2)) assert.ok(sent.has(l), `a whole line that was sent: ${l.slice(0, 60)}`);
  const s = JSON.parse(readFileSync(stats, 'utf8'));
  assert.equal(s.received, first.length + more.length);
  assert.equal(s.written, lines.length - existing.length);
  assert.ok(s.unwritten > 0);
  assert.equal(s.written + s.unwritten, s.received);
});

test('--split onto an existing file stops at start (exit 2); a --stats file in a missing directory gets the directory', async (t) => {
  const dir = tempDir(t);
  const taken = join(dir, 'taken.log');
  writeFileSync(taken, 'a file\n');
  const refused = spawnSync(process.execPath, [CLI, 'capture', '--listen', '127.0.0.1:0', '--out', taken, '--split', 'tag'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /is an existing file, but --split tag writes one file per tag into a directory.*E_CAPTURE_OPTION_CONFLICT/);
  const stats = join(dir, 'not', 'yet', 'stats.json');
  const cli = await spawnCli(['--listen', '127.0.0.1:0', '--out', join(dir, 'c.log'), '--stats', stats]);
  t.after(() => void cli.stop('SIGKILL'));
  await sendAll('udp4', cli.ports.udp4!, Array.from({ length: 5 }, (_, i) => `<134>Nov 24 17:10:49 haproxy[1]: ${i}`));
  await waitFor(() => readLines(join(dir, 'c.log')).length === 5, 'the lines');
  assert.equal(await cli.stop(), 0);
  assert.doesNotMatch(cli.stderr(), /E_CAPTURE_STATS/);
  assert.equal(JSON.parse(readFileSync(stats, 'utf8')).written, 5);
});
