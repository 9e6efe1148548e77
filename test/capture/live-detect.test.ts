/**
 * `capture --live` runs the `haloscope detect` rules over a sliding window
 * (capture/live/live-detector.ts): attackers are flagged while they attack, benign clients are
 * not, and a client whose lines have left the window is no longer listed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { LiveDetector } from '../../capture/live/live-detector.js';
import { http, T0, tcp, times } from '../detect/log-lines.js';
import { CLI, sendAll, spawnCli, tempDir, waitFor } from './helpers.js';

/** A flood without keep-alive: one new connection per request, 700 in 3.5 s. */
const flood = (): string[] => times(700, (i) => http({ ip: '192.0.2.4', port: 10000 + i, uri: `/?n=${i}`, ms: T0 + i * 5 }));
/** A directory scanner: 60 distinct paths answered 404, a scanner's user agent. */
const scanner = (): string[] => times(60, (i) => http({ ip: '192.0.2.6', port: 41000, uri: `/dir-${i}/`, status: 404, ua: 'gobuster/3.6', ms: T0 + i * 50 }));
/** Ordinary visitors: a few pages each, one 404 among them. */
const visitors = (): string[] => times(200, (i) => http({ ip: `10.1.${i % 40}.${1 + (i % 7)}`, port: 30000 + (i % 40), uri: i % 50 === 0 ? '/missing.html' : `/page-${i % 9}.html`, status: i % 50 === 0 ? 404 : 200, ms: T0 + i * 20 }));

/** Message bytes as the live view gets them: the syslog header skipped. */
function message(line: string): { b: Buffer; start: number } {
  const b = Buffer.from(line, 'latin1');
  return { b, start: b.indexOf(']: ') + 3 };
}

test('sliding window: flagged while in the window, gone once its lines have left; visitors never', () => {
  const d = new LiveDetector({}, 300, 5);
  const at = 1_000_000;
  const lines = [...visitors(), ...scanner(), ...flood()];
  lines.forEach((l, i) => {
    const { b, start } = message(l);
    d.add(at + Math.floor(i / 200), b, start, b.length);
  });
  const now = d.flagged(at + 5);
  assert.deepEqual(now.map((f) => f.client).sort(), ['192.0.2.4', '192.0.2.6']);
  const f = now.find((x) => x.client === '192.0.2.4')!;
  assert.equal(f.verdict, 'malicious');
  assert.ok(f.rules.some((r) => r.id === 'flood.requests'));
  assert.ok(f.rules.every((r) => r.evidence.every((e) => e.startsWith('192.0.2.4:'))), 'evidence: the messages of that client');
  assert.ok(now.find((x) => x.client === '192.0.2.6')!.rules.some((r) => r.id === 'scan.paths'));
  assert.equal(f.since, at + 5);
  // Still within the window a minute later (nothing new arrived: same judgement).
  assert.equal(d.flagged(at + 65).length, 2);
  // Past the window (300 s, plus the generation being filled): nothing left to flag.
  assert.deepEqual(d.flagged(at + d.windowSeconds + 60), []);
});

test('sliding window: a TCP health checker stops showing once it fills most of the window; a port probe shows', () => {
  const d = new LiveDetector({}, 300, 5);
  const at = 1_000_000;
  // An empty fe_tcp session every 2 s for 10 minutes, and a probe's 20 empty sessions in 4 s.
  const checker = times(300, (i) => ({ s: at + i * 2, line: tcp({ ip: '192.0.2.30', port: 20000 + i, term: '--', ms: T0 + i * 2000 }) }));
  const probe = times(20, (i) => ({ s: at + 590 + Math.floor(i / 5), line: tcp({ ip: '192.0.2.31', port: 30000 + i, term: 'CR', ms: T0 + 590_000 + i * 200 }) }));
  const seen: string[][] = [];
  for (const { s, line } of [...checker, ...probe].sort((a, b) => a.s - b.s)) {
    const { b, start } = message(line);
    d.add(s, b, start, b.length);
    if (s === at + 30) seen.push(d.flagged(s).map((f) => f.client));
  }
  assert.ok(seen.some((l) => l.includes('192.0.2.30')), 'a new checker shows at first');
  assert.deepEqual(d.flagged(at + 600).map((f) => f.client), ['192.0.2.31']);
});

