/**
 * A latency histogram with fixed buckets, for the Prometheus exporter's haloscope additions
 * (`haproxy_backend_response_time_seconds`, ...). Timers are whole milliseconds, as in the
 * logs, so the smallest bucket is 1 ms; the largest finite one is 30 s (beyond, `+Inf`).
 */

/** Upper bounds in ms, inclusive (Prometheus `le`). */
export const BUCKETS_MS: readonly number[] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

export class Histogram {
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  readonly counts: number[] = new Array<number>(BUCKETS_MS.length + 1).fill(0);
  count = 0;
  sumMs = 0;

  observe(ms: number): void {
    let i = 0;
    while (i < BUCKETS_MS.length && ms > BUCKETS_MS[i]!) i++;
    this.counts[i]!++;
    this.count++;
    this.sumMs += ms;
  }
}
