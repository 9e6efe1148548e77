/**
 * `--workers N`: N cluster worker processes read each socket (worker.ts) and send batches here.
 * Node.js reads one datagram per `recvmsg()` and makes a Buffer and an rinfo object for each, on
 * one thread; several readers of the same socket spread that cost over cores and take a larger
 * share of a busy machine (test/bench/capture-vs-rsyslog.ts shows the effect).
 * Lines of different workers interleave by batch; within a batch they keep their order.
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { BindError, RuntimeCode } from './errors.js';
import type { ListenAddress } from './options.js';
import type { Listener, OnDatagram, Receivers } from './receiver.js';
import type { Reporter } from './reporter.js';
import { readBatch } from './worker-batch.js';
import type { FromWorker, WorkerSpec } from './worker.js';

/** A worker that dies is restarted after this delay (a crash loop costs one fork a second). */
const RESTART_DELAY_MS = 1000;
/** A worker told to stop has this long to send its last batch and exit. */
const STOP_LIMIT_MS = 5000;

export async function openWorkers(
  addresses: readonly ListenAddress[],
  rcvbuf: number,
  count: number,
  batchBytes: number,
  onDatagram: OnDatagram,
  needsSender: boolean,
  reporter: Reporter,
): Promise<Receivers> {
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./worker.js', import.meta.url)), serialization: 'advanced', silent: false });
  const listeners: Listener[] = [];
  const slots: { worker: Worker; done: Promise<void>; ready: boolean }[] = [];
  let stopping = false;

  /** Forks worker `n`; resolves when all its sockets are bound. */
  const fork = (n: number, spec: WorkerSpec, restart = false): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const worker = cluster.fork({ HALOSCOPE_CAPTURE_WORKER: JSON.stringify(spec) });
      let finished!: () => void;
      const slot = { worker, done: new Promise<void>((r) => (finished = r)), ready: false };
      slots[n] = slot;
      let bound = 0;
      worker.on('exit', (code, signal) => {
        finished();
        if (stopping) return;
        reporter.problem(
          RuntimeCode.worker,
          `worker ${n}`,
          `worker ${n} (pid ${worker.process.pid}) exited unexpectedly (${signal ?? `code ${code}`}); restarting it in ${RESTART_DELAY_MS / 1000} s`,
        );
        setTimeout(() => {
          if (stopping) return;
          // Same spec: the cluster primary keys shared sockets by the address as given (port 0
          // included), so the new worker gets the socket the others still read.
          fork(n, spec, true).catch((err: Error) => reporter.problem(RuntimeCode.worker, `worker ${n}`, `cannot restart worker ${n}: ${err.message}`));
        }, RESTART_DELAY_MS);
      });
      worker.on('message', (m: FromWorker) => {
        switch (m.t) {
          case 'batch':
            readBatch(Buffer.from(m.b.buffer, m.b.byteOffset, m.b.byteLength), onDatagram);
            break;
          case 'bound':
            listeners[m.i] ??= { address: addresses[m.i]!, port: m.port, type: addresses[m.i]!.type, rcvbuf: m.rcvbuf, rcvbufForced: m.rcvbufForced, rcvbufForceError: m.rcvbufForceError };
            if (++bound === addresses.length) {
              slot.ready = true;
              if (restart) reporter.info(`worker ${n} restarted (pid ${worker.process.pid}), reading again`);
              resolve();
            }
            break;
          case 'error':
            if (slot.ready) reporter.problem(RuntimeCode.socket, addresses[m.i]!.text, `socket error in worker ${n} on udp ${addresses[m.i]!.text}: ${m.code} ${m.message}`);
            else reject(new BindError(`cannot listen on udp ${addresses[m.i]!.text}: ${m.code} ${m.message}`));
            break;
          case 'done':
            finished();
            break;
        }
      });
    });

  const spec: WorkerSpec = { listen: addresses, rcvbuf, batchBytes, needsSender };
  try {
    await Promise.all(Array.from({ length: count }, (_, n) => fork(n, spec)));
  } catch (err) {
    stopping = true;
    for (const s of slots) s?.worker.kill();
    throw err;
  }

  return {
    listeners,
    close: async () => {
      stopping = true;
      for (const { worker, ready } of slots) {
        // A worker still starting (a restart) has read nothing, and its ESM entry may not listen
        // for messages yet: end it. A ready one is told to stop and sends its last batch first.
        if (ready && worker.isConnected()) worker.send({ t: 'stop' });
        else worker.kill();
      }
      const all = Promise.all(slots.map((s) => s.done));
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), STOP_LIMIT_MS)));
      if ((await Promise.race([all, late])) === 'late') {
        reporter.problem(RuntimeCode.worker, 'stop', `a worker did not stop within ${STOP_LIMIT_MS / 1000} s; killing it`);
        for (const { worker } of slots) if (!worker.isDead()) worker.process.kill('SIGKILL');
        await all;
      }
      clearTimeout(timer);
    },
  };
}
