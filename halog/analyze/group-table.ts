import { F64Writer, LatencySet, type SeriesSnapshot } from './latency.js';

/**
 * One report's rows, keyed by a string (URL, server, client, interval...), with a memory
 * budget. While the estimated size stays under `capBytes` every key is counted exactly. Past
 * it the table stops growing and becomes a space-saving sketch (Metwally et al. 2005): a new
 * key replaces the row with the smallest request count m and starts at m + 1 with an error of
 * m. A reported count c with error e means the true count is in [c - e, c]; every key whose
 * true count exceeds N / rows (N = requests in the table) is guaranteed to be present.
 * Other columns of a replacing row (errors, bytes, latencies) only cover the requests seen
 * since it entered the table.
 *
 * The size estimate is a deterministic formula (not process memory), so the same input
 * gives the same table on every run.
 */
export const Col = { req: 0, err: 1, s1xx: 2, s2xx: 3, s3xx: 4, s4xx: 5, s5xx: 6, other: 7, bytes: 8 } as const;
export const COL_NAMES = ['req', 'err', '1xx', '2xx', '3xx', '4xx', '5xx', 'other', 'bytes'] as const;
export const NCOLS = COL_NAMES.length;

/**
 * Per-row overhead: Map entry, row object, counters, latency set and five series objects.
 * Measured with `--expose-gc` on Node 20: ~1030 heap bytes per row for one-hit URLs or
 * clients, = this + 5 raw series of one value (56 B each) + the key.
 */
const ROW_BYTES = 700;

export class Row {
  /** Mutable only for space-saving replacement, which recycles the evicted row (no garbage per eviction). */
  key: string;
  /** Counters by Col; a plain array: one typed array (and its ArrayBuffer) per row made GC ~2x slower. */
  readonly c: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  lat = new LatencySet();
  /** Space-saving over-estimate of `c[req]`. */
  err = 0;
  /** Position in the min-heap while the table is a sketch. */
  heapPos = -1;

  constructor(key: string) {
    this.key = key;
  }
}

export interface RowSnapshot {
  k: string;
  c: number[];
  e: number;
  l: (SeriesSnapshot | null)[];
}

export interface TableSnapshot {
  rows: RowSnapshot[];
  sketch: boolean;
  /** Smallest count in the table when it became a sketch (0 when exact). */
  minCount: number;
  evictions: number;
  capBytes: number;
}

/** The same content as TableSnapshot in a few flat arrays: what worker threads send back (cheap to clone). */
export interface PackedTable {
  packed: true;
  /** All keys concatenated; `keyLens[i]` is the length of key i. */
  keys: string;
  keyLens: Uint32Array;
  /** NCOLS counters per row. */
  counts: Float64Array;
  errs: Float64Array;
  /** Six packed series per row (LatencySet.pack). */
  lat: Float64Array;
  sketch: boolean;
  minCount: number;
  evictions: number;
  capBytes: number;
}

export class GroupTable {
  readonly rows = new Map<string, Row>();
  readonly capBytes: number;
  #bytes = 0;
  sketch = false;
  evictions = 0;
  #heap: Row[] = [];
  /** Bytes counted at the last full re-estimate of the latency sets (they grow with their rows). */
  #latBytes = 0;
  #sinceCheck = 0;

  constructor(capBytes: number) {
    this.capBytes = capBytes;
  }

  /** The row for `key`, creating (or, in sketch mode, recycling) one. Increments nothing. */
  row(key: string): Row {
    let r = this.rows.get(key);
    if (r !== undefined) return r;
    if (this.sketch) return this.#replaceMin(key);
    r = new Row(key);
    this.rows.set(key, r);
    this.#bytes += ROW_BYTES + 2 * key.length;
    // Re-estimating walks every row: do it after a number of new rows that grows with the
    // table, so the total cost stays linear in the number of rows.
    if (this.#bytes + this.#latBytes > this.capBytes || ++this.#sinceCheck >= Math.max(1024, this.rows.size >> 2)) this.checkBudget();
    return r;
  }

  /** Called after `c[req]` of `r` was incremented: keeps the heap ordered in sketch mode. */
  counted(r: Row): void {
    if (this.sketch) this.#siftDown(r.heapPos);
  }

  estimatedBytes(): number {
    return this.#bytes + this.#latBytes;
  }

  /** Re-estimates the latency memory; turns the table into a sketch when over budget. */
  checkBudget(): void {
    this.#sinceCheck = 0;
    let lat = 0;
    for (const r of this.rows.values()) lat += r.lat.bytes();
    this.#latBytes = lat;
    if (this.#bytes + lat <= this.capBytes) return;
    if (!this.sketch) this.#toSketch();
    // Drop the smallest rows until the estimate fits again (latency sets grow over time).
    while (this.#bytes + this.#latBytes > this.capBytes && this.#heap.length > 1) {
      const min = this.#heap[0]!;
      this.#removeMin();
      this.rows.delete(min.key);
      this.#bytes -= ROW_BYTES + 2 * min.key.length;
      this.#latBytes -= min.lat.bytes();
      this.evictions++;
    }
  }

  #toSketch(): void {
    this.sketch = true;
    this.#heap = [...this.rows.values()];
    this.#heap.forEach((r, i) => (r.heapPos = i));
    for (let i = (this.#heap.length >> 1) - 1; i >= 0; i--) this.#siftDown(i);
  }

  /** Space-saving replacement: the new key takes the minimum row's place and count. */
  #replaceMin(key: string): Row {
    const r = this.#heap[0]!;
    this.rows.delete(r.key);
    this.#bytes += 2 * (key.length - r.key.length);
    this.#latBytes -= r.lat.bytes();
    const m = r.c[Col.req]!;
    r.key = key;
    r.c.fill(0);
    r.c[Col.req] = m;
    r.err = m;
    r.lat.reset();
    this.rows.set(key, r);
    this.evictions++;
    return r;
  }

  #siftDown(i: number): void {
    const h = this.#heap;
    const n = h.length;
    const item = h[i]!;
    const v = item.c[Col.req]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const rr = l + 1;
      const m = rr < n && h[rr]!.c[Col.req]! < h[l]!.c[Col.req]! ? rr : l;
      if (h[m]!.c[Col.req]! >= v) break;
      h[i] = h[m]!;
      h[i]!.heapPos = i;
      i = m;
    }
    h[i] = item;
    item.heapPos = i;
  }

