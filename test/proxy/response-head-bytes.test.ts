/** The response head written as bytes (what the session sends) against responseHeadText(), on fixed heads (no network). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { responseHeadLength, responseHeadText, responseHtxBytes, writeResponseHead } from '../../proxy/http/responses.js';
import type { Header } from '../../proxy/http/parser.js';

const NGINX: Header[] = [
  { name: 'server', value: 'nginx/1.22.1' },
  { name: 'date', value: 'Sat, 28 Nov 2026 01:55:29 GMT' },
  { name: 'content-type', value: 'text/plain' },
  { name: 'content-length', value: '64' },
  { name: 'connection', value: 'keep-alive' },
  { name: 'etag', value: '"6b0a30b3-40"' },
];

test('writeResponseHead writes the bytes of responseHeadText, responseHeadLength and responseHtxBytes agree with it', () => {
  const cases: [string, number, string, Header[]][] = [
    ['HTTP/1.1', 200, 'OK', NGINX],
    ['HTTP/1.0', 200, 'OK', NGINX],
    ['HTTP/1.1', 304, '', []],
    ['HTTP/1.1', 101, 'Switching Protocols', [{ name: 'upgrade', value: 'websocket' }, { name: 'connection', value: 'upgrade' }]],
    ['HTTP/1.0', 502, 'Bad \xe9 Gateway', [{ name: 'x-8bit', value: 'caf\xe9\x01' }, { name: 'set-cookie', value: 'a=b; path=/' }]],
  ];
  const out = Buffer.alloc(1024, 0xee);
  for (const [v, status, reason, headers] of cases)
    for (const keep of [true, false]) {
      const ref = responseHeadText(v, status, reason, headers, keep);
      out.fill(0xee);
      const end = writeResponseHead(out, 3, v, status, reason, headers, keep);
      assert.equal(out.toString('latin1', 3, end), ref.text);
      assert.equal(responseHeadLength(v, status, reason, headers, keep), end - 3);
      assert.equal(responseHtxBytes(v, reason, headers), ref.htxBytes);
      assert.equal(out[end], 0xee);
    }
});
