import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import { forceReceiveBuffer } from '../../capture/force-rcvbuf.js';
import { startCapture, tempDir } from './helpers.js';

const rmemMax = (): number => Number(readFileSync('/proc/sys/net/core/rmem_max', 'latin1').trim());
const isRoot = process.geteuid?.() === 0;

test('a receive buffer above net.core.rmem_max: forced with SO_RCVBUFFORCE as root, else the cap and its fix are reported', async (t) => {
  const dir = tempDir(t);
  const asked = Math.max(4 * rmemMax(), 8 << 20);
  const { capture, log } = await startCapture(['--listen', '127.0.0.1:0', '--out', `${dir}/`, '--rcvbuf', String(asked)]);
  const [l] = capture.listeners;
  await capture.stop();
  if (isRoot) {
    assert.equal(l!.rcvbufForced, true, `not forced: ${l!.rcvbufForceError}`);
    assert.equal(l!.rcvbuf, asked * 2, 'the kernel reports twice the value set');
    assert.match(log.join(''), new RegExp(`receive buffer on udp4 127\\.0\\.0\\.1:\\d+ set to ${asked} bytes past net\\.core\\.rmem_max \\(\\d+\\) with SO_RCVBUFFORCE, as root`));
    assert.doesNotMatch(log.join(''), /E_CAPTURE_RCVBUF_CAPPED/);
  } else {
    assert.equal(l!.rcvbufForced, false);
    assert.ok(l!.rcvbuf < asked * 2);
    assert.match(log.join(''), /is \d+ bytes, not the \d+ asked: the kernel caps it at 2 x net\.core\.rmem_max .*run capture as root \(it then sets SO_RCVBUFFORCE\) \[E_CAPTURE_RCVBUF_CAPPED\]/);
  }
});

test('SO_RCVBUFFORCE: nothing is tried when the buffer asked was granted; a failure says why', { skip: isRoot ? false : 'needs root' }, async () => {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 64 << 10 });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const port = socket.address().port;
  try {
    const granted = forceReceiveBuffer(socket, 'udp4', port, 64 << 10);
    assert.deepEqual(granted, { rcvbuf: socket.getRecvBufferSize(), forced: false, error: null });
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    let failed;
    try {
      failed = forceReceiveBuffer(socket, 'udp4', port, 4 * rmemMax());
    } finally {
      process.env.PATH = path;
    }
    assert.equal(failed.forced, false);
    assert.equal(failed.error, 'perl: ENOENT');
    assert.equal(failed.rcvbuf, 2 * (64 << 10), 'the buffer is left as it was');
  } finally {
    socket.close();
  }
});
