import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { classify, newEnvelope, type EnvelopeKind } from '../../capture/envelope.js';
import { portOf, readLines, sendAll, startCapture, tempDir } from './helpers.js';

const MSG = '127.0.0.1:40000 [24/Nov/2026:17:10:49.931] fe_web bk_app/app1 0/0/0/5/5 200 1417 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1"';

/** The header shapes HAProxy 2.6 sends (reference/logformat.md section 5), and what they hold. */
const SHAPES: readonly { kind: EnvelopeKind; datagram: string; tag: string | null; host: string | null; pid: string | null }[] = [
  { kind: 'rfc3164', datagram: `<134>Nov 24 17:10:49 haproxy[13531]: ${MSG}`, tag: 'haproxy', host: null, pid: '13531' },
  { kind: 'rfc3164', datagram: `<134>Feb  6 12:14:14 web-lb: ${MSG}`, tag: 'web-lb', host: null, pid: null },
  { kind: 'rfc3164-host', datagram: `<134>Nov 24 17:10:49 lb1.example haproxy[13531]: ${MSG}`, tag: 'haproxy', host: 'lb1.example', pid: '13531' },
  { kind: 'rfc5424', datagram: `<134>1 2026-11-24T17:10:49.931000+00:00 lb1 haproxy 13531 - - ${MSG}`, tag: 'haproxy', host: 'lb1', pid: '13531' },
  { kind: 'rfc5424', datagram: `<134>1 2026-11-24T17:10:49.931000+00:00 - edge 77 - [ex@1 k="a\\]b" n="2"][x@2] ${MSG}`, tag: 'edge', host: null, pid: '77' },
  { kind: 'timed', datagram: `<6>2026-11-24T17:10:49.931000+00:00 ${MSG}`, tag: null, host: null, pid: null },
  { kind: 'short', datagram: `<6>${MSG}`, tag: null, host: null, pid: null },
  { kind: 'priority', datagram: `<134>${MSG}`, tag: null, host: null, pid: null },
  { kind: 'iso', datagram: `2026-11-24T17:10:49.931000+00:00 ${MSG}`, tag: null, host: null, pid: null },
  { kind: 'raw', datagram: MSG, tag: null, host: null, pid: null },
];

test('each HAProxy header shape is classified and its message found', () => {
  const e = newEnvelope();
  for (const s of SHAPES) {
    const b = Buffer.from(s.datagram, 'latin1');
    classify(b, b.length, e);
    const at = (a: number, z: number): string | null => (a < 0 ? null : b.toString('latin1', a, z));
    assert.equal(e.kind, s.kind, s.datagram);
    assert.equal(b.toString('latin1', e.msgStart), MSG, `message of ${s.datagram}`);
    assert.equal(at(e.tagStart, e.tagEnd), s.tag, `tag of ${s.datagram}`);
    assert.equal(at(e.hostStart, e.hostEnd), s.host, `host of ${s.datagram}`);
    assert.equal(at(e.pidStart, e.pidEnd), s.pid, `pid of ${s.datagram}`);
  }
});

test('broken priorities and empty datagrams are malformed', () => {
  const e = newEnvelope();
  for (const bad of ['', '<>x', '<1234>x', '<192>x', '<13x', '<13']) {
    const b = Buffer.from(bad);
    assert.equal(classify(b, b.length, e).kind, 'malformed', JSON.stringify(bad));
  }
});

test('over UDP: keep writes each shape byte for byte; kinds are counted', async (t) => {
  const dir = tempDir(t);
  const { capture } = await startCapture(['--listen', '127.0.0.1:0', '--out', `${dir}/`]);
  await sendAll('udp4', portOf(capture), [...SHAPES.map((s) => `${s.datagram}\n`), '<999>broken']);
  const final = await capture.stop();
  assert.deepEqual(readLines(join(dir, 'capture.log')), [...SHAPES.map((s) => s.datagram), '<999>broken']);
  assert.equal(final.malformed, 1);
  assert.deepEqual(final.kinds, { rfc3164: 2, 'rfc3164-host': 1, rfc5424: 2, timed: 1, short: 1, priority: 1, iso: 1, raw: 1, malformed: 1 });
});

