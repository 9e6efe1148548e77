import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUR_HALOG, REPO_ROOT } from '../helpers/paths.js';
import { requireTool } from '../helpers/real-tools.js';

/**
 * docs/halog.md shows commands run on samples/example.log with their output. Each shown
 * output must be what our halog prints, and what the real halog prints, so the guide
 * cannot drift from the tool. Blocks followed by a `...` block show only the first rows.
 */
interface Example {
  args: string[];
  expected: string[];
  prefixOnly: boolean;
}

function examples(): Example[] {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'halog.md'), 'utf8');
  const blocks = [...doc.matchAll(/```\n\$ halog ([^\n]*) < samples\/example\.log\n([\s\S]*?)```(\n```\n\.\.\.)?/g)];
  return blocks.map((m) => ({
    args: m[1]!.split(' ').filter(Boolean),
    expected: m[2]!.split('\n').slice(0, -1),
    prefixOnly: m[3] !== undefined,
  }));
}

function stdoutOf(cmd: string[]): string[] {
  const fd = openSync(join(REPO_ROOT, 'samples', 'example.log'), 'r');
  try {
    const r = spawnSync(cmd[0]!, cmd.slice(1), { stdio: [fd, 'pipe', 'pipe'], env: { ...process.env, TZ: 'UTC' } });
    return r.stdout.toString('latin1').split('\n').slice(0, -1);
  } finally {
    closeSync(fd);
  }
}

test('docs/halog.md: every example shows what both halogs print', (t) => {
  const list = examples();
  assert.ok(list.length >= 15, `expected the guide's examples, found ${list.length}`);
  const real = requireTool(t, 'halog');
  for (const ex of list) {
    const label = `halog ${ex.args.join(' ')}`;
    const ours = stdoutOf([process.execPath, OUR_HALOG, ...ex.args]);
    const shown = ex.prefixOnly ? ours.slice(0, ex.expected.length) : ours;
    assert.deepEqual(shown, ex.expected, `${label}: docs/halog.md shows other output than ours`);
    if (real) assert.deepEqual(stdoutOf([real, ...ex.args]), ours, `${label}: ours differs from the real halog`);
  }
});
