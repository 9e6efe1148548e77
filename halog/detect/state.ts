/**
 * Per-client state of the detectors, for every client of a detector at once: a client is a
 * slot (a small integer) and its counters are columns of typed arrays indexed by slot; the
 * ports, the pages and the per-second series of all clients share one table each
 * (slot-map.ts, series.ts). Only what is rare gets a JS object: evidence lines, distinct
 * strings (error paths, probe targets, user agents), `--explain` lines. A client costs no
 * Map, Set or array of its own, so the garbage collector has almost nothing to trace, and a
 * line touches a few typed-array cells instead of a chain of Maps.
 *
 * Between threads and generations a client travels as a plain `ClientExport` (structured-
 * clonable) and merges exactly (counts add, series add per second, sets unite, evidence keeps
 * the first lines).
 */
import type { LogRecord } from '../parse/record.js';
import type { TargetView } from './target.js';
import { RULE_IDS, type RuleId } from './rules.js';
import { SeriesStore } from './series.js';
import { SlotMap } from './slot-map.js';
import type { WindowPeak } from './window.js';

export { windowPeak, type WindowPeak } from './window.js';

/** Distinct values kept per rule and client: far above every threshold, bounded for memory. */
export const DISTINCT_CAP = 4096;

export const RULE_COUNT = RULE_IDS.length;
const RULE_INDEX = new Map<RuleId, number>(RULE_IDS.map((id, i) => [id, i]));
/** Column of a rule in the per-rule arrays. */
export function ruleIndex(id: RuleId): number {
  return RULE_INDEX.get(id)!;
}

/** The per-second series, by kind. */
export const Series = { requests: 0, queued: 1, conns: 2, pages: 3, authfail: 4, authpost: 5 } as const;
export type SeriesKind = (typeof Series)[keyof typeof Series];
const SERIES_NAMES = Object.keys(Series) as (keyof typeof Series)[];

/** What every family sees of the current line; built once per line by the detector. */
export interface LineContext {
  readonly rec: LogRecord;
  readonly http: boolean;
  /** Request target (decoded on demand); null for tcplog lines and `<BADREQ>`. */
  readonly target: TargetView | null;
  /** The path has a static-asset extension (CrowdSec's `static_ressource`). */
  readonly isStatic: boolean;
  /** The captured User-Agent as logged (HAProxy-escaped): `rec.buf[uaStart, uaEnd)`, empty when not captured. */
  readonly uaStart: number;
  readonly uaEnd: number;
  /** Accept time in whole seconds. */
  readonly sec: number;
  /** The raw log line (made on demand). */
  line(): string;
  /** Explain mode for this client: the family says what it decided on this line. */
  readonly note: ((id: RuleId, why: string) => void) | null;
}

/** A rule's counts for one client, as snapshots carry them. */
export interface HitsExport {
  count: number;
  first: number;
  last: number;
  evidence: string[];
  distinct: string[] | null;
}

/** One client's whole state, structured-clonable (snapshots between threads and generations). */
export interface ClientExport {
  key: string;
  total: number;
  http: number;
  tcp: number;
  c4xx: number;
  c5xx: number;
  denied: number;
  statics: number;
  first: number;
  last: number;
  hits: Partial<Record<RuleId, HitsExport>>;
  /** Flat `[second, count, ...]` pairs by series name. */
  windows: Partial<Record<keyof typeof Series, number[]>>;
  /** 30-bit hashes of the non-static paths seen. */
  pages: number[];
  /** Flat `[port, last accept ms, ...]`. */
  ports: number[];
  portsPruneAt: number;
  explain: string[] | null;
}

/** Rare per-client data: evidence lines and distinct strings, by rule column. */
interface Extra {
  evidence: (string[] | null)[];
  distinct: (Set<string> | null)[];
}

