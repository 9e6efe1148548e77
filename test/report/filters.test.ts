import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeUrl } from '../../halog/analyze/kinds.js';
import { LogRecord, parseRecord, RecordKind } from '../../halog/parse/record.js';
import { CORPUS } from '../helpers/paths.js';
import { haloscope, reportInProcess } from './run-report.js';

const LOG = join(CORPUS, 'access.log');
const BUF = readFileSync(LOG);
const kept = (args: string[]): number => reportInProcess(['status', ...args], BUF).input.kept;
const halogCount = (name: string): number => Number(readFileSync(join(CORPUS, 'halog', `${name}.txt`), 'latin1').trim());

test('report filters: halog input filters keep the lines real halog -c counts (HTTP lines, -H)', () => {
  // halog cannot apply these to tcplog lines (it reads past their end or misreads a field), so compare with -H.
  assert.equal(kept(['-H']), halogCount('H_c'));
  assert.equal(kept(['-H', '-hs', '404']), halogCount('hs_404_c'));
  assert.equal(kept(['-H', '-RT', '5']), halogCount('RT_5_c'));
  assert.equal(kept(['-H', '-e']), halogCount('e_c'));
  assert.equal(kept(['-H', '-E']), halogCount('E_c') - 90);
  assert.equal(kept(['-H', '-tcn', 'cD']), halogCount('tcn_cD_c'));
  assert.equal(kept(['-Q']), halogCount('Q_c'));
  assert.equal(kept(['-time', '1795540309:1795540429']), halogCount('time_c'));
  assert.equal(kept(['-v', '-H']), 90, '-v inverts: the tcplog lines');
});

test('report filters: --since/--until, --frontend/--backend/--server, --client CIDR and --url-prefix keep exactly the matching records', () => {
  const buf = readFileSync(LOG);
  const rec = new LogRecord();
  const all: { ms: number; fe: string; be: string; srv: string; ip: string; uri: string; http: boolean }[] = [];
  for (let p = 0; p < buf.length;) {
    let nl = buf.indexOf(0x0a, p);
    if (nl < 0) nl = buf.length;
    if (parseRecord(buf, p, nl, rec)) {
      all.push({ ms: rec.acceptMs, fe: rec.text(rec.frontend), be: rec.text(rec.backend), srv: rec.text(rec.server), ip: rec.text(rec.clientIp), uri: rec.text(rec.uri), http: rec.kind === RecordKind.http });
    }
    p = nl + 1;
  }
  const since = Date.UTC(2026, 10, 24, 17, 11, 0);
  const until = Date.UTC(2026, 10, 24, 17, 12, 0);
  const count = (f: (r: (typeof all)[number]) => boolean): number => all.filter(f).length;
  assert.equal(kept(['--since', '2026-11-24T17:11:00Z', '--until', '24/Nov/2026:17:12:00']), count((r) => r.ms >= since && r.ms < until));
  assert.equal(kept(['--since', '2026-11-24 17:11']), count((r) => r.ms >= since));
  assert.equal(kept(['--frontend', 'fe_tcp']), 90);
  assert.equal(kept(['--backend', 'bk_api,bk_static']), count((r) => r.be === 'bk_api' || r.be === 'bk_static'));
  assert.equal(kept(['--server', 'app1']), count((r) => r.srv === 'app1'));
  assert.equal(kept(['--server', 'bk_app/app2', '--server', 'bk_api/api1']), count((r) => (r.be === 'bk_app' && r.srv === 'app2') || (r.be === 'bk_api' && r.srv === 'api1')));
  const c16 = count((r) => r.ip.startsWith('127.2.'));
  assert.ok(c16 > 1000);
  assert.equal(kept(['--client', '127.2.0.0/16']), c16);
  assert.equal(kept(['--client', '127.2.7.70']), 2500);
  assert.equal(kept(['--client', '::1/128']), count((r) => r.ip === '::1'));
  assert.equal(kept(['--url-prefix', '/api/']), count((r) => r.http && r.uri.startsWith('/api/')));
  assert.equal(kept(['--url-prefix', '/api/', '--client', '127.1.8.8', '-hs', '200']), count((r) => r.http && r.uri.startsWith('/api/') && r.ip === '127.1.8.8'));
});

