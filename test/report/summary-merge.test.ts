import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS } from '../helpers/paths.js';
import { haloscope } from './run-report.js';

const ONE = { HALOG_THREADS: '1' };

test('merge: summaries of three parts of a log give the same reports as one run over the whole log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'h6-merge-'));
  try {
    const lines = readFileSync(join(CORPUS, 'access.log'), 'latin1').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    // Uneven parts, cut by line, as if from three load balancers.
    const cuts = [0, 1000, 5200, lines.length];
    const whole = join(dir, 'whole.log');
    writeFileSync(whole, lines.join('\n') + '\n', 'latin1');
    const summaries: string[] = [];
    for (let i = 0; i < 3; i++) {
      const part = join(dir, `lb${i}.log`);
      writeFileSync(part, lines.slice(cuts[i], cuts[i + 1]).join('\n') + '\n', 'latin1');
      const s = join(dir, `lb${i}.summary.json`);
      const r = haloscope(['report', 'urls', '--summary', s, '--interval', '30s', part], ONE);
      assert.equal(r.status, 0, r.err);
      assert.equal(r.out, '', 'with --summary and no format flag, stdout stays empty');
      summaries.push(s);
    }
    const doc = JSON.parse(readFileSync(summaries[1]!, 'utf8'));
    assert.equal(doc.format, 'haloscope-summary');
    assert.equal(doc.version, 1);
    assert.deepEqual(doc.options.kinds, ['urls', 'timeline', 'clients', 'status', 'termination', 'servers', 'total']);
    const encoded = JSON.stringify(doc).match(/"hdr":"([^"]+)"/);
    assert.ok(encoded && encoded[1]!.startsWith('HISTF'), 'histograms are HdrHistogram V2 compressed base64');
    for (const [kind, extra] of [['urls', []], ['timeline', []], ['clients', ['--sort', 'Ta.p99']], ['status', []], ['servers', ['--timers', 'Tr,Ta']]] as const) {
      const ref = haloscope(['report', kind, '--json', '-q', '--interval', '30s', ...extra, whole], ONE);
      const merged = haloscope(['merge', '--kind', kind, '--json', '-q', ...extra, ...summaries]);
      assert.equal(merged.status, 0, merged.err);
      assert.equal(merged.out, ref.out, `${kind}: merged summaries = one run over the whole log`);
    }
    const text = haloscope(['merge', '--text', '--top', '5', '-q', ...summaries]);
    assert.equal(text.out, haloscope(['report', 'urls', '--text', '--top', '5', '-q', whole]).out, 'first kind, text');
    // A merge of merges is still the same.
    const ab = join(dir, 'ab.json');
    assert.equal(haloscope(['merge', '--summary', ab, summaries[0]!, summaries[1]!]).status, 0);
    assert.equal(haloscope(['merge', '--json', '-q', ab, summaries[2]!]).out, haloscope(['report', 'urls', '--json', '-q', '--interval', '30s', whole]).out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('merge: summaries made with other options, or files that are not summaries, are refused with a reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'h6-merge-bad-'));
  try {
    const log = join(CORPUS, 'access.log');
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    haloscope(['report', 'urls', '--summary', a, log]);
    haloscope(['report', 'urls', '--summary', b, '--interval', '5m', log]);
    const r = haloscope(['merge', a, b]);
    assert.equal(r.status, 1);
    assert.match(r.err, /intervalMs 300000.*60000.*same report options/);
    const bad = haloscope(['merge', log]);
    assert.equal(bad.status, 1);
    assert.match(bad.err, /cannot read summary|not a haloscope summary/);
    writeFileSync(b, JSON.stringify({ ...JSON.parse(readFileSync(a, 'utf8')), version: 99 }));
    assert.match(haloscope(['merge', a, b]).err, /version 99; this haloscope reads version 1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('merge: a damaged summary (series counts that do not add up, values that are not timers) is refused with its file name, not a crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'h6-merge-damaged-'));
  try {
    const a = join(dir, 'a.json');
    haloscope(['report', 'urls', '--summary', a, join(CORPUS, 'access.log')]);
    const doc = JSON.parse(readFileSync(a, 'utf8')) as { aggregate: { tables: { rows: { l: ({ n: number; raw?: number[]; hdr?: string } | null)[] }[] }[] } };
    /** Writes a copy of the summary with the first series that has `form` changed by `change`. */
    let made = 0;
    const damaged = (form: 'raw' | 'hdr', change: (s: { n: number; raw?: number[]; hdr?: string }) => void): string => {
      const copy = structuredClone(doc);
      const series = copy.aggregate.tables.flatMap((t) => t.rows.flatMap((r) => r.l)).find((s) => s !== null && s[form] !== undefined);
      assert.ok(series, `the corpus summary has a ${form} series`);
      change(series);
      const path = join(dir, `damaged-${++made}-${form}.json`);
      writeFileSync(path, JSON.stringify(copy));
      return path;
    };
    const cases: [string, RegExp][] = [
      [damaged('raw', (s) => s.n++), /series has n \d+ but \d+ raw values/],
      [damaged('raw', (s) => delete s.raw), /series has n \d+ but its histogram counts 0 values/],
      [damaged('hdr', (s) => (s.n += 5)), /series has n \d+ but its histogram counts \d+ values/],
      [damaged('raw', (s) => (s.raw![0] = -5)), /latency value -5 is not a timer in ms/],
    ];
    for (const [path, why] of cases) {
      const r = haloscope(['merge', path]);
      assert.equal(r.status, 1, r.err);
      assert.match(r.err, new RegExp(`'${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' is damaged: `));
      assert.match(r.err, why);
      assert.doesNotMatch(r.err, /at .*\.js:\d+/, 'no stack trace');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
