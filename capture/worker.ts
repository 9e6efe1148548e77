/**
 * A capture worker process (`--workers N`): binds each --listen with a socket shared through the
 * cluster primary (`exclusive: false`, so all workers read the same kernel socket and the kernel
 * hands each datagram to one of them), and forwards datagrams in batches to the primary, which
 * classifies, counts and writes them. A worker obeys only the primary: terminal signals are
 * ignored so that Ctrl-C stops capture in order, and it exits when the primary goes away.
 */
import dgram from 'node:dgram';
import type { ListenAddress } from './options.js';
import { forceReceiveBuffer } from './force-rcvbuf.js';
import { SocketReader } from './receiver.js';
import { FLUSH_DELAY_MS } from './sink.js';
import { BatchWriter } from './worker-batch.js';

export interface WorkerSpec {
  readonly listen: readonly ListenAddress[];
  readonly rcvbuf: number;
  readonly batchBytes: number;
  /** Whether the primary needs each datagram's sender (else datagrams are read without it). */
  readonly needsSender: boolean;
}

export type FromWorker =
  | { readonly t: 'bound'; readonly i: number; readonly port: number; readonly rcvbuf: number; readonly rcvbufForced: boolean; readonly rcvbufForceError: string | null }
  | { readonly t: 'error'; readonly i: number; readonly code: string; readonly message: string }
  | { readonly t: 'batch'; readonly b: Uint8Array }
  | { readonly t: 'done' };

export type ToWorker = { readonly t: 'stop' };

function send(m: FromWorker, cb?: () => void): void {
  process.send!(m, undefined, undefined, cb ? () => cb() : undefined);
}

function run(spec: WorkerSpec): void {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR1'] as const) process.on(sig, () => undefined);
  process.on('disconnect', () => process.exit(0));

  const batch = new BatchWriter(spec.batchBytes);
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (!batch.empty) send({ t: 'batch', b: batch.take() });
  };
  const onDatagram = (msg: Buffer, start: number, end: number, sender: string): void => {
    if (batch.add(msg, start, end, sender)) flush();
    else if (!scheduled) {
      scheduled = true;
      setTimeout(flush, FLUSH_DELAY_MS);
    }
  };

  const readers: SocketReader[] = [];
  const readInto = (fd: number): boolean => {
    if (batch.readFrom(fd) < 0) return false;
    if (batch.full) flush();
    else if (!scheduled) {
      scheduled = true;
      setTimeout(flush, FLUSH_DELAY_MS);
    }
    return true;
  };

  const sockets = spec.listen.map((a, i) => {
    const s = dgram.createSocket({ type: a.type, ipv6Only: a.type === 'udp6', recvBufferSize: spec.rcvbuf });
    s.on('error', (err: NodeJS.ErrnoException) => send({ t: 'error', i, code: err.code ?? '', message: err.message }));
    // Without the sender, datagrams are read straight into the batch (no copy).
    const reader = new SocketReader(s, onDatagram, spec.needsSender ? null : readInto);
    readers.push(reader);
    s.bind({ port: a.port, address: a.host, exclusive: false }, () => {
      const port = s.address().port;
      // The workers share one socket and each bind sets SO_RCVBUF again (back under the cap), so each forces it again.
      const buffer = forceReceiveBuffer(s, a.type, port, spec.rcvbuf);
      reader.bound(a.type, port);
      send({ t: 'bound', i, port, rcvbuf: buffer.rcvbuf, rcvbufForced: buffer.forced, rcvbufForceError: buffer.error });
    });
    return s;
  });

  process.on('message', (m: ToWorker) => {
    if (m.t !== 'stop') return;
    for (const r of readers) r.stop();
    for (const s of sockets) s.close();
    flush();
    send({ t: 'done' }, () => process.disconnect());
  });
}

const spec = process.env.HALOSCOPE_CAPTURE_WORKER;
if (spec && process.send) run(JSON.parse(spec) as WorkerSpec);
