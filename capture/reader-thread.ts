/**
 * A reader thread (readers.ts): reads the sockets' fds with read(2) straight into a batch
 * buffer, and hands each batch to the main thread by transfer (no copy); the main thread
 * classifies, counts and writes, and hands the buffer back for reuse. The thread has no event
 * loop work to do: it polls the fds, and sleeps POLL_MS with Atomics.wait when they are empty.
 * After PARK_ROUNDS empty rounds it says 'idle' and sleeps until the main thread, which then
 * reads the sockets itself, finds them busy again.
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { SocketReadError } from './receiver.js';
import { BatchWriter } from './worker-batch.js';

export interface ReaderSpec {
  readonly fds: readonly number[];
  readonly batchBytes: number;
  /** A batch is handed over at most this long after its first datagram was read. */
  readonly flushMs: number;
  /**
   * Int32 [0]: 0 = run, 1 = stop; [1]: wake-up generation, bumped to end a park; [2]: sync
   * request number, answered by handing over the batch and 'synced'.
   */
  readonly control: SharedArrayBuffer;
}

export type FromReader =
  | { readonly t: 'batch'; readonly b: ArrayBuffer; readonly len: number }
  | { readonly t: 'error'; readonly fd: number; readonly code: string; readonly message: string }
  | { readonly t: 'idle' }
  | { readonly t: 'synced'; readonly n: number }
  | { readonly t: 'done' };

/** The kernel queue holds far more than this (8 MiB: about 80 ms at 100,000 datagrams/s). */
const POLL_MS = 1;
/** Read per fd per round at most, so that one busy socket does not starve another. */
const ROUND_MAX = 2048;
/**
 * Empty rounds (about 1 ms each) before parking: a poll costs little, but 1,000 of them a
 * second on an idle collector cost several % of a CPU on a small VM.
 */
const PARK_ROUNDS = 50;

/**
 * Runs the read path a few thousand times on /dev/null (each read a 0-byte "datagram") so that
 * it is compiled before traffic comes: cold, it read too slowly to keep up with 100,000/s and an
 * 8 MiB buffer overflowed in the first 0.2 s of a run (measured: 190 to 1,600 drops, none after).
 */
function warmUp(batchBytes: number): void {
  let fd = -1;
  try {
    fd = openSync('/dev/null', 'r');
    const batch = new BatchWriter(batchBytes);
    for (let i = 0; i < 20_000; i++) {
      batch.readFrom(fd);
      if (batch.full) batch.take();
    }
  } catch {
    // Only an optimisation.
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

function run(spec: ReaderSpec): void {
  const port = parentPort!;
  const control = new Int32Array(spec.control);
  const fds = spec.fds.slice();
  const batch = new BatchWriter(spec.batchBytes);
  let firstAt = 0;
  let empty = 0;
  let synced = 0;
  /** Sleeps until woken (or stopped); false when stopped. */
  const park = (): boolean => {
    // The generation is read first: a wake-up sent meanwhile ends the wait at once. The main
    // thread sets the stop flag before bumping the generation, so one of the two is seen.
    const generation = Atomics.load(control, 1);
    if (Atomics.load(control, 0) !== 1) {
      port.postMessage({ t: 'idle' } satisfies FromReader);
      Atomics.wait(control, 1, generation);
    }
    // Stopped while parked: the main thread was reading, and must remain the only reader.
    if (Atomics.load(control, 0) !== 1) return true;
    port.postMessage({ t: 'done' } satisfies FromReader);
    return false;
  };
  const send = (): void => {
    if (batch.empty) return;
    const b = batch.take();
    const m: FromReader = { t: 'batch', b: b.buffer as ArrayBuffer, len: b.length };
    port.postMessage(m, [m.b]);
  };
  // Every round ends with an EAGAIN per fd, which Node throws as an Error: keep it cheap.
  Error.stackTraceLimit = 0;
  warmUp(spec.batchBytes);
  // Ready, and parked: the main thread reads until it finds the sockets busy.
  if (!park()) return;
  for (;;) {
    for (let r = receiveMessageOnPort(port); r !== undefined; r = receiveMessageOnPort(port)) batch.recycle(r.message as ArrayBuffer);
    let got = 0;
    let behind = false;
    for (let i = 0; i < fds.length; i++) {
      const fd = fds[i]!;
      if (fd < 0) continue;
      let n = 0;
      try {
        while (n < ROUND_MAX && batch.readFrom(fd) >= 0) {
          n++;
          if (firstAt === 0) firstAt = Date.now();
          if (batch.full) {
            send();
            firstAt = 0;
          }
        }
      } catch (err) {
        if (!(err instanceof SocketReadError)) throw err;
        fds[i] = -1;
        const m: FromReader = { t: 'error', fd, code: err.code, message: err.message };
        port.postMessage(m);
      }
      got += n;
      if (n === ROUND_MAX) behind = true;
    }
    if (!batch.empty && (got === 0 || Date.now() - firstAt >= spec.flushMs)) {
      send();
      firstAt = 0;
    }
    if (Atomics.load(control, 0) === 1) {
      send();
      port.postMessage({ t: 'done' } satisfies FromReader);
      return;
    }
    const sync = Atomics.load(control, 2);
    if (sync !== synced) {
      send();
      firstAt = 0;
      synced = sync;
      port.postMessage({ t: 'synced', n: sync } satisfies FromReader);
    }
    if (got > 0) empty = 0;
    else if (++empty >= PARK_ROUNDS) {
      if (!park()) return;
      empty = 0;
      continue;
    }
    if (!behind) Atomics.wait(control, 0, 0, POLL_MS);
  }
}

if (parentPort && workerData) run(workerData as ReaderSpec);
