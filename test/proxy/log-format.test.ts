/** The httplog formatter, escaping and syslog headers, on fixed records (no network). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHeader, escapeRequest } from '../../proxy/log/escape.js';
import { formatHttplog, httplogInto } from '../../proxy/log/httplog.js';
import { headerBuilder } from '../../proxy/log/syslog-header.js';
import { newRecord } from '../../proxy/session/record.js';
import { HttpField } from '../../proxy/log/format/fields.js';
import type { LogTarget } from '../../proxy/config/types.js';

test('captured headers escape controls, >= 0x7f and " # { | } but not spaces', () => {
  assert.equal(escapeHeader('a b\t"#{|}\x7f\xe9\r\n'), 'a b#09#22#23#7B#7C#7D#7F#E9#0D#0A');
  assert.equal(escapeRequest('GET /a"b{|}#\x01 HTTP/1.1'), 'GET /a#22b{|}#23#01 HTTP/1.1');
});

test('an httplog line is built from recorded events only', () => {
  const t0 = new Date(2009, 1, 6, 12, 14, 14, 655).getTime();
  const r = newRecord('10.0.1.2', 33317, 'http-in', t0 - 5, t0 - 5);
  Object.assign(r, {
    dateMs: t0,
    tFirstByte: t0,
    tRequest: t0 + 10,
    tQueue: t0 + 10,
    tConnect: t0 + 40,
    tResponse: t0 + 109,
    tClose: t0 + 109,
    backend: 'static',
    server: 'srv1',
    status: 200,
    bytesOut: 2750,
    actconn: 1,
    feconn: 1,
    beconn: 1,
    srvConn: 1,
    reqCaptures: ['1wt.eu'],
    resCaptures: [null],
    requestLine: 'GET /index.html HTTP/1.1',
  });
  const line = formatHttplog(r);
  assert.equal(line, '10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1"');
  assert.equal(line.split(' ')[HttpField.timers], '10/0/30/69/109');
});

test('requests that never reached a server print -1 timers, <NOSRV>, <BADREQ>, + on redispatch', () => {
  const t0 = Date.UTC(2026, 0, 1);
  const r = newRecord('::1', 5, 'fe', t0, t0);
  Object.assign(r, { tClose: t0 + 3, status: 400, cause: 'P', state: 'R', retries: 2, redispatched: true });
  assert.match(formatHttplog(r), /^::1:5 \[[^\]]+\] fe fe\/<NOSRV> -1\/-1\/-1\/-1\/3 400 0 - - PR-- 0\/0\/0\/0\/\+2 0\/0 "<BADREQ>"$/);
});

const target = (format: LogTarget['format'], extra: Partial<LogTarget> = {}): LogTarget => ({
  address: { host: '127.0.0.1', port: 514, family: 4 },
  len: 1024,
  format,
  facility: 16,
  level: 7,
  minLevel: 0,
  ...extra,
});

test('syslog headers follow HAProxy 2.6 for each format', () => {
  const ms = new Date(2026, 1, 6, 9, 4, 5, 123).getTime();
  const h = (t: LogTarget, host: string | null = null): string => headerBuilder(t, 'haproxy', 42, host).build(6, ms, 456).toString('latin1');
  assert.equal(h(target('local')), '<134>Feb  6 09:04:05 haproxy[42]: ');
  assert.equal(h(target('rfc3164')), '<134>Feb  6 09:04:05 localhost haproxy[42]: ');
  assert.match(h(target('rfc5424')), /^<134>1 2026-02-06T09:04:05\.123456[+-]\d\d:\d\d - haproxy 42 - - $/);
  assert.equal(h(target('short')), '<6>');
  assert.equal(h(target('raw')), '');
  assert.equal(h(target('priority', { facility: 3 })), '<30>');
  assert.equal(h(target('short', { minLevel: 7 })), '<7>', 'minlevel caps severity');
});

test('the byte writer of a line gives formatHttplog\'s bytes, and -1 when the line might not fit', () => {
  const t0 = new Date(2026, 10, 28, 2, 3, 4, 7).getTime();
  const base = (): ReturnType<typeof newRecord> => newRecord('10.0.1.2', 65535, 'fe~', t0 - 5, t0 - 5);
  const records = [
    base(),
    Object.assign(base(), { dateMs: t0, tFirstByte: t0, tRequest: t0 + 1, tQueue: t0 + 1, tConnect: t0 + 12, tResponse: t0 + 1234, tClose: t0 + 98765 }),
    Object.assign(base(), { status: 200, bytesOut: 2 ** 40 + 3, server: 's1', backend: 'be', actconn: 12, feconn: 10, beconn: 100, srvConn: 9, srvQueue: 1, bkQueue: 20 }),
    Object.assign(base(), { cause: 'C', state: 'D', cookieIn: 'V', cookieOut: 'I', retries: 3, redispatched: true, reqCookie: 'SRV=a', resCookie: 'SRV=b; path=/' }),
    Object.assign(base(), { reqCaptures: ['a b\t"#{|}\x7f\xe9', null, ''], resCaptures: [null], requestLine: 'GET /a"b{|}#\x01\xff HTTP/1.1', tlsFields: 'TLSv1.3 TLS_AES_128_GCM_SHA256' }),
    Object.assign(base(), { clientIp: '::1', dateMs: t0 + 999, requestLine: 'GET / HTTP/1.0', status: 503 }),
  ];
  const out = Buffer.alloc(4096, 0xee);
  for (const r of records) {
    const n = httplogInto(r, out, 7);
    assert.equal(out.toString('latin1', 7, n), formatHttplog(r));
  }
  const long = Object.assign(base(), { requestLine: 'GET /' + 'x'.repeat(2000) + ' HTTP/1.1' });
  assert.equal(httplogInto(long, Buffer.alloc(1024), 0), -1);
  const big = Buffer.alloc(8192);
  assert.equal(big.toString('latin1', 0, httplogInto(long, big, 0)), formatHttplog(long));
});
