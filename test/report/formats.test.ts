import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS } from '../helpers/paths.js';
import { haloscope, type JsonReport } from './run-report.js';

const LOG = join(CORPUS, 'access.log');

/** Python's csv module, a real RFC 4180 reader (strict mode: malformed quoting is an error). */
function pythonCsv(text: string): string[][] | null {
  const py = spawnSync('python3', ['-c', 'import csv,io,sys,json; json.dump(list(csv.reader(io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", newline=""), strict=True)), sys.stdout)'], { input: text, encoding: 'utf8' });
  if (py.error || py.status !== 0) {
    if (py.error) return null;
    throw new Error(`python csv rejected the file: ${py.stderr}`);
  }
  return JSON.parse(py.stdout) as string[][];
}

const cellText = (v: string | number | null): string => (v === null ? '' : String(v));

test('report --csv: RFC 4180 (CRLF, header, quoting) and every row equal to --json, read back by a real CSV parser', (t) => {
  // header:1:2 = User-Agent captures: commas, quotes (#22 escapes), spaces, semicolons, parentheses.
  const dir = mkdtempSync(join(tmpdir(), 'h6-csv-'));
  try {
    // A line whose captured User-Agent holds a quote, a comma and a semicolon, to force quoting.
    const extra = '<134>Nov 24 17:10:49 haproxy[1]: 10.0.0.1:1000 [24/Nov/2026:17:10:49.931] fe_web bk_app/app1 0/0/0/5/5 200 10 - - ---- 1/1/1/1/0 0/0 {h|Mozilla "x", y; z|} {t} "GET /a,b?q=1 HTTP/1.1"\n';
    const f = join(dir, 'x.log');
    writeFileSync(f, extra);
    for (const kind of ['header:1:2', 'urls']) {
      const csv = haloscope(['report', kind, '--csv', '-q', LOG, f]);
      const json = JSON.parse(haloscope(['report', kind, '--json', '-q', LOG, f]).out) as JsonReport;
      assert.equal(csv.status, 0);
      assert.ok(csv.out.endsWith('\r\n'), 'CRLF record ends');
      assert.ok(!/[^\r]\n/.test(csv.out), 'every newline is CRLF');
      const rows = pythonCsv(csv.out);
      if (rows === null) {
        t.skip('python3 not found: cannot run the reference CSV parser');
        return;
      }
      assert.deepEqual(rows[0], json.columns.map((c) => c.name), 'header row');
      assert.equal(rows.length - 1, json.rows.length);
      json.rows.forEach((r, i) => assert.deepEqual(rows[i + 1], json.columns.map((c) => cellText(r[c.name]!)), `${kind} row ${i}`));
      if (kind === 'header:1:2') assert.ok(rows.some((r) => r[0] === 'Mozilla "x", y; z'), 'quoted field read back intact');
      if (kind === 'urls') assert.ok(rows.some((r) => r[0] === '/a,b'));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('report --tsv, --ndjson and text hold the same rows as --json', () => {
  const json = JSON.parse(haloscope(['report', 'servers', '--json', '-q', LOG]).out) as JsonReport;
  const tsv = haloscope(['report', 'servers', '--tsv', '-q', LOG]).out.trimEnd().split('\n').map((l) => l.split('\t'));
  assert.deepEqual(tsv[0], json.columns.map((c) => c.name));
  json.rows.forEach((r, i) => assert.deepEqual(tsv[i + 1], json.columns.map((c) => cellText(r[c.name]!))));
  const nd = haloscope(['report', 'servers', '--ndjson', '-q', LOG]).out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(nd, json.rows);
  const text = haloscope(['report', 'servers', '--text', '--timers', 'Ta', '-q', LOG]).out.trimEnd().split('\n');
  const head = text[0]!.trim().split(/ +/);
  assert.deepEqual(head, ['req', 'err', '1xx', '2xx', '3xx', '4xx', '5xx', 'other', 'bytes', 'Ta_p50', 'Ta_p75', 'Ta_p90', 'Ta_p95', 'Ta_p99', 'Ta_p99.9', 'Ta_max', 'server']);
  const widths = new Set(text.slice(0, json.rows.length + 1).map((l) => l.lastIndexOf(' ')));
  assert.equal(widths.size, 1, 'columns aligned: the key starts at the same offset on every line');
  // Text records only the timers it prints, plus the one it sorts by.
  const byTr = haloscope(['report', 'urls', '--text', '--timers', 'Ta', '--sort', 'Tr.max', '--top', '6', '-q', LOG]).out.trimEnd().split('\n').slice(1, 7).map((l) => l.trim().split(/ +/).pop());
  const byTrJson = (JSON.parse(haloscope(['report', 'urls', '--json', '--sort', 'Tr.max', '--top', '6', '-q', LOG]).out) as JsonReport).rows.map((r) => r.url);
  assert.deepEqual(byTr, byTrJson);
  json.rows.forEach((r, i) => {
    const cells = text[i + 1]!.trim().split(/ +/);
    assert.equal(cells[cells.length - 1], r.server);
    assert.equal(Number(cells[0]), r.req);
    assert.equal(cells[15], r['Ta_max'] === null ? '-' : String(r['Ta_max']));
  });
});

test('CSV/TSV cells a spreadsheet would run as formulas get a leading quote (--raw-cells keeps them)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'h6-formula-'));
  try {
    // User-Agents chosen by a client: three formula forms, a leading dash with text, and a
    // plain `-` and termination-like dashes that must stay untouched.
    const agents = ['=HYPERLINK("http://x.test","y")', "+cmd' /C calc'!A0", '@SUM(1+1)', '-2+3', '-', 'curl/8.0'];
    const lines = agents.map((ua, i) => `<134>Nov 24 17:10:49 haproxy[1]: 10.0.0.${i + 1}:1000 [24/Nov/2026:17:10:49.931] fe_web bk_app/app1 0/0/0/5/5 200 10 - - ---- 1/1/1/1/0 0/0 {h|${ua}|} {t} "GET /x HTTP/1.1"\n`);
    const f = join(dir, 'f.log');
    writeFileSync(f, lines.join(''));
    const keys = (out: string[][]): string[] => out.slice(1).map((r) => r[0]!).sort();
    const guarded = ["'+cmd' /C calc'!A0", "'-2+3", "'=HYPERLINK(\"http://x.test\",\"y\")", "'@SUM(1+1)", '-', 'curl/8.0'].sort();
    const csv = pythonCsv(haloscope(['report', 'header:1:2', '--csv', '-q', f]).out);
    if (csv === null) return t.skip('python3 not found: cannot run the reference CSV parser');
    assert.deepEqual(keys(csv), guarded);
    const tsv = haloscope(['report', 'header:1:2', '--tsv', '-q', f]).out.trimEnd().split('\n').map((l) => l.split('\t'));
    assert.deepEqual(keys(tsv), guarded);
    const raw = pythonCsv(haloscope(['report', 'header:1:2', '--csv', '--raw-cells', '-q', f]).out)!;
    assert.deepEqual(keys(raw), agents.slice().sort());
    // stdout is a pipe here: the default format is TSV (text is for terminals)
    assert.equal(haloscope(['report', 'header:1:2', '-q', f]).out, haloscope(['report', 'header:1:2', '--tsv', '-q', f]).out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
