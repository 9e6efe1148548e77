/**
 * Generated traffic (samples/generate/, docs/generator.md): many users, many URLs, normal error
 * rates, 1 % malformed and 1 % tcplog lines.
 *
 * - `hostile: false` traffic is benign by construction (no scanner pool, no denies or tarpits,
 *   no attack-tool user agents, no probe-like 404s): no client may be flagged, not even the
 *   heaviest one, which sends thousands of requests, many on new connections, and gets its
 *   share of 401s, 404s, 5xx and CR/cR lines.
 * - Attacks spliced into benign traffic at known line positions: each attacker is found with
 *   its rule, and nobody else; read from a real file as the CLI reads it, with 1 and 2 threads.
 * - Default traffic includes a pool of 12 scanner addresses (the generator's `scanner()`: denied,
 *   tarpitted and tool-user-agent requests): at most those are flagged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLogBuffer } from '../../samples/generate-log.js';
import { LogRecord, parseRecord } from '../../halog/parse/record.js';
import { Detector } from '../../halog/detect/detector.js';
import { detectSources } from '../../halog/detect/cli.js';
import { suspects, type Suspect } from '../../halog/detect/verdict.js';
import { openSources } from '../../halog/read/sources.js';
import { http, T0, tcp, times } from './log-lines.js';

/** The generator's scanner pool: `clients.addresses[1 + prng.below(12)]`. */
const SCANNER_POOL = 12;

function feed(d: Detector, buf: Buffer): void {
  const rec = new LogRecord();
  for (let p = 0; p < buf.length;) {
    let nl = buf.indexOf(0x0a, p);
    if (nl < 0) nl = buf.length;
    if (nl > p) {
      if (parseRecord(buf, p, nl, rec)) d.onRecord(rec);
      else d.onInvalid(rec);
    }
    p = nl + 1;
  }
}