test('capture --live over real UDP: a flood and a scanner get flagged lines while running, the visitors do not', async (t) => {
  const dir = tempDir(t);
  const cli = await spawnCli(['--listen', '127.0.0.1:0', '--out', dir, '--live']);
  t.after(() => void cli.stop('SIGKILL'));
  let out = '';
  cli.child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const lines = [...visitors(), ...scanner(), ...flood()];
  await sendAll('udp4', cli.ports.udp4!, lines);
  await waitFor(() => /^flagged \S+ 192\.0\.2\.4 malicious .*flood\.requests/m.test(out) && /^flagged \S+ 192\.0\.2\.6 \S+ .*scan\.paths/m.test(out), 'flagged lines for the flood and the scanner', 15000);
  assert.equal(await cli.stop(), 0, cli.stderr());
  const flagged = out.split('\n').filter((l) => l.startsWith('flagged '));
  assert.deepEqual([...new Set(flagged.map((l) => l.split(' ')[2]))].sort(), ['192.0.2.4', '192.0.2.6'], flagged.join('\n'));
  assert.match(flagged.find((l) => l.includes(' 192.0.2.4 '))!, /score=\d+ rules=\S*flood\.requests\S* total=\d+ 4xx=0 denied=0 since=\d\d:\d\d:\d\d$/);
  // The summary line stays one per second, and is the last line.
  assert.match(out.trim().split('\n').pop()!, /^live \d\d:\d\d:\d\d rate=.* received=960 dropped=0$/);
});

test('capture --live takes detect\'s rules file, allow-list and window: an excluded flood is not flagged, the verdicts follow the rules file', async (t) => {
  const dir = tempDir(t);
  const rules = join(dir, 'rules.json');
  // Only the verdict thresholds change: every flagged client becomes at most "suspicious".
  writeFileSync(rules, JSON.stringify({ verdicts: { suspicious: 1, malicious: 1000 } }));
  const cli = await spawnCli(['--listen', '127.0.0.1:0', '--out', join(dir, 'logs'), '--live', '--rules', rules, '--exclude', '192.0.2.4/31', '--window', '2m']);
  t.after(() => void cli.stop('SIGKILL'));
  let out = '';
  cli.child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  await sendAll('udp4', cli.ports.udp4!, [...visitors(), ...flood(), ...scanner()]);
  await waitFor(() => /^flagged \S+ 192\.0\.2\.6 suspicious .*scan\.paths/m.test(out), 'the scanner flagged as suspicious', 15000);
  assert.equal(await cli.stop(), 0, cli.stderr());
  const flagged = out.split('\n').filter((l) => l.startsWith('flagged '));
  assert.deepEqual([...new Set(flagged.map((l) => l.split(' ')[2]))], ['192.0.2.6'], `the flood (192.0.2.4, in --exclude) is not flagged:\n${flagged.join('\n')}`);
});

test('capture: detection flags are checked at start, with detect\'s messages', async (t) => {
  const dir = tempDir(t);
  const run = (args: string[]): { status: number | null; stderr: string } => {
    const r = spawnSync(process.execPath, [CLI, 'capture', '--listen', '127.0.0.1:0', '--out', join(dir, 'logs'), ...args], { encoding: 'utf8', timeout: 20000 });
    return { status: r.status, stderr: r.stderr };
  };
  let r = run(['--rules', join(dir, 'none.json')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--rules configure the detection of --live: add --live/);
  r = run(['--live', '--rules', join(dir, 'none.json')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cannot read rules file '.*none\.json': no such file \[E_DETECT_RULES\]/);
  writeFileSync(join(dir, 'bad.json'), '{"rules": {"scan.paths": {"minDistinct": "many"}}}');
  r = run(['--live', '--rules', join(dir, 'bad.json')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /minDistinct/);
  r = run(['--live', '--by', 'xff']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--by xff: no X-Forwarded-For among the request captures \(Host,User-Agent,Referer\)/);
  r = run(['--live', '--window', '5s', '--exclude', '10.0.0.0/33']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--window '5s': expected a duration from 10s to 24h/);
  assert.match(r.stderr, /--exclude '10\.0\.0\.0\/33': not an IPv4 or IPv6 address or CIDR block/);
});
