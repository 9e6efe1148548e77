/**
 * Busy gates (halog/detect/heat.ts): flood.requests and crawl.aggressive count a client's
 * lines once it is busy, catching up from a ring of recent lines. The ring against a plain
 * model; gated and ungated detectors against each other on attacks that start at every offset
 * of the gate's interval, ramp up from a slow start, or stay just above or below the limits.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { keepMs, RecentLines } from '../../halog/detect/heat.js';
import { suspects, type Suspect } from '../../halog/detect/verdict.js';
import { randomInts } from '../helpers/random.js';
import { detect, http, T0, tcp, times } from './log-lines.js';

interface Entry {
  slot: number;
  ms: number;
  port: number;
  flags: number;
  hash: number;
}

test('recent lines: a client replays its own lines in order, every one within the horizon, none before fromMs', () => {
  const replayMs = 40_000;
  const ring = new RecentLines(replayMs);
  const rand = randomInts(99);
  const all: Entry[] = [];
  const heads = new Map<number, number>();
  let now = T0;
  // (lines of the model are checked against the ring's replay below)
  let maxLag = 0;
  // ~1.2M lines over ~2 hours from 300 clients, accept dates up to 90 s out of order: the ring
  // grows, then wraps and overwrites what is older than its horizon.
  for (let i = 0; i < 1_200_000; i++) {
    now += rand(12);
    const lag = rand(50) === 0 ? rand(90_000) : rand(200);
    const ms = now - lag;
    maxLag = Math.max(maxLag, lag);
    const e: Entry = { slot: rand(300), ms, port: 1024 + rand(60000), flags: rand(4), hash: rand(1 << 30) };
    all.push(e);
    heads.set(e.slot, ring.push(heads.get(e.slot) ?? -1, e.ms, e.port, e.flags, e.hash, now, maxLag));
    if (i % 100_000 === 99_999) {
      for (const slot of [0, 7, 123, 299]) {
        const fromMs = now - replayMs;
        const got: Entry[] = [];
        ring.replay(heads.get(slot)!, fromMs, (m, port, flags, hash) => got.push({ slot, ms: m, port, flags, hash }));
        // The replay span (40 s) is well inside what the ring keeps (40 s + 4 x the worst lag,
        // at least 2 minutes): every line of the client accepted since fromMs, in push order.
        assert.deepEqual(got, all.filter((x) => x.slot === slot && x.ms >= fromMs), `client ${slot} at line ${i}`);
      }
    }
  }
  // Bounded by what it must keep, not by the input: 40 s + 4 x 90 s of lines at one per 5.5 ms
  // is ~73k, in a ring of 128k entries that drops the oldest only when full.
  assert.ok(keepMs(replayMs, maxLag) <= 400_000);
  assert.ok(ring.size <= 131_072, `ring holds ${ring.size} lines`);
});

/** What a verdict says, without the dates and evidence lines (which start at the replayed span: heat.ts). */
function shape(list: Suspect[]): unknown[] {
  return list.map((s) => ({ client: s.client, verdict: s.verdict, score: s.score, counts: s.counts, rules: s.rules.map((r) => ({ id: r.id, count: r.count })) }));
}

const timedHttp = (o: Parameters<typeof http>[0] & { ms: number }): { ms: number; line: string } => ({ ms: o.ms, line: http(o) });
const timedTcp = (o: Parameters<typeof tcp>[0] & { ms: number }): { ms: number; line: string } => ({ ms: o.ms, line: tcp(o) });

function compare(lines: string[], what: string): Suspect[] {
  const gated = suspects(detect(lines));
  const every = suspects(detect(lines, { busyGates: false }));
  assert.deepEqual(shape(gated), shape(every), what);
  return gated;
}

