/**
 * The last minute of traffic in 60 one-second buckets (a ring): counts, status classes, the
 * halog `-e` notion of error (status 5xx, or negative), top keys and an HDR histogram of the
 * total time. A bucket is cleared when the ring comes back to it.
 */
import hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

export const WINDOW_SECONDS = 60;
/** Distinct URLs or clients kept per bucket; more are summed under `(other)` so a scanner cannot exhaust memory. */
export const MAX_KEYS_PER_BUCKET = 5000;

const newHistogram = (): Histogram =>
  // 1 ms to 1 h at 3 significant digits: HAProxy timers are whole milliseconds.
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 3, bitBucketSize: 32 });

class Bucket {
  second = -1;
  lines = 0;
  http = 0;
  errors = 0;
  /** 1xx..5xx at [1..5], other at [0]. */
  readonly classes = new Float64Array(6);
  readonly statuses = new Map<number, number>();
  readonly urls = new Map<string, number>();
  readonly clients = new Map<string, number>();
  readonly totals: Histogram = newHistogram();

  reset(second: number): void {
    this.second = second;
    this.lines = this.http = this.errors = 0;
    this.classes.fill(0);
    this.statuses.clear();
    this.urls.clear();
    this.clients.clear();
    this.totals.reset();
  }
}

function bump(map: Map<string, number>, key: string): void {
  const n = map.get(key);
  if (n !== undefined) map.set(key, n + 1);
  else if (map.size < MAX_KEYS_PER_BUCKET) map.set(key, 1);
  else map.set('(other)', (map.get('(other)') ?? 0) + 1);
}

export interface WindowSummary {
  /** Seconds of data in the window (up to 60). */
  readonly seconds: number;
  readonly lines: number;
  readonly http: number;
  /** Lines per second over the last complete second. */
  readonly lastSecondRate: number;
  readonly ratePerSecond: number;
  readonly errors: number;
  readonly errorRate: number;
  readonly classes: readonly number[];
  readonly statuses: readonly [number, number][];
  readonly topUrls: readonly [string, number][];
  readonly topClients: readonly [string, number][];
  /** Ta percentiles in ms: p50, p90, p99, p99.9, max. */
  readonly latency: { readonly p50: number; readonly p90: number; readonly p99: number; readonly p999: number; readonly max: number; readonly count: number };
}

export class LiveWindow {
  readonly #buckets = Array.from({ length: WINDOW_SECONDS }, () => new Bucket());
  readonly #merged = newHistogram();
  #first = -1;

  #bucket(second: number): Bucket {
    const b = this.#buckets[second % WINDOW_SECONDS]!;
    if (b.second !== second) b.reset(second);
    if (this.#first < 0) this.#first = second;
    return b;
  }

  /** One traffic line seen at `second` (epoch seconds). */
  add(second: number, client: string, url: string | null, status: number, totalMs: number, http: boolean): void {
    const b = this.#bucket(second);
    b.lines++;
    bump(b.clients, client);
    if (http) {
      b.http++;
      const cls = status >= 100 && status < 600 ? Math.floor(status / 100) : 0;
      b.classes[cls]!++;
      b.statuses.set(status, (b.statuses.get(status) ?? 0) + 1);
      if (status >= 500 || status < 0) b.errors++;
      if (url !== null) bump(b.urls, url);
    }
    if (totalMs >= 0) b.totals.recordValue(Math.min(totalMs, 3_600_000));
  }

  /** The minute ending with `second` (the current, incomplete second included). */
  summary(second: number, top = 10): WindowSummary {
    let lines = 0;
    let http = 0;
    let errors = 0;
    const classes = [0, 0, 0, 0, 0, 0];
    const statuses = new Map<number, number>();
    const urls = new Map<string, number>();
    const clients = new Map<string, number>();
    this.#merged.reset();
    let lastSecondRate = 0;
    for (const b of this.#buckets) {
      if (b.second < 0 || b.second <= second - WINDOW_SECONDS || b.second > second) continue;
      lines += b.lines;
      http += b.http;
      errors += b.errors;
      for (let i = 0; i < 6; i++) classes[i]! += b.classes[i]!;
      for (const [k, v] of b.statuses) statuses.set(k, (statuses.get(k) ?? 0) + v);
      for (const [k, v] of b.urls) urls.set(k, (urls.get(k) ?? 0) + v);
      for (const [k, v] of b.clients) clients.set(k, (clients.get(k) ?? 0) + v);
      this.#merged.add(b.totals);
      if (b.second === second - 1) lastSecondRate = b.lines;
    }
    const seconds = this.#first < 0 ? 0 : Math.min(WINDOW_SECONDS, second - this.#first + 1);
    const byCount = <K>(m: Map<K, number>): [K, number][] => [...m].sort((a, b) => b[1] - a[1] || (String(a[0]) < String(b[0]) ? -1 : 1)).slice(0, top);
    const h = this.#merged;
    return {
      seconds,
      lines,
      http,
      lastSecondRate,
      ratePerSecond: seconds > 0 ? lines / seconds : 0,
      errors,
      errorRate: http > 0 ? errors / http : 0,
      classes,
      statuses: [...statuses].sort((a, b) => a[0] - b[0]),
      topUrls: byCount(urls),
      topClients: byCount(clients),
      latency: {
        p50: h.getValueAtPercentile(50),
        p90: h.getValueAtPercentile(90),
        p99: h.getValueAtPercentile(99),
        p999: h.getValueAtPercentile(99.9),
        max: h.maxValue,
        count: h.totalCount,
      },
    };
  }
}
