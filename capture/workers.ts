/**
 * `--workers N`: N cluster worker processes read each socket (worker.ts) and send batches here.
 * Node.js reads one datagram per `recvmsg()` and makes a Buffer and an rinfo object for each, on
 * one thread; several readers of the same socket spread that cost over cores and take a larger
 * share of a busy machine (test/bench/capture-vs-rsyslog.ts shows the effect).
 * Lines of different workers interleave by batch; within a batch they keep their order.
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { BindError } from './errors.js';
import type { ListenAddress } from './options.js';
import type { Listener, OnDatagram, Receivers } from './receiver.js';
import { readBatch } from './worker-batch.js';
import type { FromWorker, WorkerSpec } from './worker.js';

export async function openWorkers(addresses: readonly ListenAddress[], rcvbuf: number, count: number, batchBytes: number, onDatagram: OnDatagram): Promise<Receivers> {
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./worker.js', import.meta.url)), serialization: 'advanced', silent: false });
  const spec: WorkerSpec = { listen: addresses, rcvbuf, batchBytes };
  const sender = { address: '' };
  const each = (msg: Buffer, address: string): void => {
    sender.address = address;
    onDatagram(msg, sender);
  };
  const workers: Worker[] = [];
  const done: Promise<void>[] = [];
  const listeners: Listener[] = [];

  const bound = addresses.map(() => 0);
  await new Promise<void>((resolve, reject) => {
    for (let w = 0; w < count; w++) {
      const worker = cluster.fork({ HALOSCOPE_CAPTURE_WORKER: JSON.stringify(spec) });
      workers.push(worker);
      let finished!: () => void;
      done.push(new Promise<void>((r) => (finished = r)));
      worker.on('exit', () => finished());
      worker.on('message', (m: FromWorker) => {
        switch (m.t) {
          case 'batch':
            readBatch(Buffer.from(m.b.buffer, m.b.byteOffset, m.b.byteLength), each);
            break;
          case 'bound':
            if (w === 0) listeners[m.i] = { address: addresses[m.i]!, port: m.port, type: addresses[m.i]!.type, rcvbuf: m.rcvbuf };
            if (++bound[m.i]! === count && bound.every((b) => b === count)) resolve();
            break;
          case 'error':
            reject(new BindError(`cannot listen on udp ${addresses[m.i]!.text}: ${m.code} ${m.message}`));
            break;
          case 'done':
            finished();
            break;
        }
      });
    }
  }).catch((err: unknown) => {
    for (const w of workers) w.kill();
    throw err;
  });

  return {
    listeners,
    close: async () => {
      for (const w of workers) if (w.isConnected()) w.send({ t: 'stop' });
      await Promise.all(done);
    },
  };
}
