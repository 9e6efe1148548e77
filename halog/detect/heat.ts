/**
 * Busy clients. Two rules count every line of every client: `flood.requests` (a ports table
 * and per-second series) and `crawl.aggressive` (a table of the client's pages), a third of
 * detect's CPU on a generated log where nearly every client sends a page or two a minute.
 * Neither can fire for a client that never sends many lines within its window, so a client
 * is counted by such a rule only once it is **busy** for it: `gate` lines (for crawl: new
 * non-static requests) within one aligned interval of the rule's window. Until then a line
 * costs a few cells of the client's record and an entry in a ring of recent lines shared by
 * all clients;
 * when it turns busy, its lines still in the ring that were accepted within `replayMs` before
 * the line that made it busy are counted first, in their order, then every line after.
 *
 * What this changes, and why it does not change a verdict:
 *  - a window that ends before the client turned busy held fewer than 2 x gate lines (two
 *    aligned intervals), far under the rule's limit (gate is an eighth of flood's least limit,
 *    a quarter of crawl's), so it could not fire;
 *  - a window around that moment is counted from the ring: every line accepted within
 *    replayMs before (flood: its window and the port-reuse time; crawl: 2 minutes) is there,
 *    unless lines are logged more than the ring's margin (keepMs below: 4 x the worst lag
 *    seen, 2 to 10 minutes) after their accept date, or more than RING_MAX lines came in
 *    that span;
 *  - what it does change: a port or a page seen before the replayed span is not known, so it
 *    counts as new once more; a rule's first date and evidence lines start at the replayed
 *    span (a clean client's state is never shown, and a flagged one's evidence is its busy
 *    lines, which is what a reader wants to see anyway).
 * `--explain`'s client is busy from its first line (every line is noted as it comes).
 */
import type { ClientTable } from './state.js';

/** Heat bits (K.heat): the gated rules that count a client's lines. */
export const HEAT_FLOOD = 1;
export const HEAT_CRAWL = 2;
/** Every bit: a client counted by every rule from its first line (`--explain`, merged state). */
export const HEAT_ALL = -1;

/** Entry flags. */
export const RECENT_QUEUED = 1;
/** The line is an HTTP request for a non-static path; pageHash is its path's hash. */
export const RECENT_PAGE = 2;

/**
 * Time kept in the ring beyond replayMs, since lines are logged when they end, not in accept
 * order: 4 times the worst lag seen, at least RING_MARGIN_MS, at most RING_MARGIN_MAX_MS (a
 * log with hour-long sessions would otherwise keep hours of lines).
 */
const RING_MARGIN_MS = 120_000;
const RING_MARGIN_MAX_MS = 600_000;
/** At most this many entries (64 MiB): beyond, the oldest are overwritten whatever their age. */
const RING_MAX = 1 << 21;

/** What a gated rule counts and how it catches up with a client that turned busy. */
export interface BusyGate {
  /** This rule's heat bit. */
  readonly bit: number;
  /** Lines within one aligned interval of `intervalSeconds` that make a client busy for the rule. */
  readonly gate: number;
  readonly intervalSeconds: number;
  /** Only lines with RECENT_PAGE count towards the gate (crawl); otherwise every line (flood). */
  readonly pagesOnly: boolean;
  /** How far before the line that made the client busy its earlier lines are counted. */
  readonly replayMs: number;
  /** Counts one earlier line of the client, as onRecord would have (no evidence, no notes). */
  replay(t: ClientTable, slot: number, ms: number, port: number, flags: number, pageHash: number): void;
}

/**
 * The recent lines of every client not busy for some gated rule, in arrival order: a ring of
 * 32-byte entries (accept ms, the client's previous entry, port, flags, page hash; 4 bytes
 * unused, for alignment), each linked to its client's previous one so that a client's lines
 * are found without a scan.
 * Entries older than the horizon are overwritten when the ring is full; otherwise it doubles.
 */
export class RecentLines {
  /** The longest replay of the gates (BusyGate.replayMs). */
  readonly #replayMs: number;
  #cap = 0;
  #mask = 0;
  #i = new Int32Array(0);
  #f = new Float64Array(0);
  /** Sequence number of the next entry, and of the oldest kept. */
  #next = 0;
  #oldest = 0;
  #scratch = new Int32Array(256);

  constructor(replayMs: number) {
    this.#replayMs = replayMs;
  }

  /** Entries kept. */
  get size(): number {
    return this.#next - this.#oldest;
  }

  /**
   * Adds a line; returns its sequence number. `prev`: the client's previous sequence number
   * (-1: none); `now`: the latest accept date seen, `maxLagMs` the worst lag of one (how long
   * entries are kept: keepMs).
   */
  push(prev: number, ms: number, port: number, flags: number, pageHash: number, now: number, maxLagMs: number): number {
    if (this.#next - this.#oldest === this.#cap) {
      const dropBefore = now - keepMs(this.#replayMs, maxLagMs);
      while (this.#oldest < this.#next && this.#f[(this.#oldest & this.#mask) * 4]! < dropBefore) this.#oldest++;
      if (this.#next - this.#oldest === this.#cap) {
        if (this.#cap < RING_MAX) this.#grow();
        else this.#oldest++;
      }
    }
    const seq = this.#next++;
    const e = seq & this.#mask;
    this.#f[e * 4] = ms;
    this.#f[e * 4 + 1] = prev;
    const c = e * 8 + 4;
    this.#i[c] = port;
    this.#i[c + 1] = flags;
    this.#i[c + 2] = pageHash;
    return seq;
  }

  #grow(): void {
    const cap = Math.max(4096, this.#cap * 2);
    const buf = new ArrayBuffer(cap * 32);
    const i = new Int32Array(buf);
    // Entry `seq` is at `seq & mask`: copied in runs that wrap in neither ring (at most three).
    for (let seq = this.#oldest; seq < this.#next; ) {
      const src = seq & this.#mask;
      const dst = seq & (cap - 1);
      const n = Math.min(this.#next - seq, this.#cap - src, cap - dst);
      i.set(this.#i.subarray(src * 8, (src + n) * 8), dst * 8);
      seq += n;
    }
    this.#cap = cap;
    this.#mask = cap - 1;
    this.#i = i;
    this.#f = new Float64Array(buf);
  }

  /**
   * Calls `fn` for the client's entries from `newest` back through its links, oldest first,
   * skipping those accepted before `fromMs`.
   */
  replay(newest: number, fromMs: number, fn: (ms: number, port: number, flags: number, pageHash: number) => void): void {
    let n = 0;
    for (let seq = newest; seq >= this.#oldest && seq >= 0; seq = this.#f[(seq & this.#mask) * 4 + 1]!) {
      if (n === this.#scratch.length) {
        const s = new Int32Array(n * 2);
        s.set(this.#scratch);
        this.#scratch = s;
      }
      this.#scratch[n++] = seq & this.#mask;
    }
    for (let k = n - 1; k >= 0; k--) {
      const e = this.#scratch[k]!;
      const ms = this.#f[e * 4]!;
      if (ms < fromMs) continue;
      const c = e * 8 + 4;
      fn(ms, this.#i[c]!, this.#i[c + 1]!, this.#i[c + 2]!);
    }
  }
}

/** How long a line stays in the ring: long enough for the longest replay, with the lag margin. */
export function keepMs(replayMs: number, maxLagMs: number): number {
  return replayMs + Math.min(RING_MARGIN_MAX_MS, Math.max(RING_MARGIN_MS, 4 * maxLagMs));
}