function growInt(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

function growFloat(a: Float64Array, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

export class ClientTable {
  /** Client key by slot; null for a free slot. */
  keys: (string | null)[] = [];
  /** Clients held. */
  size = 0;
  #free: number[] = [];
  #cap = 0;
  total = new Int32Array(0);
  http = new Int32Array(0);
  tcp = new Int32Array(0);
  c4xx = new Int32Array(0);
  c5xx = new Int32Array(0);
  /** Denied (PR) or tarpitted (PT) by HAProxy. */
  denied = new Int32Array(0);
  /** Requests for static assets (the rules' staticExtensions). */
  statics = new Int32Array(0);
  /** Accept dates (ms) of the first and last line. */
  first = new Float64Array(0);
  last = new Float64Array(0);
  /** Entries of the client in `pages` and `ports`, and the `ports` size of its next pruning. */
  pageCount = new Int32Array(0);
  portCount = new Int32Array(0);
  portsPruneAt = new Int32Array(0);
  /** Per (slot * RULE_COUNT + rule): lines counted, accept dates of the first and last one. */
  hitCount = new Int32Array(0);
  hitFirst = new Float64Array(0);
  hitLast = new Float64Array(0);
  #extra: (Extra | undefined)[] = [];
  /** `--explain`: one entry per line of these clients with the decisions taken on it. */
  readonly explain = new Map<number, string[]>();
  /** Hashes of the non-static paths each client asked for (crawl.aggressive), value unused. */
  readonly pages = new SlotMap();
  /** Client port -> last accept ms, to tell a new connection from a reused one. */
  readonly ports = new SlotMap();
  readonly series = new SeriesStore(SERIES_NAMES.length);

  /** Slots in use are below this. */
  get slots(): number {
    return this.keys.length;
  }

  /** A new client's slot (zeroed). */
  alloc(key: string, explain: boolean): number {
    let slot = this.#free.pop();
    if (slot === undefined) {
      slot = this.keys.length;
      this.keys.push(null);
      this.#extra.push(undefined);
      if (slot >= this.#cap) this.#grow(Math.max(1024, this.#cap * 2));
    }
    this.keys[slot] = key;
    this.first[slot] = Number.POSITIVE_INFINITY;
    this.last[slot] = Number.NEGATIVE_INFINITY;
    if (explain) this.explain.set(slot, []);
    this.size++;
    return slot;
  }

  #grow(n: number): void {
    this.#cap = n;
    this.total = growInt(this.total, n);
    this.http = growInt(this.http, n);
    this.tcp = growInt(this.tcp, n);
    this.c4xx = growInt(this.c4xx, n);
    this.c5xx = growInt(this.c5xx, n);
    this.denied = growInt(this.denied, n);
    this.statics = growInt(this.statics, n);
    this.first = growFloat(this.first, n);
    this.last = growFloat(this.last, n);
    this.pageCount = growInt(this.pageCount, n);
    this.portCount = growInt(this.portCount, n);
    this.portsPruneAt = growInt(this.portsPruneAt, n);
    this.hitCount = growInt(this.hitCount, n * RULE_COUNT);
    this.hitFirst = growFloat(this.hitFirst, n * RULE_COUNT);
    this.hitLast = growFloat(this.hitLast, n * RULE_COUNT);
    this.series.ensure(n);
  }

  /** Forgets a client; its slot is reused. */
  free(slot: number): void {
    this.keys[slot] = null;
    this.#extra[slot] = undefined;
    this.explain.delete(slot);
    this.total[slot] = this.http[slot] = this.tcp[slot] = this.c4xx[slot] = this.c5xx[slot] = 0;
    this.denied[slot] = this.statics[slot] = this.pageCount[slot] = this.portCount[slot] = this.portsPruneAt[slot] = 0;
    this.hitCount.fill(0, slot * RULE_COUNT, slot * RULE_COUNT + RULE_COUNT);
    this.pages.removeAllOf(slot);
    this.ports.removeAllOf(slot);
    this.series.clear(slot);
    this.#free.push(slot);
    this.size--;
  }

  /**
   * Counts one line for rule column `r` at accept date `t`, keeps it as evidence while there
   * is room. `evidenceAfter`: keep lines only once the rule has counted more than that many for
   * the client, so that rules that count every client's ordinary traffic (new connections,
   * new pages) copy log lines only for the few clients that come near their threshold.
   */
  hit(slot: number, r: number, t: number, ctx: LineContext, evidenceMax: number, evidenceAfter = 0): number {
    const i = slot * RULE_COUNT + r;
    const n = ++this.hitCount[i]!;
    if (n === 1) {
      this.hitFirst[i] = t;
      this.hitLast[i] = t;
    } else {
      if (t < this.hitFirst[i]!) this.hitFirst[i] = t;
      if (t > this.hitLast[i]!) this.hitLast[i] = t;
    }
    if (n > evidenceAfter && evidenceMax > 0) {
      const ev = this.#evidence(slot, r);
      if (ev.length < evidenceMax) ev.push(ctx.line());
    }
    return n;
  }

  #extraOf(slot: number): Extra {
    let x = this.#extra[slot];
    if (x === undefined) {
      x = { evidence: new Array<string[] | null>(RULE_COUNT).fill(null), distinct: new Array<Set<string> | null>(RULE_COUNT).fill(null) };
      this.#extra[slot] = x;
    }
    return x;
  }

  #evidence(slot: number, r: number): string[] {
    const x = this.#extraOf(slot);
    return (x.evidence[r] ??= []);
  }

  /** Adds a distinct value counted by rule column `r` (kept up to DISTINCT_CAP). */
  addDistinct(slot: number, r: number, v: string): void {
    const x = this.#extraOf(slot);
    const s = (x.distinct[r] ??= new Set());
    if (s.size < DISTINCT_CAP) s.add(v);
  }

  distinctSize(slot: number, r: number): number {
    return this.#extra[slot]?.distinct[r]?.size ?? 0;
  }

  distinct(slot: number, r: number): ReadonlySet<string> | null {
    return this.#extra[slot]?.distinct[r] ?? null;
  }

  evidence(slot: number, r: number): readonly string[] {
    return this.#extra[slot]?.evidence[r] ?? [];
  }

  count(slot: number, r: number): number {
    return this.hitCount[slot * RULE_COUNT + r]!;
  }

  bump(slot: number, kind: SeriesKind, sec: number, n = 1): void {
    this.series.bump(slot, kind, sec, n);
  }

  peak(slot: number, kind: SeriesKind, seconds: number, needed?: number): WindowPeak {
    return this.series.peak(slot, kind, seconds, needed);
  }

  /** Adds page hash `h` for the client; false when it was already there. */
  addPage(slot: number, h: number): boolean {
    if (this.pages.find(slot, h) !== 0) return false;
    if (this.pageCount[slot]! < DISTINCT_CAP) {
      this.pages.add(slot, h, 0);
      this.pageCount[slot]!++;
    }
    return true;
  }

  /** The client's whole state as a plain object. */
  export(slot: number): ClientExport {
    const hits: Partial<Record<RuleId, HitsExport>> = {};
    const x = this.#extra[slot];
    for (let r = 0; r < RULE_COUNT; r++) {
      const i = slot * RULE_COUNT + r;
      const d = x?.distinct[r] ?? null;
      if (this.hitCount[i] === 0 && d === null) continue;
      hits[RULE_IDS[r]!] = { count: this.hitCount[i]!, first: this.hitFirst[i]!, last: this.hitLast[i]!, evidence: [...(x?.evidence[r] ?? [])], distinct: d ? [...d] : null };
    }
    const windows: Partial<Record<keyof typeof Series, number[]>> = {};
    for (let k = 0; k < SERIES_NAMES.length; k++) {
      if (this.series.total(slot, k) > 0) windows[SERIES_NAMES[k]!] = this.series.pairs(slot, k);
    }
    const pages: number[] = [];
    this.pages.forEachOf(slot, (h) => pages.push(h));
    pages.reverse();
    const ports: number[] = [];
    this.ports.forEachOf(slot, (p, t) => ports.push(t, p));
    ports.reverse();
    const ex = this.explain.get(slot);
    return {
      key: this.keys[slot]!,
      total: this.total[slot]!,
      http: this.http[slot]!,
      tcp: this.tcp[slot]!,
      c4xx: this.c4xx[slot]!,
      c5xx: this.c5xx[slot]!,
      denied: this.denied[slot]!,
      statics: this.statics[slot]!,
      first: this.first[slot]!,
      last: this.last[slot]!,
      hits,
      windows,
      pages,
      ports,
      portsPruneAt: this.portsPruneAt[slot]!,
      explain: ex ? [...ex] : null,
    };
  }

  /** Adds `from` (the state of later lines) into `slot`. */
  merge(slot: number, from: ClientExport, evidenceMax: number): void {
    this.total[slot]! += from.total;
    this.http[slot]! += from.http;
    this.tcp[slot]! += from.tcp;
    this.c4xx[slot]! += from.c4xx;
    this.c5xx[slot]! += from.c5xx;
    this.denied[slot]! += from.denied;
    this.statics[slot]! += from.statics;
    this.first[slot] = Math.min(this.first[slot]!, from.first);
    this.last[slot] = Math.max(this.last[slot]!, from.last);
    for (const id of Object.keys(from.hits) as RuleId[]) {
      const h = from.hits[id]!;
      const r = ruleIndex(id);
      const i = slot * RULE_COUNT + r;
      if (h.count > 0) {
        if (this.hitCount[i] === 0) {
          this.hitFirst[i] = h.first;
          this.hitLast[i] = h.last;
        } else {
          this.hitFirst[i] = Math.min(this.hitFirst[i]!, h.first);
          this.hitLast[i] = Math.max(this.hitLast[i]!, h.last);
        }
        this.hitCount[i]! += h.count;
      }
      if (h.evidence.length > 0) {
        const ev = this.#evidence(slot, r);
        for (const e of h.evidence) {
          if (ev.length >= evidenceMax) break;
          ev.push(e);
        }
      }
      if (h.distinct) {
        const x = this.#extraOf(slot);
        const s = (x.distinct[r] ??= new Set());
        for (const d of h.distinct) {
          if (s.size >= DISTINCT_CAP) break;
          s.add(d);
        }
      }
    }
    for (const name of Object.keys(from.windows) as (keyof typeof Series)[]) {
      const w = from.windows[name]!;
      const kind = Series[name];
      for (let i = 0; i < w.length; i += 2) this.series.bump(slot, kind, w[i]!, w[i + 1]!);
    }
    for (const h of from.pages) {
      if (this.pageCount[slot]! >= DISTINCT_CAP) break;
      if (this.pages.find(slot, h) === 0) {
        this.pages.add(slot, h, 0);
        this.pageCount[slot]!++;
      }
    }
    for (let i = 0; i < from.ports.length; i += 2) {
      const p = from.ports[i]!;
      const t = from.ports[i + 1]!;
      const e = this.ports.find(slot, p);
      if (e === 0) {
        this.ports.add(slot, p, Math.max(t, 0));
        this.portCount[slot]!++;
      } else this.ports.setValue(e, Math.max(t, this.ports.value(e)));
    }
    this.portsPruneAt[slot] = Math.max(this.portsPruneAt[slot]!, from.portsPruneAt);
    const mine = this.explain.get(slot);
    if (mine && from.explain) mine.push(...from.explain);
  }
}

/**
 * A read-only view of one client (tests, `--explain`, the verdicts): its key and counters.
 * Valid until the client is evicted.
 */
export class ClientView {
  readonly table: ClientTable;
  readonly slot: number;
  constructor(table: ClientTable, slot: number) {
    this.table = table;
    this.slot = slot;
  }
  get key(): string {
    return this.table.keys[this.slot]!;
  }
  get total(): number {
    return this.table.total[this.slot]!;
  }
  get http(): number {
    return this.table.http[this.slot]!;
  }
  get tcp(): number {
    return this.table.tcp[this.slot]!;
  }
  get c4xx(): number {
    return this.table.c4xx[this.slot]!;
  }
  get c5xx(): number {
    return this.table.c5xx[this.slot]!;
  }
  get denied(): number {
    return this.table.denied[this.slot]!;
  }
  get statics(): number {
    return this.table.statics[this.slot]!;
  }
  get first(): number {
    return this.table.first[this.slot]!;
  }
  get last(): number {
    return this.table.last[this.slot]!;
  }
  get explain(): readonly string[] | null {
    return this.table.explain.get(this.slot) ?? null;
  }
}

/** What the verdicts and tests call a client's state. */
export type ClientState = ClientView;
