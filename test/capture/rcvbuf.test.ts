import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { parseOptions } from '../../capture/options.js';
import { raiseRmemMax } from '../../capture/receiver.js';
import { tempDir } from './helpers.js';

// A file stands for /proc/sys/net/core/rmem_max: a test must not change the machine's settings.
test('--raise-rmem-max raises a lower net.core.rmem_max to the buffer asked, never lowers it, and says why it could not', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'rmem_max');
  writeFileSync(path, '212992\n');
  assert.deepEqual(raiseRmemMax(33554432, path), { raised: true, before: 212992, error: null });
  assert.equal(readFileSync(path, 'latin1'), '33554432\n');
  assert.deepEqual(raiseRmemMax(1 << 20, path), { raised: false, before: 33554432, error: null });
  assert.equal(readFileSync(path, 'latin1'), '33554432\n');
  assert.match(raiseRmemMax(1 << 20, join(dir, 'missing')).error!, /cannot be read/);
  if (process.getuid?.() !== 0) {
    chmodSync(path, 0o444);
    assert.match(raiseRmemMax(1 << 30, path).error!, /EACCES \(needs root/);
  }
});

test('--raise-rmem-max is off unless given', () => {
  const parse = (args: string[]) => parseOptions(['--listen', '127.0.0.1:514', '--out', 'x.log', ...args], () => false).config!;
  assert.equal(parse([]).raiseRmemMax, false);
  assert.equal(parse(['--raise-rmem-max']).raiseRmemMax, true);
});
