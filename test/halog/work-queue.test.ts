import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LineAssembler, readRange } from '../../halog/read/chunks.js';
import { closeSources, openSources } from '../../halog/read/sources.js';
import { LineNumbering, WorkQueue, drainQueue, planChunks, type ChunkLines } from '../../halog/read/work-queue.js';

/**
 * Several readers claiming chunks from one queue must read every line exactly once, whole, and
 * number it as a single reader would: checked with chunks far smaller than the lines (and a
 * line longer than the 64 KiB probe) so that chunk bounds fall everywhere, and with readers
 * taking turns in an uneven order, as threads on a busy machine do.
 */
function lines(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 400; i++) out.push(`line ${i} ${'x'.repeat((i * 37) % 90)}`);
  out.splice(123, 0, '', '', 'y'.repeat(70_000));
  return out;
}

for (const terminated of [true, false]) {
  test(`work queue: every line once, in input numbering (${terminated ? 'last line ends in a newline' : 'unterminated last line'})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'haloscope-wq-'));
    try {
      const want = lines();
      const file = join(dir, 'in.log');
      writeFileSync(file, want.join('\n') + (terminated ? '\n' : ''));
      const sources = openSources([file, file]);
      for (const chunkBytes of [1, 7, 100, 4096, 1 << 20]) {
        const chunks = planChunks(sources, 3, chunkBytes);
        const queue = new WorkQueue(0);
        const readers = [0, 1, 2].map(() => ({ seen: [] as { line: number; text: string }[], lineNum: 0, done: [] as ChunkLines[] }));
        const asms = readers.map(
          (r) =>
            new LineAssembler((buf, end) => {
              let p = 0;
              while (p < end) {
                let nl = buf.indexOf(0x0a, p);
                if (nl < 0 || nl > end) nl = end;
                r.seen.push({ line: ++r.lineNum, text: buf.toString('latin1', p, nl) });
                p = nl + 1;
              }
              return true;
            }),
        );
        // Readers take one claim each in a fixed uneven rota (0, 0, 1, 2, 0, 2, ...) until the queue is empty.
        const rota = [0, 0, 1, 2, 0, 2, 1, 1];
        for (let turn = 0; ; turn++) {
          const k = rota[turn % rota.length]!;
          const r = readers[k]!;
          const one = new WorkQueue(0, queue.shared);
          let claimed = false;
          const got = drainQueue(
            { claim: () => (claimed ? chunks.length : ((claimed = true), one.claim())) } as WorkQueue,
            chunks,
            sources,
            () => r.lineNum,
            (s, start, end) => readRange(s, start, end, asms[k]!),
          );
          r.done.push(...got);
          if (got.length === 0) break;
        }
        const numbering = new LineNumbering(chunks.length, readers.map((r) => r.done));
        const all = readers.flatMap((r) => r.seen.map((s) => ({ line: numbering.globalLine(r.done, s.line), text: s.text })));
        all.sort((a, b) => a.line - b.line);
        const expected = [...want, ...want].map((text, i) => ({ line: i + 1, text }));
        assert.deepEqual(all, expected, `chunks of ${chunkBytes} bytes`);
      }
      closeSources(sources);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('work queue: a worker that has not entered can be cancelled, one that has cannot', () => {
  const q = new WorkQueue(2);
  assert.equal(q.enter(0), true);
  assert.equal(q.cancel(0), false);
  assert.equal(q.cancel(1), true);
  assert.equal(q.enter(1), false);
});