test('report options: bad values are usage errors (exit 2) that say what to use', () => {
  for (const [args, hint] of [
    [['urls', '--client', '300.1.1.1/8'], 'bad client address'],
    [['urls', '--since', 'yesterday'], 'examples'],
    [['urls', '--interval', 'fast'], 'examples'],
    [['nosuchkind'], 'kinds: urls'],
    [['header:3:1'], 'block 1 for the request captures or 2 for the response'],
    [['header:1:0'], 'field from 1'],
    [['header:1'], 'header:<block>:<field>'],
    [['--kind', 'header:0:2'], 'block 1 for the request captures'],
    [['--kind', 'nosuchkind'], 'kinds: urls'],
    [['urls', '--top', '-1'], 'number of rows, 0 or more'],
    [['urls', '--top', 'ten'], 'needs an integer'],
    [['urls', '--threads', '0'], '--threads needs 1 or more'],
    [['urls', '--sort', 'speed'], 'use req'],
    [['urls', '--frobnicate'], 'unknown option'],
  ] as const) {
    const r = haloscope(['report', ...args, LOG]);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.err, new RegExp(hint), args.join(' '));
  }
});

test('report outputs: an --html or --summary path that cannot be written fails before the input is read (exit 1, E_REPORT_OUTPUT)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'haloscope-out-'));
  try {
    for (const [args, hint] of [
      [['--html', join(dir, 'no', 'such', 'r.html')], `no directory '${join(dir, 'no', 'such')}'`],
      [['--summary', dir], 'it is a directory'],
      [['--summary', join(dir, 'file.txt', 's.json')], 'is not a directory'],
    ] as const) {
      writeFileSync(join(dir, 'file.txt'), 'x');
      // An input that does not exist: the output's error must come first.
      const r = haloscope(['report', 'urls', ...args, join(dir, 'missing.log')]);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.err, /cannot write the (HTML report|summary) to/, args.join(' '));
      assert.ok(r.err.includes(hint), `${args.join(' ')}: ${r.err}`);
      assert.doesNotMatch(r.err, /missing\.log/, 'the input was not opened');
    }
    if (existsSync('/dev/full')) {
      // A write that fails after the analysis (disk full) is said as such, not as a stack.
      const r = haloscope(['report', 'urls', '--summary', '/dev/full', LOG]);
      assert.equal(r.status, 1);
      assert.match(r.err, /cannot write the summary to '\/dev\/full': the disk is full/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('report urls: --collapse-ids and --keep-query change the URL key; --top and --sort pick and order rows', () => {
  const n = { keepQuery: false, collapseIds: true };
  assert.equal(normalizeUrl('/items/123', n), '/items/:n');
  assert.equal(normalizeUrl('/items/123/reviews/7?page=2', n), '/items/:n/reviews/:n');
  assert.equal(normalizeUrl('/u/0123456789abcdef0123/x;jsessionid=1', n), '/u/:id/x');
  assert.equal(normalizeUrl('/o/550e8400-e29b-41d4-a716-446655440000', n), '/o/:id');
  assert.equal(normalizeUrl('/v2/item-15.html', n), '/v2/item-15.html');
  assert.equal(normalizeUrl('/a/1?id=22', { keepQuery: true, collapseIds: true }), '/a/:n?id=22');
  const plain = reportInProcess(['urls'], BUF);
  const collapsed = reportInProcess(['urls', '--collapse-ids'], BUF);
  assert.ok(collapsed.rows.length <= plain.rows.length);
  const q = reportInProcess(['urls', '--keep-query'], BUF);
  assert.ok(q.rows.some((r) => (r.url as string).includes('?id=')));
  assert.ok(q.rows.length > plain.rows.length);
  const top = reportInProcess(['urls', '--top', '5', '--sort', 'Ta.p99'], BUF);
  assert.equal(top.rows.length, 5);
  assert.equal(top.totalRows, plain.rows.length);
  const p99 = top.rows.map((r) => r['Ta_p99'] as number);
  assert.deepEqual(p99, [...p99].sort((a, b) => b - a));
  const all99 = plain.rows.map((r) => (r['Ta_p99'] as number | null) ?? -1).sort((a, b) => b - a);
  assert.equal(p99[0], all99[0]);
});
