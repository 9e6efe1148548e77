/**
 * `haloscope detect` end to end, as a process: output formats and the --json shape, exit
 * codes, --explain, --exclude, --rules, --since/--until, --by xff, stdin, gzip and garbage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CORPUS, DIST } from '../helpers/paths.js';
import { runDetect } from '../../halog/detect/cli.js';
import { DetectUsageError } from '../../halog/detect/errors.js';
import { HalogInputError } from '../../halog/read/errors.js';
import { http, T0, times } from './log-lines.js';

const BIN = join(DIST, 'bin', 'haloscope.js');
const LOG = join(CORPUS, 'access.log');

/** As a process: exit status, stdout, stderr (used where the process boundary is the point). */
function spawnDetect(args: string[], input?: string | Buffer): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, 'detect', ...args], { input, encoding: 'latin1', maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * In this process, through the same entry the CLI uses (runDetect), with errors mapped to
 * exit status 2 exactly as main() does: one corpus run costs ~0.3 s instead of a Node start.
 */
async function detect(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const chunks: string[] = [];
  try {
    const code = await runDetect(args, (s) => chunks.push(s));
    return { code, out: chunks.join(''), err: '' };
  } catch (e) {
    if (e instanceof DetectUsageError || e instanceof HalogInputError) return { code: 2, out: chunks.join(''), err: e.message };
    throw e;
  }
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'detect-test-'));
}

interface JsonDoc {
  suspects: {
    client: string;
    verdict: string;
    score: number;
    rules: { id: string; count: number; first: string; last: string; evidence: string[] }[];
    first: string;
    last: string;
    counts: { total: number; '4xx': number; '5xx': number; denied: number };
  }[];
  stats: Record<string, number>;
}

test('cli --json: the documented shape', async () => {
  const r = (await detect(['--json', LOG]));
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out) as JsonDoc;
  assert.deepEqual(Object.keys(doc).sort(), ['stats', 'suspects']);
  assert.equal(doc.suspects.length, 8);
  for (const s of doc.suspects) {
    assert.deepEqual(Object.keys(s).sort(), ['client', 'counts', 'first', 'last', 'rules', 'score', 'verdict']);
    assert.ok(s.verdict === 'suspicious' || s.verdict === 'malicious');
    assert.ok(s.score >= 5);
    assert.deepEqual(Object.keys(s.counts).sort(), ['4xx', '5xx', 'denied', 'total']);
    assert.ok(!Number.isNaN(Date.parse(s.first)) && s.first <= s.last);
    for (const rule of s.rules) {
      assert.deepEqual(Object.keys(rule), ['id', 'count', 'first', 'last', 'evidence']);
      assert.ok(rule.evidence.length <= 3);
      assert.ok(rule.count > 0);
    }
  }
  const flood = doc.suspects.find((s) => s.client === '127.2.7.70');
  assert.deepEqual(flood?.counts, { total: 2500, '4xx': 0, '5xx': 0, denied: 0 });
  assert.equal(doc.stats.flagged, 8);
  assert.equal(doc.stats.clients, 23);
  assert.equal(doc.stats.invalid, 12);
  // sorted by score, highest first
  for (let i = 1; i < doc.suspects.length; i++) assert.ok(doc.suspects[i - 1]!.score >= doc.suspects[i]!.score);
});

test('cli --csv and --ndjson carry the same suspects; text has one row per suspect', async () => {
  const json = (JSON.parse((await detect(['--json', LOG])).out) as JsonDoc).suspects;
  const csv = (await detect(['--csv', LOG]));
  assert.equal(csv.code, 0);
  const rows = csv.out.trimEnd().split('\n');
  assert.equal(rows[0], 'client,verdict,score,rules,first,last,total,4xx,5xx,denied');
  assert.deepEqual(rows.slice(1).map((r) => r.split(',')[0]), json.map((s) => s.client));
  assert.deepEqual(rows.slice(1).map((r) => r.split(',')[3]), json.map((s) => s.rules.map((x) => x.id).join(';')));
  const nd = (await detect(['--ndjson', LOG])).out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(nd.slice(0, -1), json);
  assert.ok('stats' in nd[nd.length - 1]!);
  const text = (await detect([LOG])).out.split('\n');
  for (const s of json) assert.equal(text.filter((l) => l.startsWith(`${s.client} `)).length, 1, s.client);
});