/** Detects over a real file as the CLI does (threads > 1: one reading thread, clients shared out: dispatch.ts). */
async function detectFile(buf: Buffer, threads: number): Promise<{ list: Suspect[]; d: Detector }> {
  const dir = mkdtempSync(join(tmpdir(), 'haloscope-detect-gen-'));
  try {
    const file = join(dir, 'access.log');
    writeFileSync(file, buf);
    const d = await detectSources(openSources([file]), {}, threads, 0);
    return { list: suspects(d), d };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('generated benign traffic (hostile: false, 100 000 lines, over 20 000 clients): zero flagged clients', async () => {
  const buf = generateLogBuffer({ seed: 20261124, lines: 100_000, malformedRate: 0.01, tcpRate: 0.01, hostile: false });
  const { list, d } = await detectFile(buf, 1);
  assert.ok(d.stats.invalid > 500, `malformed lines counted: ${d.stats.invalid}`);
  assert.ok(d.clientCount > 20_000, `${d.clientCount} clients`);
  assert.deepEqual(list.map((s) => `${s.client} ${s.verdict} ${s.rules.map((r) => r.id).join(',')}`), []);
  // The heaviest client of the Zipf pool: thousands of requests, errors included, not flagged.
  const heaviest = [...d.clients.values()].sort((a, b) => b.total - a.total)[0]!;
  assert.ok(heaviest.total > 2000 && heaviest.c4xx > 10, `heaviest: ${heaviest.total} lines, ${heaviest.c4xx} 4xx`);
});

test('generated traffic with attacks mixed in at known positions: each attack is found, nothing else (1 and 2 threads)', async () => {
  const buf = generateLogBuffer({ seed: 7, lines: 40_000, malformedRate: 0.01, tcpRate: 0.01, hostile: false });
  // 192.0.2.0/24 (TEST-NET-1) is not in the generator's pool: these clients are only the attacks.
  const at = T0 + 60_000;
  const attacks: Record<string, { rule: string; lines: string[] }> = {
    '192.0.2.1': { rule: 'bruteforce.auth', lines: times(40, (i) => http({ ip: '192.0.2.1', port: 40000, uri: '/login', status: 401, ms: at + i * 500 })) },
    '192.0.2.2': { rule: 'slow.client', lines: times(30, (i) => http({ ip: '192.0.2.2', port: 20000 + i, request: '<BADREQ>', status: 408, term: 'cR--', timers: '-1/-1/-1/-1/2000', ms: at + i * 300 })) },
    '192.0.2.3': { rule: 'probe.sqli', lines: times(10, (i) => http({ ip: '192.0.2.3', uri: `/api/items?id=${i}%20UNION%20SELECT%20NULL--`, ms: at + i * 2000 })) },
    '192.0.2.4': { rule: 'flood.requests', lines: times(1200, (i) => http({ ip: '192.0.2.4', port: 10000 + i, ms: at + i * 5 })) },
    '192.0.2.5': { rule: 'proto.bad-requests', lines: times(20, (i) => tcp({ ip: '192.0.2.5', port: 50000 + i, term: 'CR', timers: '-1/-1/0', ms: at + i * 100 })) },
    '192.0.2.6': { rule: 'scan.paths', lines: times(60, (i) => http({ ip: '192.0.2.6', uri: `/dir-${i}/`, status: 404, ua: 'gobuster/3.6', ms: at + i * 50 })) },
    '192.0.2.7': { rule: 'probe.path-traversal', lines: times(6, (i) => http({ ip: '192.0.2.7', uri: `/download?f=..%2f..%2f${i}%2fetc%2fpasswd`, status: 400, ms: at + i * 700 })) },
  };
  // Splice each attack's lines into the generated log at a spread of line positions.
  const lines = buf.toString('latin1').split('\n');
  let k = 0;
  for (const a of Object.values(attacks)) {
    for (const l of a.lines) {
      const pos = Math.min(lines.length, 1000 + ((k++ * 7919) % (lines.length - 1000)));
      lines.splice(pos, 0, l);
    }
  }
  const mixed = Buffer.from(lines.join('\n'), 'latin1');
  const one = await detectFile(mixed, 1);
  for (const [ip, a] of Object.entries(attacks)) {
    const s = one.list.find((x) => x.client === ip);
    assert.ok(s, `${ip} (${a.rule}) not found`);
    assert.ok(s.rules.some((r) => r.id === a.rule), `${ip}: ${s.rules.map((r) => r.id).join(',')}`);
    for (const r of s.rules) for (const e of r.evidence) assert.ok(e.includes(` ${ip}:`), `${ip} ${r.id}: ${e}`);
  }
  assert.deepEqual(one.list.map((s) => s.client).sort(), Object.keys(attacks).sort());
  const two = await detectFile(mixed, 2);
  assert.deepEqual(two.list, one.list, 'sharded by client: the same suspects, evidence included');
  assert.equal(two.d.clientCount, one.d.clientCount);
  assert.equal(two.d.stats.lines, one.d.stats.lines);
});

test('default generated traffic (with its scanner pool): no client that HAProxy never denied is flagged; at most the 12 scanners are', async () => {
  const buf = await generateLogBuffer({ seed: 20261124, lines: 40_000, malformedRate: 0.01, tcpRate: 0.01 });
  const d = new Detector();
  feed(d, buf);
  assert.ok(d.stats.invalid > 200, `malformed lines counted: ${d.stats.invalid}`);
  assert.ok(d.clients.size > 5_000);
  const list = suspects(d);
  const ordinary = list.filter((s) => s.counts.denied === 0);
  assert.deepEqual(ordinary.map((s) => `${s.client} ${s.rules.map((r) => r.id).join(',')}`), []);
  assert.ok(list.length <= SCANNER_POOL, `${list.length} flagged`);
  // The heaviest client of the Zipf pool is an ordinary visitor with thousands of requests.
  const heaviest = [...d.clients.values()].sort((a, b) => b.total - a.total)[0]!;
  assert.ok(heaviest.total > 600 && heaviest.denied === 0);
  assert.ok(!list.some((s) => s.client === heaviest.key));
});

test('generated traffic: the same clients are flagged whatever the syslog header format', async () => {
  const { SYSLOG_FORMATS } = await import('../../samples/generate/clock.js');
  const flagged = new Map<string, string>();
  for (const format of SYSLOG_FORMATS) {
    const d = new Detector();
    feed(d, await generateLogBuffer({ seed: 3, lines: 5000, format, malformedRate: 0.01 }));
    assert.ok(d.stats.http > 4700, `${format}: ${d.stats.http} http lines`);
    flagged.set(format, suspects(d).map((s) => `${s.client} ${s.verdict}`).sort().join(', '));
  }
  const [first, ...rest] = [...flagged.values()];
  assert.ok(first!.length > 0);
  for (const [format, v] of flagged) assert.equal(v, first, format);
  assert.equal(rest.length, SYSLOG_FORMATS.length - 1);
});
