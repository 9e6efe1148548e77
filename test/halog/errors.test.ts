import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HalogErrorCode } from '../../halog/read/errors.js';
import { OUR_HALOG, REPO_ROOT } from '../helpers/paths.js';

test('docs/errors.md halog section lists exactly the codes of halog/read/errors.ts', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'errors.md'), 'utf8');
  const start = doc.indexOf('## halog');
  assert.ok(start >= 0, 'a "## halog" section exists');
  const next = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, next < 0 ? undefined : next);
  const documented = [...section.matchAll(/^\| `(E_[A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
  assert.deepEqual(documented, Object.keys(HalogErrorCode).sort());
});

test('bad input: usage errors, unreadable and broken files, unknown options', () => {
  const dir = mkdtempSync(join(tmpdir(), 'halog-errors-'));
  try {
    const run = (args: string[], input = ''): { status: number | null; out: string; err: string } => {
      const r = spawnSync(process.execPath, [OUR_HALOG, ...args], { input, encoding: 'latin1' });
      return { status: r.status, out: r.stdout, err: r.stderr };
    };
    let r = run([]);
    assert.equal(r.status, 1);
    assert.match(r.err, /^No action specified\.\nUsage:/);
    r = run(['-m']);
    assert.equal(r.status, 1);
    assert.match(r.err, /^missing option for -m/);
    r = run(['-hdr', '2']);
    assert.equal(r.status, 1);
    assert.match(r.err, /missing colon in -hdr/);
    r = run(['-c', join(dir, 'nope.log')]);
    assert.equal(r.status, 1);
    assert.equal(r.out, '');
    assert.match(r.err, /^halog: cannot read '.*nope\.log': no such file \(check the path\)\n$/);
    r = run(['-c', dir]);
    assert.equal(r.status, 1);
    assert.match(r.err, /it is a directory/);
    const broken = join(dir, 'broken.log.gz');
    writeFileSync(broken, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3]));
    r = run(['-st', broken]);
    assert.equal(r.status, 1);
    assert.match(r.err, /halog: cannot decompress '.*broken\.log\.gz'/);
    // Unknown options: ignored like halog, one warning, none with -q.
    r = run(['-foo', '-bar', '-c'], 'a\nb\n');
    assert.equal(r.status, 0);
    assert.equal(r.out, '2\n');
    assert.match(r.err, /ignoring unknown options -foo -bar/);
    r = run(['-foo', '-q', '-c'], 'a\nb\n');
    assert.equal(r.err, '');
    // Garbage of any length is counted as parsing errors, never a crash.
    const garbage = Buffer.concat([Buffer.alloc(300_000, 0x41), Buffer.from('\n\x00\xff\n[\n')]);
    const g = spawnSync(process.execPath, [OUR_HALOG, '-st'], { input: garbage, encoding: 'latin1' });
    assert.equal(g.status, 0);
    assert.equal(g.stderr, '3 lines in, 0 lines out, 3 parsing errors\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