test('busy gates: floods and crawls that start at every offset of the gate interval are judged as when every line is counted', () => {
  for (let offset = 0; offset < 10_000; offset += 700) {
    const start = T0 + 600_000 + offset;
    const timed: { ms: number; line: string }[] = [
      // 520 new connections in 9 s (limit 500), after 10 minutes of one request a minute.
      ...times(10, (i) => timedHttp({ ip: '198.51.100.1', port: 30000 + i, ms: T0 + i * 60_000 })),
      ...times(520, (i) => timedHttp({ ip: '198.51.100.1', port: 2000 + i, ms: start + Math.floor((i * 9000) / 520) })),
      // 490 new connections in 9 s: just under.
      ...times(490, (i) => timedHttp({ ip: '198.51.100.2', port: 2000 + i, ms: start + Math.floor((i * 9000) / 490) })),
      // 5100 keep-alive requests in 8.5 s on 4 connections.
      ...times(5100, (i) => timedHttp({ ip: '198.51.100.3', port: 40000 + (i % 4), ms: start + Math.floor((i * 8500) / 5100) })),
      // A burst of 45 new pages in 5 s (limit 40 in 10 s), after slow browsing of 30 others.
      ...times(30, (i) => timedHttp({ ip: '198.51.100.4', uri: `/slow/${i}`, ms: T0 + i * 15_000 })),
      ...times(45, (i) => timedHttp({ ip: '198.51.100.4', uri: `/burst/${i}`, ms: start + Math.floor((i * 5000) / 45) })),
      // 38 new pages in 5 s: under.
      ...times(38, (i) => timedHttp({ ip: '198.51.100.5', uri: `/burst/${i}`, ms: start + Math.floor((i * 5000) / 38) })),
      // A crawl that revisits, fast, the 45 pages it read slowly in the 100 s before: nothing new.
      ...times(45, (i) => timedHttp({ ip: '198.51.100.6', uri: `/p/${i}`, ms: start - 100_000 + i * 2000 })),
      ...times(45, (i) => timedHttp({ ip: '198.51.100.6', uri: `/p/${i}`, ms: start + Math.floor((i * 5000) / 45) })),
      // A TCP SYN-flood-like burst of 600 sessions in 6 s.
      ...times(600, (i) => timedTcp({ ip: '198.51.100.7', port: 3000 + i, ms: start + i * 10 })),
    ];
    const lines = timed.sort((a, b) => a.ms - b.ms).map((x) => x.line);

    const flagged = compare(lines, `offset ${offset} ms`);
    const by = new Map(flagged.map((s) => [s.client, s.rules.map((r) => r.id)]));
    assert.ok(by.get('198.51.100.1')?.includes('flood.requests'), `offset ${offset}: the flood after a quiet start`);
    assert.ok(!by.get('198.51.100.2')?.includes('flood.requests'), `offset ${offset}: just under the limit`);
    assert.ok(by.get('198.51.100.3')?.includes('flood.requests'), `offset ${offset}: the keep-alive flood`);
    assert.ok(by.get('198.51.100.4')?.includes('crawl.aggressive'), `offset ${offset}: the short burst`);
    assert.ok(!by.has('198.51.100.5') && !by.has('198.51.100.6'), `offset ${offset}: under the limit, or nothing new`);
    assert.ok(by.get('198.51.100.7')?.includes('flood.requests'), `offset ${offset}: the TCP burst`);
  }
});

test('busy gates: a flood whose lines are logged out of order, and one that queued, are judged as when every line is counted', () => {
  const rand = randomInts(7);
  // Lines logged when they end: accept dates up to 20 s behind the latest.
  const late = times(700, (i) => ({ ms: T0 + 300_000 + Math.floor((i * 9000) / 700), end: 0 })).map((x) => ({ ...x, end: x.ms + rand(20_000) }));
  const lines = [
    ...late.map((x, i) => ({ at: x.end, line: http({ ip: '203.0.113.1', port: 5000 + i, ms: x.ms }) })),
    // 300 new connections in 8 s, a fifth of them queued: the limits are halved (250).
    ...times(300, (i) => ({ at: T0 + 400_000 + i * 27, line: http({ ip: '203.0.113.2', port: 7000 + i, timers: i % 5 === 0 ? '0/40/0/1/41' : '0/0/0/1/1', ms: T0 + 400_000 + i * 27 }) })),
    ...times(200, (i) => ({ at: T0 + i * 3000, line: http({ ip: '203.0.113.3', uri: `/docs/${i % 40}`, ms: T0 + i * 3000 }) })),
  ]
    .sort((a, b) => a.at - b.at)
    .map((x) => x.line);
  const flagged = compare(lines, 'disordered and queued floods');
  assert.deepEqual(flagged.map((s) => s.client).sort(), ['203.0.113.1', '203.0.113.2']);
});

test('busy gates: the explained client is counted from its first line', async () => {
  const lines = times(5, (i) => http({ ip: '192.0.2.77', port: 6000 + i, uri: `/a/${i}`, ms: T0 + i * 30_000 }));
  const d = detect(lines, { explain: '192.0.2.77' });
  const notes = d.clients.get('192.0.2.77')?.explain ?? [];
  assert.equal(notes.length, 5);
  for (const n of notes) {
    assert.match(n, /flood\.requests: new connection/);
    assert.match(n, /crawl\.aggressive: new non-static path/);
  }
});
