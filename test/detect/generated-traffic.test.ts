/**
 * Generated traffic (samples/generate-log.ts): many users, many URLs, normal error rates,
 * 1% malformed and 1% tcplog lines.
 *
 * The generator has no "attack scenario" switch, but its traffic table does include probes:
 * its `scanner()` clients (12 addresses near the head of the pool) send the denied (403 PR,
 * 400 PR traversal), tarpitted (500 PT) and tool-user-agent requests. Those are attacks by
 * construction and should be flagged. The bound asserted: no client that HAProxy never denied
 * or tarpitted is flagged at all (every ordinary visitor, including the heaviest one, which
 * sends ~10 requests/s on a new connection each time and gets the generator's 401s, 404s,
 * XSS-looking 404 URL and CR/cR lines), and at most those 12 are.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateLogBuffer } from '../../samples/generate-log.js';
import { LogRecord, parseRecord } from '../../halog/parse/record.js';
import { Detector } from '../../halog/detect/detector.js';
import { suspects } from '../../halog/detect/verdict.js';
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

test('generated benign traffic: no client that HAProxy never denied is flagged; at most the 12 scanners are', async () => {
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

test('generated traffic with attacks mixed in at known positions: each attack is found', async () => {
  const buf = await generateLogBuffer({ seed: 7, lines: 30_000, malformedRate: 0.01, tcpRate: 0.01 });
  // 192.0.2.0/24 (TEST-NET-1) is not in the generator's pool: these clients are only the attacks.
  const at = T0 + 60_000;
  const attacks: Record<string, { rule: string; lines: string[] }> = {
    '192.0.2.1': { rule: 'bruteforce.auth', lines: times(40, (i) => http({ ip: '192.0.2.1', port: 40000, uri: '/login', status: 401, ms: at + i * 500 })) },
    '192.0.2.2': { rule: 'slow.client', lines: times(30, (i) => http({ ip: '192.0.2.2', port: 20000 + i, request: '<BADREQ>', status: 408, term: 'cR--', timers: '-1/-1/-1/-1/2000', ms: at + i * 300 })) },
    '192.0.2.3': { rule: 'probe.sqli', lines: times(10, (i) => http({ ip: '192.0.2.3', uri: `/api/items?id=${i}%20UNION%20SELECT%20NULL--`, ms: at + i * 2000 })) },
    '192.0.2.4': { rule: 'flood.requests', lines: times(1200, (i) => http({ ip: '192.0.2.4', port: 10000 + i, ms: at + i * 5 })) },
    '192.0.2.5': { rule: 'proto.bad-requests', lines: times(20, (i) => tcp({ ip: '192.0.2.5', port: 50000 + i, term: 'CR', timers: '-1/-1/0', ms: at + i * 100 })) },
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
  const d = new Detector();
  feed(d, Buffer.from(lines.join('\n'), 'latin1'));
  const list = suspects(d);
  for (const [ip, a] of Object.entries(attacks)) {
    const s = list.find((x) => x.client === ip);
    assert.ok(s, `${ip} (${a.rule}) not found`);
    assert.ok(s.rules.some((r) => r.id === a.rule), `${ip}: ${s.rules.map((r) => r.id).join(',')}`);
  }
  assert.deepEqual(list.filter((s) => s.counts.denied === 0 && !(s.client in attacks)).map((s) => s.client), []);
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
