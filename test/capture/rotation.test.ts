import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { gunzipSync } from 'node:zlib';
import { nextBoundary, rotatedName, utcStamp } from '../../capture/rotate.js';
import { portOf, readLines, sendAll, startCapture, tempDir } from './helpers.js';

test('rotated names: STEM.YYYYMMDDTHHMMSSZ.NNN.EXT, UTC, sortable', () => {
  const at = Date.UTC(2026, 10, 27, 13, 5, 9);
  assert.equal(utcStamp(at), '20261127T130509Z');
  assert.equal(rotatedName('/var/log/lb/capture.log', at, 1), '/var/log/lb/capture.20261127T130509Z.001.log');
  assert.equal(rotatedName('/var/log/lb/access', at, 12), '/var/log/lb/access.20261127T130509Z.012');
  assert.equal(nextBoundary(Date.UTC(2026, 10, 27, 13, 5, 9), 3_600_000), Date.UTC(2026, 10, 27, 14));
  assert.equal(nextBoundary(Date.UTC(2026, 10, 27, 14), 600_000), Date.UTC(2026, 10, 27, 14, 10));
});

const line = (i: number): string => `<134>Nov 24 17:10:49 haproxy[1]: 127.0.0.1:${1000 + i} [24/Nov/2026:17:10:49.931] fe bk/s1 0/0/0/5/5 200 ${i} - - ---- 1/1/0/0/0 0/0 "GET /${i} HTTP/1.1"`;

test('--rotate-size: no file grows past the limit, no line is split, every line is in exactly one file', async (t) => {
  const dir = tempDir(t);
  const limit = 16 * 1024;
  const { capture } = await startCapture(['--listen', '127.0.0.1:0', '--out', join(dir, 'access.log'), '--rotate-size', '16K']);
  const sent = Array.from({ length: 1500 }, (_, i) => line(i));
  await sendAll('udp4', portOf(capture), sent);
  const final = await capture.stop();

  const files = readdirSync(dir).sort();
  const rotated = files.filter((f) => f !== 'access.log');
  assert.ok(rotated.length >= 5, `expected several rotations, got ${files.join(' ')}`);
  for (const f of rotated) assert.match(f, /^access\.\d{8}T\d{6}Z\.\d{3}\.log$/);
  assert.equal(final.rotated, rotated.length);
  // Names sort in the order the files were written, so concatenating them gives the stream back.
  const all: string[] = [];
  for (const f of [...rotated, 'access.log']) {
    assert.ok(statSync(join(dir, f)).size <= limit, `${f} is ${statSync(join(dir, f)).size} bytes`);
    all.push(...readLines(join(dir, f)));
  }
  assert.deepEqual(all, sent);
});

test('--gzip compresses rotated files in the background; the .gz holds exactly the rotated lines', async (t) => {
  const dir = tempDir(t);
  const { capture } = await startCapture(['--listen', '127.0.0.1:0', '--out', `${dir}/`, '--rotate-size', '8K', '--gzip']);
  const sent = Array.from({ length: 300 }, (_, i) => line(i));
  await sendAll('udp4', portOf(capture), sent);
  const final = await capture.stop();
  const files = readdirSync(dir).sort();
  const gz = files.filter((f) => f.endsWith('.gz'));
  assert.ok(gz.length >= 2, files.join(' '));
  assert.deepEqual(files.filter((f) => !f.endsWith('.gz')), ['capture.log'], 'uncompressed rotated files are removed, no .tmp left');
  assert.equal(final.compressed, gz.length);
  const all: string[] = [];
  for (const f of gz) all.push(...gunzipSync(readFileSync(join(dir, f))).toString('latin1').split('\n').slice(0, -1));
  all.push(...readLines(join(dir, 'capture.log')));
  assert.deepEqual(all, sent);
});

test('rotation by time renames at the boundary given, once per file, and skips empty files', async (t) => {
  const dir = tempDir(t);
  const { capture } = await startCapture(['--listen', '127.0.0.1:0', '--out', join(dir, 'tag'), '--split', 'tag', '--rotate-interval', '1h']);
  await sendAll('udp4', portOf(capture), ['<134>Nov 24 17:10:49 a[1]: x', '<134>Nov 24 17:10:49 b[1]: y']);
  await capture.catchUp();
  const boundary = Date.UTC(2026, 10, 27, 14);
  capture.rotate(boundary);
  capture.rotate(boundary); // files are empty now: nothing more to rotate
  await sendAll('udp4', portOf(capture), ['<134>Nov 24 17:10:49 a[1]: z']);
  await capture.stop();
  assert.deepEqual(readdirSync(join(dir, 'tag')).sort(), ['a.20261127T140000Z.001.log', 'a.log', 'b.20261127T140000Z.001.log', 'b.log']);
  assert.deepEqual(readLines(join(dir, 'tag', 'a.20261127T140000Z.001.log')), ['<134>Nov 24 17:10:49 a[1]: x']);
  assert.deepEqual(readLines(join(dir, 'tag', 'a.log')), ['<134>Nov 24 17:10:49 a[1]: z']);
  assert.deepEqual(readLines(join(dir, 'tag', 'b.log')), []);
});

test('--rotate-interval 1s: the timer rotates at whole UTC seconds, named by the boundary', async (t) => {
  const dir = tempDir(t);
  const { capture } = await startCapture(['--listen', '127.0.0.1:0', '--out', `${dir}/`, '--rotate-interval', '1s']);
  await sendAll('udp4', portOf(capture), ['<134>Nov 24 17:10:49 haproxy[1]: before']);
  const rotated = (): string[] => readdirSync(dir).filter((f) => f !== 'capture.log');
  const until = Date.now() + 5000;
  while (rotated().length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  await sendAll('udp4', portOf(capture), ['<134>Nov 24 17:10:49 haproxy[1]: after']);
  await capture.stop();
  // A slow machine may pass another boundary after 'after' was written: allow it, check the stream.
  const names = rotated().sort();
  assert.ok(names.length >= 1, readdirSync(dir).join(' '));
  for (const n of names) assert.match(n, /^capture\.\d{8}T\d{6}Z\.001\.log$/);
  assert.deepEqual(readLines(join(dir, names[0]!)), ['<134>Nov 24 17:10:49 haproxy[1]: before']);
  const all = [...names.flatMap((n) => readLines(join(dir, n))), ...readLines(join(dir, 'capture.log'))];
  assert.deepEqual(all, ['<134>Nov 24 17:10:49 haproxy[1]: before', '<134>Nov 24 17:10:49 haproxy[1]: after']);
});
