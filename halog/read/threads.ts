import { availableParallelism } from 'node:os';
import type { Source } from './sources.js';

/**
 * Below this much input, starting worker threads costs more than it saves: `fallback` bytes
 * (each reader measured its own), unless HALOG_PARALLEL_MIN_BYTES says otherwise (tests use 0
 * to exercise the threaded path).
 */
export function parallelMinBytes(fallback: number): number {
  const env = Number.parseInt(process.env.HALOG_PARALLEL_MIN_BYTES ?? '', 10);
  return Number.isFinite(env) && env >= 0 ? env : fallback;
}

/** The halog-compatible line runs' threshold (halog/line-run.ts): 32 MiB. */
const LINE_RUN_MIN_BYTES = 32 << 20;

/** Threads asked for: HALOG_THREADS when it is a positive integer, else every core. */
export function threadCount(): number {
  const env = Number.parseInt(process.env.HALOG_THREADS ?? '', 10);
  return Number.isFinite(env) && env > 0 ? env : availableParallelism();
}

/** Worker threads to use on these inputs: 1 unless they are big regular files. */
export function threadsFor(sources: readonly Source[]): number {
  const threads = threadCount();
  const total = sources.reduce((n, s) => n + s.size, 0);
  return threads > 1 && sources.every((s) => s.seekable) && total >= parallelMinBytes(LINE_RUN_MIN_BYTES) ? threads : 1;
}

