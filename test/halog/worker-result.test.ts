import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { workerResult } from '../../halog/read/linger.js';

/**
 * workerResult is how the record reader, the halog analyzer and detect wait for their worker
 * threads: these run real workers that post progress then a result, end without a result, or
 * throw, and check what the main thread sees.
 */

type Msg = { type: 'progress'; n: number } | { type: 'done'; total: number };
const isDone = (m: Msg): m is Extract<Msg, { type: 'done' }> => m.type === 'done';

function worker(body: string): Worker {
  return new Worker(`const { parentPort } = require('node:worker_threads');\n${body}`, { eval: true });
}

test('workerResult: progress messages go to onOther and the result resolves', async () => {
  const w = worker(`for (let i = 1; i <= 3; i++) parentPort.postMessage({ type: 'progress', n: i });
parentPort.postMessage({ type: 'done', total: 6 });
setTimeout(() => {}, 60_000);`);
  const seen: number[] = [];
  const r = await workerResult(w, 'test worker', isDone, (m) => {
    if (m.type === 'progress') seen.push(m.n);
  });
  assert.deepEqual(r, { type: 'done', total: 6 });
  assert.deepEqual(seen, [1, 2, 3]);
  await w.terminate();
});

test('workerResult: a worker that ends without its result rejects, naming it and its exit code', async () => {
  const w = worker(`parentPort.postMessage({ type: 'progress', n: 1 });`);
  await assert.rejects(workerResult(w, 'test worker', isDone), /test worker exited with code 0 before finishing/);
});

test('workerResult: a worker that throws rejects with its error', async () => {
  const w = worker(`throw new RangeError('bad chunk');`);
  await assert.rejects(workerResult(w, 'test worker', isDone), /bad chunk/);
});