  #removeMin(): void {
    const h = this.#heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    this.#siftDown(0);
  }

  minCount(): number {
    return this.sketch && this.#heap.length ? this.#heap[0]!.c[Col.req]! : 0;
  }

  snapshot(encoded: boolean): TableSnapshot {
    const rows: RowSnapshot[] = [];
    for (const r of this.rows.values()) rows.push({ k: r.key, c: Array.from(r.c), e: r.err, l: r.lat.snapshot(encoded) });
    return { rows, sketch: this.sketch, minCount: this.minCount(), evictions: this.evictions, capBytes: this.capBytes };
  }

  /**
   * Adds a partial table. Exact + exact = exact. With a sketch on either side, a key missing
   * from a sketched side may have been counted there up to that side's minimum count, so
   * count and error both grow by it (mergeable summaries, Agarwal et al. 2012).
   */
  pack(): PackedTable {
    const n = this.rows.size;
    const keyLens = new Uint32Array(n);
    const counts = new Float64Array(n * NCOLS);
    const errs = new Float64Array(n);
    const keys: string[] = [];
    const w = new F64Writer();
    let i = 0;
    for (const r of this.rows.values()) {
      keys.push(r.key);
      keyLens[i] = r.key.length;
      counts.set(r.c, i * NCOLS);
      errs[i] = r.err;
      r.lat.pack(w);
      i++;
    }
    return { packed: true, keys: keys.join(''), keyLens, counts, errs, lat: w.finish(), sketch: this.sketch, minCount: this.minCount(), evictions: this.evictions, capBytes: this.capBytes };
  }

  #mergeRow(key: string, mineSketch: boolean, myMin: number): Row {
    let r = this.rows.get(key);
    if (r === undefined) {
      r = new Row(key);
      this.rows.set(key, r);
      this.#bytes += ROW_BYTES + 2 * key.length;
      if (mineSketch) {
        r.c[Col.req] = myMin;
        r.err = myMin;
      }
    }
    return r;
  }

  merge(o: TableSnapshot | PackedTable): void {
    const mineSketch = this.sketch;
    const myMin = this.minCount();
    const seen = new Set<string>();
    if ('packed' in o) {
      let kp = 0;
      let lp = 0;
      for (let i = 0; i < o.keyLens.length; i++) {
        const key = o.keys.slice(kp, kp + o.keyLens[i]!);
        kp += o.keyLens[i]!;
        if (o.sketch || mineSketch) seen.add(key);
        const r = this.#mergeRow(key, mineSketch, myMin);
        const base = i * NCOLS;
        for (let c = 0; c < NCOLS; c++) r.c[c] = r.c[c]! + o.counts[base + c]!;
        r.err += o.errs[i]!;
        lp = r.lat.addPacked(o.lat, lp);
      }
    } else {
      for (const rs of o.rows) {
        seen.add(rs.k);
        const r = this.#mergeRow(rs.k, mineSketch, myMin);
        for (let i = 0; i < NCOLS; i++) r.c[i] = r.c[i]! + rs.c[i]!;
        r.err += rs.e;
        r.lat.merge(LatencySet.from(rs.l));
      }
    }
    if (o.sketch) {
      for (const r of this.rows.values()) {
        if (seen.has(r.key)) continue;
        r.c[Col.req] = r.c[Col.req]! + o.minCount;
        r.err += o.minCount;
      }
    }
    this.evictions += o.evictions;
    if (mineSketch || o.sketch) {
      // Rebuild the heap over the merged rows, then shrink to the budget.
      this.sketch = false;
      this.#toSketch();
    }
    this.checkBudget();
  }

  static from(s: TableSnapshot | PackedTable, capBytes: number): GroupTable {
    const t = new GroupTable(capBytes);
    t.merge(s);
    return t;
  }
}
