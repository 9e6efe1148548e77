/**
 * `--readers N` (default 1): while traffic is heavy, N threads read the sockets
 * (reader-thread.ts) and this thread classifies, counts and writes what they read, like
 * rsyslog's input thread and queue worker. The sockets are bound and read here as usual
 * (receiver.ts); when a read finds datagrams already queued behind the one Node delivered
 * (busy), Node's reads are paused and the threads are woken to read the fds; each batch comes
 * back by transfer, in read order. When every thread has found nothing for about 50 ms it
 * parks, and this thread reads the sockets again: an idle or quiet collector has no thread
 * polling. With one reader, datagrams keep their arrival order (the hand-overs happen only
 * between reads); with several, lines of different readers interleave by batch.
 *
 * Only for lines that do not depend on the sender (read(2) does not tell it). When the fds or
 * Node's handle cannot be found, or every reader thread fails, the sockets are read on this
 * thread alone, with a note on stderr.
 */
import { Worker } from 'node:worker_threads';
import { RuntimeCode } from './errors.js';
import type { ListenAddress } from './options.js';
import type { FromReader, ReaderSpec } from './reader-thread.js';
import { bindAll, closeAll, listenerOf, type OnDatagram, type Receivers } from './receiver.js';
import type { Reporter } from './reporter.js';
import { FLUSH_DELAY_MS } from './sink.js';
import { readBatch } from './worker-batch.js';

/** A reader told to stop has this long to hand over its last batch. */
const STOP_LIMIT_MS = 5000;
/** start() waits at most this long for the threads to be up. */
const READY_LIMIT_MS = 3000;

/** A thread starts parked once it is up (until then the main thread reads, polling if busy). */
type ThreadState = 'starting' | 'reading' | 'parked' | 'gone';

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
  const fds = bound.map((b) => b.reader.fd);
  if (fds.some((fd) => fd < 0)) {
    reporter.info('reader threads unavailable (socket fd or handle not found); reading on the main thread');
    return { listeners, close: () => closeAll(bound) };
  }
  const control = new SharedArrayBuffer(12);
  const flags = new Int32Array(control);
  const spec: ReaderSpec = { fds, batchBytes, flushMs: FLUSH_DELAY_MS, control };
  /** Sockets left to this thread for good (a read error in the reader threads). */
  const excluded = new Set<number>();
  const states: ThreadState[] = Array.from({ length: count }, () => 'starting');
  let stopping = false;
  let syncs = 0;
  /** Per thread, the last sync request it answered; waiters are checked on each answer. */
  const synced: number[] = Array.from({ length: count }, () => 0);
  let syncWaiters: { n: number; resolve: () => void }[] = [];
  const checkSyncs = (): void => {
    // A parked or lost thread holds nothing: only reading threads must answer.
    syncWaiters = syncWaiters.filter((w) => {
      const ok = states.every((s, i) => s !== 'reading' || synced[i]! >= w.n);
      if (ok) w.resolve();
      return !ok;
    });
  };

  const ours = (): typeof bound => bound.filter((_, i) => !excluded.has(i));
  const wake = (): boolean => {
    if (stopping || states.includes('reading') || !states.includes('parked')) return false;
    for (let i = 0; i < states.length; i++) if (states[i] === 'parked') states[i] = 'reading';
    for (const b of ours()) b.reader.handOver();
    Atomics.add(flags, 1, 1);
    Atomics.notify(flags, 1);
    return true;
  };
  /** After a thread parked or was lost: when none reads any more, this thread reads. */
  const settle = (): void => {
    if (stopping || states.includes('reading')) return;
    for (const b of ours()) b.reader.takeBack();
    if (!states.includes('parked') && !states.includes('starting')) {
      reporter.info('no reader thread left; reading on the main thread');
      for (const b of bound) b.reader.onBusy = null;
    }
  };
  for (const b of bound) b.reader.onBusy = wake;

  let ready!: () => void;
  const allReady = new Promise<void>((r) => (ready = r));
  const checkReady = (): void => {
    if (!states.includes('starting')) ready();
  };
  const threads = Array.from({ length: count }, (_, n) => {
    const worker = new Worker(new URL('./reader-thread.js', import.meta.url), { workerData: spec });
    let settled = false;
    const done = new Promise<void>((resolve) => {
      const gone = (why: string): void => {
        if (settled) return;
        settled = true;
        states[n] = 'gone';
        resolve();
        if (stopping) return;
        reporter.problem(RuntimeCode.worker, `reader ${n}`, `reader thread ${n} ${why}`);
        settle();
        checkSyncs();
        checkReady();
      };
      worker.on('message', (m: FromReader) => {
        switch (m.t) {
          case 'batch':
            readBatch(Buffer.from(m.b, 0, m.len), onDatagram);
            worker.postMessage(m.b, [m.b]);
            break;
          case 'idle':
            if (states[n] === 'reading' || states[n] === 'starting') states[n] = 'parked';
            settle();
            checkSyncs();
            checkReady();
            break;
          case 'synced':
            synced[n] = m.n;
            checkSyncs();
            break;
          case 'error': {
            const i = fds.indexOf(m.fd);
            const b = bound[i]!;
            reporter.problem(RuntimeCode.socket, b.address.text, `read error in reader thread ${n} on udp ${b.address.text}: ${m.code} ${m.message}; reading it on the main thread`);
            if (!excluded.has(i)) {
              excluded.add(i);
              b.reader.onBusy = null;
              b.reader.takeBack();
            }
            break;
          }
          case 'done':
            settled = true;
            states[n] = 'gone';
            resolve();
            break;
        }
      });
      worker.on('error', (err) => gone(`failed: ${err.stack ?? err.message}`));
      worker.on('exit', (code) => gone(`exited (code ${code})`));
    });
    return { worker, done };
  });

  // Capture is ready when its threads are (meanwhile this thread reads); a thread slower than
  // READY_LIMIT_MS to start joins when it is up.
  let readyTimer: NodeJS.Timeout | undefined;
  await Promise.race([allReady, new Promise<void>((r) => (readyTimer = setTimeout(r, READY_LIMIT_MS)))]);
  clearTimeout(readyTimer);

  return {
    listeners,
    sync: () =>
      new Promise<void>((resolve) => {
        const n = ++syncs;
        syncWaiters.push({ n, resolve });
        Atomics.store(flags, 2, n);
        Atomics.notify(flags, 0);
        checkSyncs();
      }),
    close: async () => {
      stopping = true;
      Atomics.store(flags, 0, 1);
      Atomics.notify(flags, 0);
      Atomics.add(flags, 1, 1);
      Atomics.notify(flags, 1);
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