test('--format message strips every header; --format rsyslog writes Mmm dd HH:MM:SS host tag[pid]: msg', async (t) => {
  const dir = tempDir(t);
  const a = await startCapture(['--listen', '127.0.0.1:0', '--out', join(dir, 'message.log'), '--format', 'message']);
  const b = await startCapture(['--listen', '127.0.0.1:0', '--out', join(dir, 'rsyslog.log'), '--format', 'rsyslog']);
  await sendAll('udp4', portOf(a.capture), SHAPES.map((s) => s.datagram));
  await sendAll('udp4', portOf(b.capture), SHAPES.map((s) => s.datagram));
  await Promise.all([a.capture.stop(), b.capture.stop()]);
  assert.deepEqual(readLines(join(dir, 'message.log')), SHAPES.map(() => MSG));
  const rs = readLines(join(dir, 'rsyslog.log'));
  assert.equal(rs[0], `Nov 24 17:10:49 127.0.0.1 haproxy[13531]: ${MSG}`);
  assert.equal(rs[1], `Feb  6 12:14:14 127.0.0.1 web-lb: ${MSG}`);
  assert.equal(rs[2], `Nov 24 17:10:49 lb1.example haproxy[13531]: ${MSG}`);
  // Headers without a legacy time get the receive time; every line has the 5 prefix fields.
  assert.match(rs[3]!, new RegExp(`^[A-Z][a-z]{2} [ 0-9]\\d \\d\\d:\\d\\d:\\d\\d lb1 haproxy\\[13531\\]: ${escape(MSG)}$`));
  assert.match(rs[4]!, new RegExp(`^[A-Z][a-z]{2} [ 0-9]\\d \\d\\d:\\d\\d:\\d\\d 127\\.0\\.0\\.1 edge\\[77\\]: ${escape(MSG)}$`));
  for (const line of rs.slice(5)) assert.match(line, new RegExp(`^[A-Z][a-z]{2} [ 0-9]\\d \\d\\d:\\d\\d:\\d\\d 127\\.0\\.0\\.1 -: ${escape(MSG)}$`));
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

test('--split tag writes one file per syslog tag; --split host one per sending address', async (t) => {
  const dir = tempDir(t);
  const byTag = await startCapture(['--listen', '127.0.0.1:0', '--out', join(dir, 'tag'), '--split', 'tag']);
  const byHost = await startCapture(['--listen', '127.0.0.1:0', '--listen', '[::1]:0', '--out', join(dir, 'host'), '--split', 'host']);
  const datagrams = [
    '<134>Nov 24 17:10:49 haproxy[1]: one',
    '<134>Nov 24 17:10:49 edge[2]: two',
    '<134>Nov 24 17:10:49 haproxy[1]: three',
    '<134>1 2026-11-24T17:10:49.931000+00:00 - edge 2 - - four',
    '<6>five',
    '<134>Nov 24 17:10:49 ../etc[3]: six',
  ];
  await sendAll('udp4', portOf(byTag.capture), datagrams);
  await sendAll('udp4', portOf(byHost.capture, 'udp4'), datagrams.slice(0, 2));
  await sendAll('udp6', portOf(byHost.capture, 'udp6'), datagrams.slice(2));
  await Promise.all([byTag.capture.stop(), byHost.capture.stop()]);
  assert.deepEqual(readdirSync(join(dir, 'tag')).sort(), ['_._etc.log', 'edge.log', 'haproxy.log', 'untagged.log']);
  assert.deepEqual(readLines(join(dir, 'tag', 'haproxy.log')), [datagrams[0], datagrams[2]]);
  assert.deepEqual(readLines(join(dir, 'tag', 'edge.log')), [datagrams[1], datagrams[3]]);
  assert.deepEqual(readLines(join(dir, 'tag', 'untagged.log')), [datagrams[4]]);
  assert.deepEqual(readdirSync(join(dir, 'host')).sort(), ['127.0.0.1.log', '__1.log']);
  assert.deepEqual(readLines(join(dir, 'host', '__1.log')), datagrams.slice(2));
});
