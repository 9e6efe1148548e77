/**
 * Detection on several threads with one reading thread (dispatch.ts): the judges get their
 * clients' lines by offset and read the bytes again themselves, so the report (suspects,
 * evidence, stats) must be that of one thread exactly. Cases that move those offsets: two
 * files (the second's offsets restart at 0), CRLF line ends, buffers of many short lines (more
 * lines for one judge than a slot lists), and lines longer than a read buffer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLogBuffer } from '../../samples/generate-log.js';
import { detectSources } from '../../halog/detect/cli.js';
import { canDispatch } from '../../halog/detect/dispatch.js';
import type { Detector } from '../../halog/detect/detector.js';
import { suspects } from '../../halog/detect/verdict.js';
import { openSources } from '../../halog/read/sources.js';

function withFiles(files: Record<string, Buffer>, use: (paths: string[]) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'haloscope-detect-dispatch-'));
  const paths = Object.entries(files).map(([name, buf]) => {
    writeFileSync(join(dir, name), buf);
    return join(dir, name);
  });
  return use(paths).finally(() => rmSync(dir, { recursive: true, force: true }));
}

function report(d: Detector): unknown {
  return { suspects: suspects(d), stats: d.stats, clients: d.clientCount };
}

async function detect(paths: string[], threads: number): Promise<Detector> {
  return detectSources(openSources(paths), {}, threads, 0);
}

test('dispatch: 2 and 3 threads give the report of 1 (two files, the second CRLF), evidence included', async () => {
  const a = generateLogBuffer({ seed: 31, lines: 30_000, malformedRate: 0.01, tcpRate: 0.01 });
  const b = Buffer.from(generateLogBuffer({ seed: 32, lines: 12_000, malformedRate: 0.01 }).toString('latin1').replaceAll('\n', '\r\n'), 'latin1');
  assert.ok(a.length > 2 * (4 << 20), `${a.length} bytes: several read buffers`);
  await withFiles({ 'a.log': a, 'b.log': b }, async (paths) => {
    assert.ok(canDispatch(openSources(paths), {}));
    const one = report(await detect(paths, 1));
    assert.ok((one as { suspects: unknown[] }).suspects.length >= 5);
    for (const threads of [2, 3]) assert.deepEqual(report(await detect(paths, threads)), one, `${threads} threads`);
  });
});

test('dispatch: buffers with more lines for one thread than a slot lists, and lines longer than a read buffer', async () => {
  // 40-byte lines whose client is found (so they are shared out) but that are not traffic:
  // ~100k lines per 4 MiB buffer, more than one slot's 32768 for any thread.
  const short: string[] = [];
  for (let i = 0; i < 250_000; i++) short.push(`10.${(i >> 8) & 255}.${i & 255}.1:1 [24/Nov/2026:17:00:00.000] x`);
  // Traffic lines of 5 MB, from clients that land on every thread (each longer than a read).
  const long: string[] = [];
  for (let i = 0; i < 6; i++) {
    long.push(`<134>Nov 24 17:01:0${i} haproxy[1]: 198.51.100.${i + 1}:4000 [24/Nov/2026:17:01:0${i}.000] fe bk/s1 0/0/0/1/1 404 10 - - ---- 1/1/1/1/0 0/0 "GET /${'a'.repeat(5 << 20)}.php HTTP/1.1"`);
  }
  const traffic = generateLogBuffer({ seed: 33, lines: 8_000, malformedRate: 0.01 }).toString('latin1');
  const log = Buffer.from(`${short.join('\n')}\n${traffic}${long.join('\n')}\n${traffic}`, 'latin1');
  await withFiles({ 'short-and-long.log': log }, async (paths) => {
    const one = await detect(paths, 1);
    assert.equal(one.stats.invalid >= 250_000, true, `${one.stats.invalid} invalid lines`);
    assert.equal(one.clients.get('198.51.100.1')?.total, 1);
    const want = report(one);
    for (const threads of [2, 3]) assert.deepEqual(report(await detect(paths, threads)), want, `${threads} threads`);
  });
});

test('dispatch: stdin-like and gzip inputs are not dispatched (they take the record reader)', () => {
  assert.equal(canDispatch([{ name: 'stdin', fd: 0, seekable: false, size: -1, gzip: false }], {}), false);
  assert.equal(canDispatch([{ name: 'a.gz', fd: 0, seekable: false, size: 10, gzip: true }], {}), false);
  assert.equal(canDispatch([{ name: 'a.log', fd: 0, seekable: true, size: 10, gzip: false }], { by: 'xff' }), false);
});

test('dispatch: a failure ends the run with its error instead of leaving threads waiting on each other', async () => {
  const buf = generateLogBuffer({ seed: 34, lines: 2_000 });
  await withFiles({ 'a.log': buf }, async (paths) => {
    // Unvalidated options make every thread's Detector throw (the CLI validates them first).
    await assert.rejects(detectSources(openSources(paths), { exclude: ['not-a-cidr'] }, 2, 0), /unvalidated CIDR/);
  });
});
