import type { Worker } from 'node:worker_threads';

/**
 * For worker threads that post their result and end: keeps the thread alive, idle, for a
 * moment after its last message. The thread that started it unrefs the worker once it has the
 * result, so the wait never holds the process up.
 *
 * Why: Node 20 can deadlock when a worker's isolate is torn down while V8 is still compiling
 * that worker's code on a background thread and the compile job needs a garbage collection
 * (nodejs/node#54918): the job waits for the worker's thread, which waits for the job, and the
 * process never exits. A worker's last hot code is being optimized right when it posts its
 * result; after a moment of idleness no job is left and none starts. Measured with 18 detect
 * dispatches (2-3 threads each) in one process: 3 runs of 48 never exited with builds without
 * the pause (25 of them interleaved with this one), 0 of 55 with it.
 */
export const LINGER_MS = 1000;

export function lingerAfterResult(): void {
  setTimeout(() => undefined, LINGER_MS);
}

/**
 * The result a worker posts last: the first message `isResult` accepts (any other goes to
 * `onOther`, e.g. progress). The worker is unref'd once it has posted it, so its lingering
 * (lingerAfterResult) never holds the process up. Rejects on the worker's error, or when it
 * exits before posting a result (`what` names it in that message).
 */
export function workerResult<M, R extends M>(worker: Worker, what: string, isResult: (m: M) => m is R, onOther?: (m: M) => void): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let settled = false;
    const onMessage = (m: M): void => {
      if (!isResult(m)) {
        onOther?.(m);
        return;
      }
      settled = true;
      worker.off('message', onMessage);
      worker.unref();
      resolve(m);
    };
    worker.on('message', onMessage);
    worker.once('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`${what} exited with code ${code} before finishing`));
    });
  });
}
