import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../../samples/demo/run-demo.js';
import { requireTool } from '../helpers/real-tools.js';

/**
 * The README's first command, shortened: demo backends, the collector and the proxy on
 * samples/demo.cfg, a few seconds of mixed traffic. Every request the clients completed must
 * be in the captured log exactly once, the collector must count no loss, and the real halog
 * must read the file without a parsing error.
 */
test('e2e: proxy -> UDP -> collector -> halog, every request logged exactly once', async (t) => {
  const halog = requireTool(t, 'halog');
  if (!halog) return;
  const out = mkdtempSync(join(tmpdir(), 'haloscope-e2e-'));
  try {
    const r = await runDemo({ durationS: 4, out, report: false }, () => {});
    const sent = JSON.parse(readFileSync(r.sentFile, 'utf8')) as { rid: number; status: number; role: string }[];
    assert.ok(sent.length > 50, `only ${sent.length} requests were sent`);
    const roles = new Set(sent.map((s) => s.role));
    for (const role of ['browser', 'api', 'scanner', 'bruteforce', 'prober']) assert.ok(roles.has(role), `no ${role} traffic`);
    const log = readFileSync(r.logFile, 'latin1');
    const seen = new Map<number, number>();
    for (const m of log.matchAll(/[?&]rid=(\d+)[ &]/g)) {
      const rid = Number(m[1]);
      seen.set(rid, (seen.get(rid) ?? 0) + 1);
    }
    const answered = sent.filter((s) => s.status > 0);
    assert.ok(answered.length >= sent.length * 0.95, `${sent.length - answered.length} requests got no answer`);
    for (const s of answered) assert.equal(seen.get(s.rid), 1, `request rid=${s.rid} (${s.role}, status ${s.status}) appears ${seen.get(s.rid) ?? 0} times`);
    for (const [rid, n] of seen) assert.equal(n, 1, `rid=${rid} logged ${n} times`);
    assert.match(log, / cR-- /, 'the stalled client should be logged with cR (timeout http-request)');
    const stats = JSON.parse(readFileSync(join(out, 'capture-stats.json'), 'utf8')) as { received: number; written: number; kernelDropped: number; truncated: number };
    assert.equal(stats.kernelDropped, 0);
    assert.equal(stats.written, stats.received);
    assert.equal(stats.received, log.split('\n').length - 1);
    const fd = openSync(r.logFile, 'r');
    const h = spawnSync(halog, ['-s', '0', '-srv'], { stdio: [fd, 'pipe', 'pipe'] });
    closeSync(fd);
    assert.match(h.stderr.toString(), /lines in, \d+ lines out, 0 parsing errors/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
