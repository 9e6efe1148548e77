/** The response head the session writes as bytes, on fixed heads (no network): text, length, `%B` size. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { responseHeadLength, responseHtxBytes, serializeResponseHead, writeResponseHead } from '../../proxy/http/responses.js';
import type { Header } from '../../proxy/http/parser.js';

const NGINX: Header[] = [
  { name: 'server', value: 'nginx/1.22.1' },
  { name: 'date', value: 'Sat, 28 Nov 2026 01:55:29 GMT' },
  { name: 'content-type', value: 'text/plain' },
  { name: 'content-length', value: '64' },
  { name: 'connection', value: 'keep-alive' },
  { name: 'etag', value: '"6b0a30b3-40"' },
];
const NGINX_LINES = 'server: nginx/1.22.1\r\ndate: Sat, 28 Nov 2026 01:55:29 GMT\r\ncontent-type: text/plain\r\ncontent-length: 64\r\netag: "6b0a30b3-40"\r\n';

test('a response head is written as HAProxy sends it: the server\'s connection header replaced by the client\'s fate', () => {
  // [version, status, reason, headers, client kept open, expected text, expected %B (HTX: 20 + version + 3 + reason + 1 + names and values but connection)]
  const cases: [string, number, string, Header[], boolean, string, number][] = [
    ['HTTP/1.1', 200, 'OK', NGINX, true, `HTTP/1.1 200 OK\r\n${NGINX_LINES}\r\n`, 34 + 106],
    ['HTTP/1.1', 200, 'OK', NGINX, false, `HTTP/1.1 200 OK\r\n${NGINX_LINES}connection: close\r\n\r\n`, 34 + 106],
    ['HTTP/1.0', 200, 'OK', NGINX, true, `HTTP/1.0 200 OK\r\n${NGINX_LINES}connection: keep-alive\r\n\r\n`, 34 + 106],
    ['HTTP/1.0', 200, 'OK', NGINX, false, `HTTP/1.0 200 OK\r\n${NGINX_LINES}\r\n`, 34 + 106],
    ['HTTP/1.1', 304, '', [], true, 'HTTP/1.1 304 \r\n\r\n', 32],
    ['HTTP/1.1', 101, 'Switching Protocols', [{ name: 'upgrade', value: 'websocket' }, { name: 'connection', value: 'upgrade' }], true, 'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n', 51 + 16],
    ['HTTP/1.0', 502, 'Bad \xe9 Gateway', [{ name: 'x-8bit', value: 'caf\xe9\x01' }], false, 'HTTP/1.0 502 Bad \xe9 Gateway\r\nx-8bit: caf\xe9\x01\r\n\r\n', 45 + 11],
  ];
  const out = Buffer.alloc(1024, 0xee);
  for (const [v, status, reason, headers, keep, text, htx] of cases) {
    out.fill(0xee);
    const end = writeResponseHead(out, 3, v, status, reason, headers, keep);
    assert.equal(out.toString('latin1', 3, end), text, `${v} ${status} keep=${keep}`);
    assert.equal(out[end], 0xee, 'nothing written past the end');
    assert.equal(responseHeadLength(v, status, reason, headers, keep), end - 3);
    assert.equal(responseHtxBytes(v, reason, headers), htx);
    const whole = serializeResponseHead(v, status, reason, headers, keep);
    assert.equal(whole.wire.toString('latin1'), text);
    assert.equal(whole.htxBytes, htx);
  }
});
