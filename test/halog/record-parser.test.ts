import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogRecord, parseRecord, RecordKind } from '../../halog/parse/record.js';
import { CORPUS } from '../helpers/paths.js';

interface Observed {
  log_lines: number;
  http_lines: number;
  tcp_lines: number;
  status: Record<string, number>;
  termination_state: Record<string, number>;
  backend_server: Record<string, number>;
  bytes_read_total: number;
  captured_user_agents?: Record<string, number>;
}

/** The full-record parser agrees with the corpus ground truth, source by source. */
test('record parser: corpus lines match truth.json per client', () => {
  const buf = readFileSync(join(CORPUS, 'access.log'));
  const truth = JSON.parse(readFileSync(join(CORPUS, 'truth.json'), 'utf8')) as {
    http_lines: number;
    tcp_lines: number;
    lines_total: number;
    sources: Record<string, { observed: Observed }>;
  };
  const rec = new LogRecord();
  const seen = new Map<string, Observed>();
  let http = 0;
  let tcp = 0;
  let invalid = 0;
  for (let p = 0; p < buf.length;) {
    let nl = buf.indexOf(0x0a, p);
    if (nl < 0) nl = buf.length;
    if (!parseRecord(buf, p, nl, rec)) invalid++;
    else {
      const ip = rec.text(rec.clientIp);
      let o = seen.get(ip);
      if (!o) {
        o = { log_lines: 0, http_lines: 0, tcp_lines: 0, status: {}, termination_state: {}, backend_server: {}, bytes_read_total: 0, captured_user_agents: {} };
        seen.set(ip, o);
      }
      o.log_lines++;
      o.bytes_read_total += rec.bytesRead;
      const bs = `${rec.text(rec.backend)}/${rec.text(rec.server)}`;
      o.backend_server[bs] = (o.backend_server[bs] ?? 0) + 1;
      const ts = rec.buf.toString('latin1', rec.termination.start, rec.termination.start + 2);
      o.termination_state[ts] = (o.termination_state[ts] ?? 0) + 1;
      if (rec.kind === RecordKind.http) {
        http++;
        o.http_lines++;
        o.status[String(rec.status)] = (o.status[String(rec.status)] ?? 0) + 1;
        if (rec.captureBlocks > 0) {
          const ua = rec.captureField(rec.requestCaptures, 1);
          o.captured_user_agents![ua] = (o.captured_user_agents![ua] ?? 0) + 1;
        }
      } else {
        tcp++;
        o.tcp_lines++;
      }
    }
    p = nl + 1;
  }
  assert.equal(http, truth.http_lines);
  assert.equal(tcp, truth.tcp_lines);
  assert.equal(http + tcp + invalid, truth.lines_total);
  for (const [ip, src] of Object.entries(truth.sources)) {
    const got = seen.get(ip);
    assert.ok(got, `source ${ip} missing`);
    assert.equal(got.log_lines, src.observed.log_lines, `${ip} lines`);
    assert.equal(got.tcp_lines, src.observed.tcp_lines, `${ip} tcp lines`);
    assert.equal(got.bytes_read_total, src.observed.bytes_read_total, `${ip} bytes`);
    if (src.observed.http_lines) assert.deepEqual(got.status, src.observed.status, `${ip} statuses`);
    assert.deepEqual(got.termination_state, src.observed.termination_state, `${ip} termination states`);
    assert.deepEqual(got.backend_server, src.observed.backend_server, `${ip} servers`);
    for (const [ua, n] of Object.entries(src.observed.captured_user_agents ?? {})) {
      assert.equal(got.captured_user_agents![ua], n, `${ip} user agent ${ua}`);
    }
  }
});

test('record parser: any syslog header shape, and garbage is rejected with a reason', () => {
  const body = '10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html?x=1 HTTP/1.1"';
  const shapes = [
    `Feb  6 12:14:14 localhost haproxy[14389]: ${body}`,
    `<134>Feb  6 12:14:14 haproxy[14389]: ${body}`,
    `<134>1 2009-02-06T12:14:14.655+00:00 lb1 haproxy 14389 - - ${body}`,
    `<6>${body}`,
    body,
  ];
  const rec = new LogRecord();
  for (const line of shapes) {
    const b = Buffer.from(line, 'latin1');
    assert.ok(parseRecord(b, 0, b.length, rec), line);
    assert.equal(rec.text(rec.clientIp), '10.0.1.2');
    assert.equal(rec.acceptMs, Date.UTC(2009, 1, 6, 12, 14, 14, 655));
    assert.deepEqual([...rec.timers], [10, 0, 30, 69, 109]);
    assert.equal(rec.status, 200);
    assert.equal(rec.text(rec.uri), '/index.html?x=1');
    assert.equal(rec.captureField(rec.requestCaptures, 0), '1wt.eu');
  }
  const ipv6 = Buffer.from('2001:db8::5:43210 [06/Feb/2009:12:14:14.655] fe be/s 1/0/0/1/2 404 10 - - ---- 1/1/1/1/0 0/0 "GET / HTTP/1.1"', 'latin1');
  assert.ok(parseRecord(ipv6, 0, ipv6.length, rec));
  assert.equal(rec.text(rec.clientIp), '2001:db8::5');
  assert.equal(rec.clientPort, 43210);
  const bad = Buffer.from('10.0.1.4:40003 [06/Feb/2009:12:14:18.000] http-in http-in/<NOSRV> -1/-1/-1/-1/8 400 187 - - CR-- 1/1/1/1/0 0/0 "<BADREQ>"', 'latin1');
  assert.ok(parseRecord(bad, 0, bad.length, rec));
  assert.ok(rec.isBadRequest);
  for (const junk of ['', 'garbage', '\xff\xfe [', 'a:1 [31/Xyz/2009:00:00:00.000] f b/s 1/2/3 4', 'a:1 [06/Feb/2009:12:14:14.655] f b/s 1/x/3 4 -- 1/1/1/1/0 0/0']) {
    const b = Buffer.from(junk, 'latin1');
    assert.equal(parseRecord(b, 0, b.length, rec), false, junk);
    assert.ok(rec.invalidReason.length > 0);
  }
});
