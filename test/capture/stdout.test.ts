import assert from 'node:assert/strict';
import test from 'node:test';
import { sendAll, spawnCli } from './helpers.js';

test('--out - writes the lines to stdout, nothing else, and counts them', async () => {
  const cli = await spawnCli(['--listen', '[::1]:0', '--out', '-']);
  let out = '';
  cli.child.stdout!.setEncoding('latin1').on('data', (d: string) => (out += d));
  const sent = Array.from({ length: 300 }, (_, i) => `<134>Nov 24 17:10:49 haproxy[7]: line ${i}\n`);
  await sendAll('udp6', cli.ports.udp6!, sent);
  assert.equal(await cli.stop('SIGTERM'), 0);
  assert.equal(out, sent.join(''));
  assert.match(cli.stderr(), /stopped on SIGTERM: received=300 written=300 pending=0 unwritten=0 /);
});
