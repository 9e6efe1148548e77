/**
 * `--readers N` (default 1): N threads read the sockets (reader-thread.ts) and this thread
 * classifies, counts and writes what they read, like rsyslog's input thread and queue worker.
 * The sockets are bound here as usual, then Node's own reads are paused and the threads read
 * the fds; each batch comes back by transfer, in read order. With one reader, datagrams keep
 * their arrival order; with several, lines of different readers interleave by batch.
 *
 * Only for lines that do not depend on the sender (read(2) does not tell it). When the fds or
 * Node's handle cannot be found, or every reader thread fails, the sockets are read on this
 * thread (receiver.ts), with a note on stderr.
 */
import { Worker } from 'node:worker_threads';
import { RuntimeCode } from './errors.js';
import type { ListenAddress } from './options.js';
import type { ReaderSpec, FromReader } from './reader-thread.js';
import { bindAll, closeAll, listenerOf, type BoundSocket, type OnDatagram, type Receivers } from './receiver.js';
import type { Reporter } from './reporter.js';
import { FLUSH_DELAY_MS } from './sink.js';
import { readBatch } from './worker-batch.js';

/** A reader told to stop has this long to hand over its last batch. */
const STOP_LIMIT_MS = 5000;

export async function openReaders(
  addresses: readonly ListenAddress[],
  rcvbuf: number,
  count: number,
  batchBytes: number,
  onDatagram: OnDatagram,
  reporter: Reporter,
  onRuntimeError: (a: ListenAddress, err: Error) => void,
): Promise<Receivers> {
  const bound = await bindAll(addresses, rcvbuf, onDatagram, true, onRuntimeError);
  const listeners = bound.map(listenerOf);
  if (!bound.every((b) => b.reader.canHandOver)) {
    reporter.info('reader threads unavailable (socket fd or handle not found); reading on the main thread');
    return { listeners, close: () => closeAll(bound) };
  }
  const fds = bound.map((b) => b.reader.handOver());
  const control = new SharedArrayBuffer(4);
  const spec: ReaderSpec = { fds, batchBytes, flushMs: FLUSH_DELAY_MS, control };
  /** Per socket, how many threads still read it. */
  const readingFd = bound.map(() => count);
  let alive = count;
  let stopping = false;

  const takeBack = (b: BoundSocket): void => b.reader.takeBack();
  const threads = Array.from({ length: count }, (_, n) => {
    const worker = new Worker(new URL('./reader-thread.js', import.meta.url), { workerData: spec });
    let lost = false;
    const done = new Promise<void>((resolve) => {
      const gone = (why: string): void => {
        if (lost) return;
        lost = true;
        resolve();
        if (stopping) return;
        alive--;
        reporter.problem(RuntimeCode.worker, `reader ${n}`, `reader thread ${n} ${why}${alive === 0 ? '; reading on the main thread' : ''}`);
        if (alive === 0) bound.forEach(takeBack);
      };
      worker.on('message', (m: FromReader) => {
        switch (m.t) {
          case 'batch':
            readBatch(Buffer.from(m.b, 0, m.len), onDatagram);
            worker.postMessage(m.b, [m.b]);
            break;
          case 'error': {
            const i = fds.indexOf(m.fd);
            const b = bound[i]!;
            reporter.problem(RuntimeCode.socket, b.address.text, `read error in reader thread ${n} on udp ${b.address.text}: ${m.code} ${m.message}`);
            if (--readingFd[i]! === 0) takeBack(b);
            break;
          }
          case 'done':
            lost = true;
            resolve();
            break;
        }
      });
      worker.on('error', (err) => gone(`failed: ${err.stack ?? err.message}`));
      worker.on('exit', (code) => gone(`exited (code ${code})`));
    });
    return { worker, done };
  });

  return {
    listeners,
    close: async () => {
      stopping = true;
      const flag = new Int32Array(control);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), STOP_LIMIT_MS)));
      if ((await Promise.race([Promise.all(threads.map((t) => t.done)), late])) === 'late') {
        reporter.problem(RuntimeCode.worker, 'stop', `a reader thread did not stop within ${STOP_LIMIT_MS / 1000} s; ending it`);
      }
      clearTimeout(timer);
      // The fds are closed below: no thread may still read them (a reused fd number).
      await Promise.all(threads.map((t) => t.worker.terminate()));
      await closeAll(bound);
    },
  };
}
