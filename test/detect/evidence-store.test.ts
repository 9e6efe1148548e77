import assert from 'node:assert/strict';
import test from 'node:test';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvidenceStore } from '../../halog/detect/evidence.js';
import { randomInts } from '../helpers/random.js';

/**
 * EvidenceStore against a Map of string arrays, through growth, dropped lists and the
 * compactions they cause (holes over 1 MiB and over half the arena), with lines pushed as
 * bytes, as strings (latin1, bytes above 0x7f included) and as offsets in two files (read back
 * when listed; the files are written as the test goes, with other bytes around each line).
 */
test('evidence store: the same lines as a Map of arrays through growth, drops and compaction', (t) => {
  const ev = new EvidenceStore();
  const dir = mkdtempSync(join(tmpdir(), 'haloscope-evidence-'));
  const files = [0, 1].map((i) => ({ name: join(dir, `f${i}.log`), fd: openSync(join(dir, `f${i}.log`), 'w+'), size: 0 }));
  // Removed even when an assertion fails.
  t.after(() => {
    for (const f of files) closeSync(f.fd);
    rmSync(dir, { recursive: true, force: true });
  });
  const ref = new Map<number, string[]>();
  const rand = randomInts(4242);
  const line = (): string => {
    let s = '';
    const n = 1 + rand(600);
    for (let i = 0; i < n; i++) s += String.fromCharCode(rand(5) === 0 ? 0x80 + rand(128) : 0x20 + rand(95));
    return s;
  };
  const check = (): void => {
    for (const [k, lines] of ref) {
      assert.deepEqual(ev.lines(k), lines, `list ${k}`);
      assert.equal(ev.length(k), lines.length);
    }
    assert.equal(ev.size, ref.size);
  };
  for (let round = 0; round < 12; round++) {
    for (let i = 0; i < 3000; i++) {
      const k = rand(4000);
      const s = line();
      const list = ref.get(k) ?? [];
      ref.set(k, list);
      list.push(s);
      const how = rand(4);
      let n: number;
      if (how === 0) n = ev.pushString(k, s);
      else if (how === 1) n = ev.push(k, Buffer.from(`xx${s}yy`, 'latin1'), 2, 2 + s.length);
      else {
        const f = files[how - 2]!;
        f.size += writeSync(f.fd, Buffer.from(`x\n${s}\ny`, 'latin1'), 0, s.length + 4, f.size);
        n = ev.pushAt(k, f, f.size - s.length - 2, s.length);
      }
      assert.equal(n, list.length);
    }
    check();
    for (const k of [...ref.keys()]) {
      if (rand(4) === 0) continue;
      ev.delete(k);
      ref.delete(k);
    }
    ev.delete(-1); // absent: no change
    check();
  }
  assert.deepEqual(ev.lines(123456), []);
});
