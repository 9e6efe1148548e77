import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { HTTP_LINE, corpusLines, findHalog, halog, portOf, readLines, sendAll, startCapture, tempDir } from './helpers.js';

test('real halog reads what capture wrote: -c counts every line, -srv has 0 parsing errors and matches the direct file', async (t) => {
  const bin = findHalog();
  if (!bin) {
    if (process.env.CI) assert.fail('halog is not installed (apt-get install haproxy); CI must run this test');
    return t.skip('halog not installed (Debian: apt-get install haproxy, it ships /usr/sbin/halog)');
  }
  const corpus = corpusLines();
  if ('skip' in corpus) return t.skip(corpus.skip);
  const http = corpus.lines.filter((l) => HTTP_LINE.test(l));
  assert.ok(http.length > 7000, `expected the corpus HTTP lines, got ${http.length}`);

  const dir = tempDir(t);
  const keep = await startCapture(['--listen', '127.0.0.1:0', '--out', join(dir, 'keep.log')]);
  const rsyslog = await startCapture(['--listen', '[::1]:0', '--out', join(dir, 'rsyslog.log'), '--format', 'rsyslog']);
  // As HAProxy sends them: each datagram ends with a newline.
  const datagrams = http.map((l) => `${l}\n`);
  await Promise.all([sendAll('udp4', portOf(keep.capture), datagrams), sendAll('udp6', portOf(rsyslog.capture, 'udp6'), datagrams)]);
  const [a, b] = await Promise.all([keep.capture.stop(), rsyslog.capture.stop()]);
  assert.deepEqual([a.received, a.kernelDropped, b.received, b.kernelDropped], [http.length, 0, http.length, 0]);
  assert.equal(a.written, http.length);
  assert.equal(b.written, http.length);
  const direct = join(dir, 'direct.log');
  writeFileSync(direct, datagrams.join(''), 'latin1');
  assert.deepEqual(readLines(join(dir, 'keep.log')), http);

  const c = halog(bin, ['-s', '0', '-c'], join(dir, 'keep.log'));
  assert.equal(c.status, 0, c.err);
  assert.equal(c.out.trim(), String(http.length));

  const srv = halog(bin, ['-s', '0', '-srv'], join(dir, 'keep.log'));
  assert.equal(srv.status, 0, srv.err);
  assert.match(srv.err, new RegExp(`^${http.length} lines in, \\d+ lines out, 0 parsing errors`));
  assert.equal(srv.out, halog(bin, ['-s', '0', '-srv'], direct).out);

  // --format rsyslog adds the host field: halog's default skip reads it, with the same report.
  const rs = halog(bin, ['-srv'], join(dir, 'rsyslog.log'));
  assert.equal(rs.status, 0, rs.err);
  assert.match(rs.err, new RegExp(`^${http.length} lines in, \\d+ lines out, 0 parsing errors`));
  assert.equal(rs.out, srv.out);
});
