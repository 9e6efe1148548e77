import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS, OUR_HALOG, corpusPresent } from '../helpers/paths.js';

/**
 * Replays every halog invocation recorded on the shared corpus (real HAProxy 2.6 logs and
 * the real halog 2.6 outputs) and requires byte-identical stdout, the same exit code and,
 * for successful runs, the same stderr.
 */
interface Recorded {
  name: string;
  args: string[];
  exit: number;
}

function recorded(): Recorded[] {
  const index = readFileSync(join(CORPUS, 'halog', 'INDEX.tsv'), 'latin1').trim().split('\n').slice(1);
  return index.map((row) => {
    const [name, command, exit] = row.split('\t') as [string, string, string];
    const args = command.replace(/^halog\s*/, '').replace(/\s*<\s*access\.log$/, '').split(/\s+/).filter(Boolean);
    return { name, args, exit: Number(exit) };
  });
}

test('corpus: every recorded halog run gives identical output', (t) => {
  if (!corpusPresent()) throw new Error(`shared corpus not found at ${CORPUS}`);
  const runs = recorded();
  assert.ok(runs.length >= 70, `expected the full index, got ${runs.length} runs`);
  let identical = 0;
  for (const r of runs) {
    const fd = openSync(join(CORPUS, 'access.log'), 'r');
    const res = spawnSync(process.execPath, [OUR_HALOG, ...r.args], {
      stdio: [fd, 'pipe', 'pipe'],
      env: { ...process.env, TZ: 'UTC' },
      maxBuffer: 64 << 20,
    });
    closeSync(fd);
    const wantOut = readFileSync(join(CORPUS, 'halog', `${r.name}.txt`));
    const wantErr = readFileSync(join(CORPUS, 'halog', `${r.name}.err`), 'latin1');
    assert.equal(res.status, r.exit, `${r.name}: exit code; stderr: ${res.stderr.toString("latin1").slice(0, 500)}`);
    assert.ok(Buffer.compare(res.stdout, wantOut) === 0, `${r.name}: stdout differs from real halog (halog ${r.args.join(' ')})`);
    if (r.exit === 0) assert.equal(res.stderr.toString('latin1'), wantErr, `${r.name}: stderr`);
    else assert.match(res.stderr.toString('latin1'), /No action specified/, `${r.name}: usage error`);
    identical++;
  }
  t.diagnostic(`${identical}/${runs.length} recorded halog runs identical`);
});