test('cli: exit 0 with nothing flagged; exit 2 on unreadable input, bad options, bad rules', async () => {
  const dir = tmp();
  try {
    const benign = join(dir, 'benign.log');
    writeFileSync(benign, times(20, (i) => http({ uri: `/p${i}.html`, ms: T0 + i * 1000 })).join('\n') + '\n');
    const ok = (await detect(['--json', benign]));
    assert.equal(ok.code, 0);
    assert.equal((JSON.parse(ok.out) as JsonDoc).suspects.length, 0);
    const missing = spawnDetect([join(dir, 'nope.log')]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /cannot read .*nope\.log.*no such file/);
    const isDir = (await detect([dir]));
    assert.equal(isDir.code, 2);
    assert.match(isDir.err, /directory/);
    const unknown = spawnDetect(['--jsn', benign]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown option '--jsn'; did you mean '--json'\?/);
    assert.equal((await detect(['--json', '--csv', benign])).code, 2);
    assert.equal((await detect(['--exclude', '10.0.0.0/40', benign])).code, 2);
    assert.equal((await detect(['--since', 'yesterday', benign])).code, 2);
    assert.equal((await detect(['--by', 'xff', benign])).code, 2, 'xff without an X-Forwarded-For capture');
    const badRules = join(dir, 'bad.json');
    writeFileSync(badRules, JSON.stringify({ rules: { 'scan.path': { score: 1 }, 'flood.requests': { windowSeconds: 'ten' } } }));
    const br = (await detect(['--rules', badRules, benign]));
    assert.equal(br.code, 2);
    assert.match(br.err, /rules\.scan\.path: unknown key; did you mean 'scan\.paths'\?/);
    assert.match(br.err, /rules\.flood\.requests\.windowSeconds: expected a number, got string/);
    writeFileSync(badRules, '{ not json');
    assert.match((await detect(['--rules', badRules, benign])).err, /not valid JSON/);
    assert.equal((await detect(['--rules', join(dir, 'missing.json'), benign])).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cli: garbage and truncated lines are counted and skipped; stdin and .gz are read', async () => {
  const good = times(25, (i) => http({ ip: '198.51.100.7', uri: '/login', status: 401, ms: T0 + i * 100 }));
  const garbage = ['', 'hello world', '\u0000\u0001\u0002binary', good[0]!.slice(0, 60), '<134>Nov 24 17:00:00 haproxy[1]: Server bk/s1 is DOWN', '[[[[{{{{""""'];
  const input = [...garbage, ...good, ...garbage].join('\n');
  const r = spawnDetect(['--json'], input);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out) as JsonDoc;
  assert.equal(doc.stats.invalid, 10, 'empty lines are not counted; the 5 other garbage lines twice');
  assert.equal(doc.stats.http, 25);
  assert.deepEqual(doc.suspects.map((s) => [s.client, s.rules.map((x) => x.id)]), [['198.51.100.7', ['bruteforce.auth']]]);
  const dir = tmp();
  try {
    const gz = join(dir, 'log.gz');
    writeFileSync(gz, gzipSync(input));
    const z = JSON.parse((await detect(['--json', gz])).out) as JsonDoc;
    assert.deepEqual(z.suspects, doc.suspects);
    const broken = join(dir, 'broken.gz');
    writeFileSync(broken, gzipSync(input).subarray(0, 40));
    assert.equal((await detect([broken])).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cli --explain: every line of the client with its decisions, every rule with its verdict', async () => {
  const r = (await detect(['--explain', '127.1.9.9', LOG]));
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.match(lines[0]!, /^explain 127\.1\.9\.9: 25 lines \(25 http, 0 tcp\)/);
  const logLines = lines.filter((l) => l.includes('haproxy[13531]: 127.1.9.9:'));
  assert.equal(logLines.length, 25);
  assert.ok(r.out.includes("probe.sensitive-files: matched '/.env$' in the decoded path"));
  assert.ok(r.out.includes('proxy.denied: tarpitted by HAProxy (PT)'));
  assert.match(r.out, /FIRED probe\.cve +\+6 /);
  assert.match(r.out, /no {4}flood\.requests/);
  assert.match(r.out, /score \d+ \(suspicious >= 5, malicious >= 10\): malicious/);
  const benign = (await detect(['--explain', '127.1.8.8', LOG]));
  assert.match(benign.out, /at most 1200 requests|at most \d+ requests and \d+ new connections/);
  assert.match(benign.out, /: clean\n$/);
  assert.match((await detect(['--explain', '203.0.113.99', LOG])).out, /no traffic line from this client/);
});

test('cli --exclude: IPv4 and IPv6 blocks remove clients from the report', async () => {
  const all = (JSON.parse((await detect(['--json', LOG])).out) as JsonDoc).suspects.map((s) => s.client);
  const r = JSON.parse((await detect(['--json', '--exclude', '127.2.0.0/16', '--exclude', '::1/128,127.1.2.200', LOG])).out) as JsonDoc;
  assert.deepEqual(r.suspects.map((s) => s.client).sort(), all.filter((c) => !c.startsWith('127.2.') && c !== '127.1.2.200').sort());
  assert.ok(r.stats.excluded! > 2500);
  assert.equal(r.stats.clients, 23 - 10 - 1 - 1);
});

test('cli --rules: an override changes a verdict (and disabling a rule removes it)', async () => {
  const dir = tmp();
  try {
    const f = join(dir, 'rules.json');
    // The API client (ab -k) is not a flood by default; with a limit of 100 requests per 10 s it is.
    writeFileSync(f, JSON.stringify({ rules: { 'flood.requests': { minRequests: 100 } } }));
    const base = JSON.parse((await detect(['--json', LOG])).out) as JsonDoc;
    assert.equal(base.suspects.find((s) => s.client === '127.1.8.8'), undefined);
    const tuned = JSON.parse((await detect(['--json', '--rules', f, LOG])).out) as JsonDoc;
    const api = tuned.suspects.find((s) => s.client === '127.1.8.8');
    assert.equal(api?.verdict, 'malicious');
    assert.deepEqual(api?.rules.map((r) => r.id), ['flood.requests']);
    writeFileSync(f, JSON.stringify({ verdicts: { suspicious: 9 }, rules: { 'proto.bad-requests': { enabled: false } } }));
    const off = JSON.parse((await detect(['--json', '--rules', f, LOG])).out) as JsonDoc;
    assert.equal(off.suspects.find((s) => s.client === '127.2.2.22'), undefined);
    assert.equal(off.suspects.find((s) => s.client === '127.1.1.1'), undefined, 'slow.client scores 8 < 9');
    writeFileSync(f, JSON.stringify({ rules: { 'ua.scanner': { extraPatterns: ['mozilla/5.0 (hydra)'], score: 6 } } }));
    const printed = JSON.parse((await detect(['--print-rules', '--rules', f])).out) as { rules: Record<string, { patterns: string[]; score: number }> };
    assert.ok(printed.rules['ua.scanner']!.patterns.includes('sqlmap'));
    assert.ok(printed.rules['ua.scanner']!.patterns.includes('mozilla/5.0 (hydra)'));
    assert.equal(printed.rules['ua.scanner']!.score, 6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cli --since/--until: only lines accepted in the range count', async () => {
  // The flood ran 17:13:10-17:13:20, the brute force 17:12:39-17:12:44.
  const r = JSON.parse((await detect(['--json', '--since', '2026-11-24T17:12:30Z', '--until', '24/Nov/2026:17:13:00', LOG])).out) as JsonDoc;
  const flagged = r.suspects.map((s) => s.client);
  assert.ok(flagged.includes('127.1.6.66'));
  assert.ok(!flagged.includes('127.2.7.70'));
  assert.ok(!flagged.includes('127.2.3.4'), 'the dir scan was at 17:11:20');
  assert.ok(r.stats.outOfRange! > 5000);
  const epoch = JSON.parse((await detect(['--json', '--since', String(Date.UTC(2026, 10, 24, 17, 13, 5) / 1000), LOG])).out) as JsonDoc;
  assert.ok(epoch.suspects.some((s) => s.client === '127.2.7.70'));
});

test('cli --by xff: clients keyed on the captured X-Forwarded-For', async () => {
  // 30 auth failures from two real clients behind one proxy address, 25 from one of them.
  const lines = [
    ...times(25, (i) => http({ ip: '10.0.0.1', port: 30000 + i, uri: '/login', status: 401, ms: T0 + i * 100, xff: '203.0.113.5, 10.0.0.1' })),
    ...times(5, (i) => http({ ip: '10.0.0.1', port: 31000 + i, uri: '/login', status: 401, ms: T0 + i * 100, xff: '198.51.100.9' })),
  ].join('\n');
  const dir = tmp();
  const file = join(dir, 'xff.log');
  writeFileSync(file, lines);
  const byXff = JSON.parse((await detect(['--json', '--by', 'xff', '--captures', 'Host,User-Agent,Referer,X-Forwarded-For', file])).out) as JsonDoc;
  assert.deepEqual(byXff.suspects.map((s) => [s.client, s.counts.total]), [['203.0.113.5', 25]]);
  assert.equal(byXff.stats.keyedByXff, 30);
  const bySrc = JSON.parse((await detect(['--json', file])).out) as JsonDoc;
  // Text keyed by source with X-Forwarded-For among the captures: the flagged proxy gets a hint.
  const hint = /--by xff keys clients on the header/;
  const captures = ['--captures', 'Host,User-Agent,Referer,X-Forwarded-For'];
  const textSrc = (await detect([...captures, file])).out;
  const textXff = (await detect([...captures, '--by', 'xff', file])).out;
  const textNoXff = (await detect(['--captures', 'Host,User-Agent,Referer', file])).out;
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(bySrc.suspects.map((s) => [s.client, s.counts.total]), [['10.0.0.1', 30]]);
  assert.match(textSrc, hint);
  assert.doesNotMatch(textXff, hint);
  assert.doesNotMatch(textNoXff, hint);
  assert.doesNotMatch((await detect([LOG])).out, hint, 'the corpus captures no X-Forwarded-For');
});

test('cli --help lists every option the parser accepts', async () => {
  const r = (await detect(['--help']));
  assert.equal(r.code, 0);
  for (const o of ['--json', '--csv', '--ndjson', '--rules', '--print-rules', '--explain', '--since', '--until', '--exclude', '--by', '--captures']) assert.ok(r.out.includes(o), o);
  assert.ok(readFileSync(BIN, 'utf8').includes("'detect'") || readFileSync(BIN, 'utf8').includes('detect:'));
});

test('cli: the capture layout is inferred from the values when not given', async () => {
  // {User-Agent|X-Forwarded-For|Host} instead of the default {Host|User-Agent|Referer}.
  const lines = times(25, (i) =>
    http({ ip: '10.0.0.1', port: 30000 + i, uri: `/x?id=${i}%20union%20select%20null--`, ms: T0 + i * 100 }).replace(
      '{www.shop.test|Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0|}',
      `{sqlmap/1.7.2#23stable (https://sqlmap.org)|203.0.113.${i % 2}, 10.0.0.1|www.shop.test}`,
    ),
  );
  assert.ok(lines[0]!.includes('{sqlmap/'));
  const dir = tmp();
  try {
    const f = join(dir, 'layout.log');
    writeFileSync(f, `${lines.join('\n')}\n`);
    const inferred = JSON.parse((await detect(['--json', f])).out) as JsonDoc & { stats: { captures: string[] } };
    assert.deepEqual(inferred.stats.captures, ['User-Agent', 'X-Forwarded-For', 'Host']);
    assert.deepEqual(inferred.suspects[0]?.rules.map((r) => r.id), ['probe.sqli', 'ua.scanner']);
    // Given explicitly (wrongly), the user agent is not where we look: only the probe fires.
    const given = JSON.parse((await detect(['--json', '--captures', 'Host,User-Agent,Referer', f])).out) as JsonDoc;
    assert.deepEqual(given.suspects[0]?.rules.map((r) => r.id), ['probe.sqli']);
    // --by xff works with the inferred layout: two clients behind 10.0.0.1.
    const byXff = JSON.parse((await detect(['--json', '--by', 'xff', f])).out) as JsonDoc;
    assert.deepEqual(byXff.suspects.map((s) => [s.client, s.counts.total]).sort(), [['203.0.113.0', 13], ['203.0.113.1', 12]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
