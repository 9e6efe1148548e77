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
import { EvidenceStore, type LineFile } from './evidence.js';
import { HEAT_ALL } from './heat.js';
import { SeriesStore } from './series.js';
import { SlotMap, type SlotMeta } from './slot-map.js';

export { windowPeak, type WindowPeak } from './window.js';

/** Page and error-path hashes kept per client (crawl.aggressive, scan.paths): far above their thresholds, bounded for memory. */
export const DISTINCT_CAP = 4096;
/**
 * Distinct strings kept per rule and client (probe targets, user agents, open-proxy targets):
 * 50 times the highest built-in threshold, so a prober's later lines make no string.
 */
export const DISTINCT_VALUES_CAP = 1024;

/** A distinct count for an explanation: at its cap, the true count may be higher. */
export function distinctCount(n: number, cap = DISTINCT_VALUES_CAP): string {
  return n >= cap ? `${n} or more` : String(n);
}

export const RULE_COUNT = RULE_IDS.length;
/** Rule columns: first the two rules that count a busy client's ordinary traffic (their counts sit beside the series they bump). */
const COLUMN_IDS: readonly RuleId[] = ['crawl.aggressive', 'flood.requests', ...RULE_IDS.filter((id) => id !== 'crawl.aggressive' && id !== 'flood.requests')];
const RULE_INDEX = new Map<RuleId, number>(COLUMN_IDS.map((id, i) => [id, i]));
/** Column of a rule in the per-rule cells. */
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
  /** 30-bit hashes of the non-static paths answered with an error (scan.paths). */
  errorPaths: number[];
  portsPruneAt: number;
  /** Heat bits (heat.ts): the gated rules that counted the client's lines. */
  heat: number;
  explain: string[] | null;
}

/**
 * Int32 cells of a client's record (at `slot * IS` of ClientTable.I): what lines of a busy
 * client, or a rule's hits, touch (what every line touches is in the cold record, K below):
 * rare counters and bits, the Float64 cells (F_CELL0), the bookkeeping of the pages and ports
 * tables (slot-map.ts SlotMeta), of the series (series.ts) and the counts of the HOT_RULES
 * columns (crawl, flood), then the rare series and the other rule columns, then the
 * error-paths table's.
 */
export const C = {
  c5xx: 0,
  denied: 1,
  rareTimes: 2,
  evidenceFull: 3,
  hasDistinct: 4,
  /** Rules (bits) whose distinct values reached DISTINCT_VALUES_CAP: callers need not make the string. */
  distinctFull: 5,
  pageCount: 16,
  portCount: 17,
  portsPruneAt: 18,
  lastPort: 19,
  lastPortDirty: 20,
} as const;
/**
 * Int32 cells of a client's **cold record** (at `slot * KS` of ClientTable.K): what every line
 * touches, in one 64-byte cache line of a 64-byte stride, so that the records of 50k clients
 * take 3 MB of cache and TLB reach instead of 16: the counters, the busy gates (heat.ts), the
 * User-Agent cache row of the previous line, the client's newest entry in the ring of recent
 * lines (two cells: low and high 31 bits), then its first and last accept ms as Float64 (KF).
 */
export const K = {
  total: 0,
  http: 1,
  /** The User-Agent cache row of the client's previous line, plus one (families/ua.ts; 0: none). */
  uaRow: 2,
  c4xx: 3,
  statics: 4,
  /** Busy bits (heat.ts): the gated rules that count this client's lines. */
  heat: 5,
  /** Per gated rule: the newest interval of its gate and the lines counted in it (heat.ts). */
  gate0: 6,
  /** The client's newest ring entry plus one (0: none), as low and high 31 bits. */
  recentLo: 10,
  recentHi: 11,
} as const;
/** Int32 cells per cold record, and Float64 cells (KF) per cold record. */
export const KS = 16;
export const KFS = 8;
/** First and last accept ms in KF (Int32 cells 12-15). */
export const KF_FIRST = 6;
/** The 5 Float64 cells (see F_HOT) take Int32 cells 6-15. */
const F_CELL0 = 6;
/** Bookkeeping cells (3 each) of the pages and ports tables. */
const PAGES_META = 21;
const PORTS_META = 24;
/** Series kind -> store (0: requests, new connections, new pages, bumped together; 1: the rare ones) and column. */
const SERIES_STORE = [0, 1, 0, 0, 1, 1];
const SERIES_COL = [0, 0, 1, 2, 1, 2];
/** Rule columns whose counts sit beside the first store and whose first/last dates are in the client's Float64 record; the others' dates are in a block of `rareF`, made on the first hit. */
const HOT_RULES = 2;
/** Bookkeeping cells of a 3-column store (SeriesStore.metaCells). */
const SER_META = 8;
const SER0 = 27;
const HOT_HIT0 = SER0 + SER_META;
const SER_OFF = [SER0, HOT_HIT0 + HOT_RULES];
const RARE_HIT0 = SER_OFF[1]! + SER_META;
/** Bookkeeping cells of the error-paths table (scan.paths) and the paths it holds, after the rule columns. */
const ERRORS_META = RARE_HIT0 + RULE_COUNT - HOT_RULES;
const ERROR_COUNT = ERRORS_META + 3;
/** 64 cells (256 bytes, aligned on cache lines) for the built-in rules' 64. */
export const IS = (ERROR_COUNT + 1 + 15) & ~15;
/** Cell of rule column r's count. */
function hitCell(r: number): number {
  return r < HOT_RULES ? HOT_HIT0 + r : RARE_HIT0 + r - HOT_RULES;
}
/**
 * Float64 cells of a client, in its Int32 record (ClientTable.F is a Float64 view of the same
 * memory; a client's start at `slot * FS`): first and last of the HOT_RULES columns (F_HOT),
 * then the latest accept ms of port C.lastPort (the ports table holds an older value until the
 * client changes ports: see flushPort).
 */
export const FS = IS / 2;
const F_HOT = F_CELL0 / 2;
export const F_LAST_PORT_MS = F_HOT + 2 * HOT_RULES;
const RARE_STRIDE = 2 * (RULE_COUNT - HOT_RULES);

export class ClientTable {
  /** Client key by slot; null for a free slot. */
  keys: (string | null)[] = [];
  /** Clients held. */
  size = 0;
  /** Largest lag of a line's accept date behind the latest one seen (lines are logged when they end). */
  maxLagMs = 0;
  /** Heat bits of a new client (heat.ts): 0 when the detector gates busy rules, else HEAT_ALL. */
  initialHeat = 0;
  #free: number[] = [];
  #cap = 0;
  I = new Int32Array(0);
  F = new Float64Array(0);
  /** Cold records (K cells, KS per client) and their Float64 view. */
  K = new Int32Array(0);
  KF = new Float64Array(0);
  /** Evidence lines (bytes, evidence.ts) and distinct strings by slot * RULE_COUNT + rule column, made on first use. */
  readonly #evidence = new EvidenceStore();
  readonly #distinct = new Map<number, Set<string>>();
  /** First/last dates of the rare rule columns: blocks of RARE_STRIDE, block b (1-based) at (b - 1) * RARE_STRIDE. */
  #rareF = new Float64Array(64 * RARE_STRIDE);
  #rareTop = 1;
  #rareFree: number[] = [];
  /** `--explain`: one entry per line of these clients with the decisions taken on it. */
  readonly explain = new Map<number, string[]>();
  /** Hashes of the non-static paths each client asked for (crawl.aggressive), value unused. */
  readonly pages = new SlotMap(false, new ClientCells(this, PAGES_META));
  /** Hashes of the distinct non-static paths each client got an error for (scan.paths), value unused. */
  readonly errorPaths = new SlotMap(false, new ClientCells(this, ERRORS_META));
  /** Client port -> last accept ms, to tell a new connection from a reused one. */
  readonly ports = new SlotMap(true, new ClientCells(this, PORTS_META));
  /** Per-second series: requests, new connections and new pages in one store, the rare kinds in another. */
  readonly #series = [new SeriesStore(3), new SeriesStore(3)];
  /** The file the current lines are read from (evidence is then kept as offsets), and the offset of their buffer. */
  #lineFile: LineFile | null = null;
  #lineBase = 0;

  /** Lines that follow are at `base + lineStart` of `file` (null: keep evidence lines as bytes). */
  lineSource(file: LineFile | null, base: number): void {
    this.#lineFile = file;
    this.#lineBase = base;
  }

  /** Slots in use are below this. */
  get slots(): number {
    return this.keys.length;
  }

  /** Slots the cells have room for. */
  get capacity(): number {
    return this.#cap;
  }

  /** Int32 cell `c` (a C value) of a client's record. */
  n(slot: number, c: number): number {
    return this.I[slot * IS + c]!;
  }

  /** Int32 cell `c` (a K value) of a client's cold record. */
  k(slot: number, c: number): number {
    return this.K[slot * KS + c]!;
  }

  first(slot: number): number {
    return this.KF[slot * KFS + KF_FIRST]!;
  }

  last(slot: number): number {
    return this.KF[slot * KFS + KF_FIRST + 1]!;
  }

  /** The client's newest entry in the ring of recent lines (heat.ts), or -1. */
  recent(slot: number): number {
    const c = slot * KS;
    return this.K[c + K.recentHi]! * 0x80000000 + this.K[c + K.recentLo]! - 1;
  }

  setRecent(slot: number, seq: number): void {
    const c = slot * KS;
    const v = seq + 1;
    this.K[c + K.recentLo] = v % 0x80000000;
    this.K[c + K.recentHi] = Math.floor(v / 0x80000000);
  }

  /** A new client's slot (zeroed). */
  alloc(key: string, explain: boolean): number {
    let slot = this.#free.pop();
    if (slot === undefined) {
      slot = this.keys.length;
      this.keys.push(null);
      // 4x, not 2x: see slot-map.ts GROWTH (fresh memory is what growth costs).
      if (slot >= this.#cap) this.#grow(Math.max(1024, this.#cap * 4));
    }
    this.keys[slot] = key;
    this.K.fill(0, slot * KS, slot * KS + KS);
    this.K[slot * KS + K.heat] = explain ? HEAT_ALL : this.initialHeat;
    this.KF[slot * KFS + KF_FIRST] = Number.POSITIVE_INFINITY;
    this.KF[slot * KFS + KF_FIRST + 1] = Number.NEGATIVE_INFINITY;
    if (explain) this.explain.set(slot, []);
    this.size++;
    return slot;
  }

  #grow(n: number): void {
    this.#cap = n;
    const buf = new ArrayBuffer(n * IS * 4);
    const i = new Int32Array(buf);
    i.set(this.I);
    this.I = i;
    this.F = new Float64Array(buf);
    const kbuf = new ArrayBuffer(n * KS * 4);
    const k = new Int32Array(kbuf);
    k.set(this.K);
    this.K = k;
    this.KF = new Float64Array(kbuf);
  }

  /** Compacts the series logs when dropped clients left them mostly holes (after an eviction sweep). */
  compactSeries(): void {
    for (let k = 0; k < 2; k++) {
      const st = this.#series[k]!;
      if (!st.fragmented) continue;
      const offs: number[] = [];
      for (let slot = 0; slot < this.keys.length; slot++) if (this.keys[slot] !== null) offs.push(slot * IS + SER_OFF[k]!);
      st.compact(this.I, offs);
    }
  }

  /**
   * Forgets a client whose lines have all been seen, leaving its cells as they are: the slot is
   * not reused, so nothing needs clearing (clearing walks its series and regions, which costs
   * more than judging it). For a job that reads no more lines.
   */
  drop(slot: number): void {
    this.keys[slot] = null;
    this.explain.delete(slot);
    this.size--;
  }

  /** Forgets a client; its slot is reused. */
  free(slot: number): void {
    this.keys[slot] = null;
    this.explain.delete(slot);
    for (let k = 0; k < 2; k++) this.#series[k]!.clear(this.I, slot * IS + SER_OFF[k]!);
    const rare = this.I[slot * IS + C.rareTimes]!;
    if (rare !== 0) this.#rareFree.push(rare);
    // Before the cells are zeroed: the tables' bookkeeping is in them.
    this.pages.removeAllOf(slot);
    this.ports.removeAllOf(slot);
    this.errorPaths.removeAllOf(slot);
    this.I.fill(0, slot * IS, slot * IS + IS);
    this.K.fill(0, slot * KS, slot * KS + KS);
    if (this.#evidence.size > 0 || this.#distinct.size > 0) {
      for (let r = 0; r < RULE_COUNT; r++) {
        this.#evidence.delete(slot * RULE_COUNT + r);
        this.#distinct.delete(slot * RULE_COUNT + r);
      }
    }
    this.#free.push(slot);
    this.size--;
  }

  /**
   * Counts one line for rule column `r` at accept date `t`, keeps it as evidence while there
   * is room. `evidenceAfter`: keep lines only once the rule has counted more than that many for
   * the client, so that rules that count every client's ordinary traffic (new connections,
   * new pages) copy log lines only for the few clients that come near their threshold.
   */
  hit(slot: number, r: number, t: number, ctx: LineContext | null, evidenceMax: number, evidenceAfter = 0): number {
    const I = this.I;
    const b = slot * IS;
    const n = ++I[b + hitCell(r)]!;
    const f = this.#times(slot, r);
    const F = r < HOT_RULES ? this.F : this.#rareF;
    if (n === 1) {
      F[f] = t;
      F[f + 1] = t;
    } else {
      if (t < F[f]!) F[f] = t;
      if (t > F[f + 1]!) F[f + 1] = t;
    }
    if (n > evidenceAfter && evidenceMax > 0 && ctx !== null && (I[b + C.evidenceFull]! & (1 << r)) === 0) {
      // The bit is clear, so the list has room: the line is kept as its place in the file, or
      // copied as bytes; it is made a string only when printed.
      const rec = ctx.rec;
      const key = slot * RULE_COUNT + r;
      const file = this.#lineFile;
      const n = file !== null ? this.#evidence.pushAt(key, file, this.#lineBase + rec.lineStart, rec.lineEnd - rec.lineStart) : this.#evidence.push(key, rec.buf, rec.lineStart, rec.lineEnd);
      if (n >= evidenceMax) I[b + C.evidenceFull]! |= 1 << r;
    }
    return n;
  }

  /** Index of the first/last dates of rule column `r` in F (hot columns) or #rareF (made if missing). */
  #times(slot: number, r: number): number {
    if (r < HOT_RULES) return slot * FS + F_HOT + 2 * r;
    const c = slot * IS + C.rareTimes;
    let blk = this.I[c]!;
    if (blk === 0) {
      blk = this.#rareFree.pop() ?? this.#rareTop++;
      if (blk * RARE_STRIDE > this.#rareF.length) {
        const a = new Float64Array(this.#rareF.length * 2);
        a.set(this.#rareF);
        this.#rareF = a;
      }
      this.I[c] = blk;
    }
    return (blk - 1) * RARE_STRIDE + 2 * (r - HOT_RULES);
  }

  /** Adds a distinct value counted by rule column `r` (kept up to DISTINCT_VALUES_CAP). */
  addDistinct(slot: number, r: number, v: string): void {
    const i = slot * RULE_COUNT + r;
    let s = this.#distinct.get(i);
    if (s === undefined) this.#distinct.set(i, (s = new Set()));
    if (s.size < DISTINCT_VALUES_CAP) s.add(v);
    if (s.size >= DISTINCT_VALUES_CAP) this.I[slot * IS + C.distinctFull]! |= 1 << r;
    this.I[slot * IS + C.hasDistinct]! |= 1 << r;
  }

  /** Whether addDistinct would still keep a new value for rule column `r` (callers skip making the string). */
  distinctRoom(slot: number, r: number): boolean {
    return (this.I[slot * IS + C.distinctFull]! & (1 << r)) === 0;
  }

  distinctSize(slot: number, r: number): number {
    return (this.I[slot * IS + C.hasDistinct]! & (1 << r)) === 0 ? 0 : this.#distinct.get(slot * RULE_COUNT + r)!.size;
  }

  distinct(slot: number, r: number): ReadonlySet<string> | null {
    return this.#distinct.get(slot * RULE_COUNT + r) ?? null;
  }

  evidence(slot: number, r: number): readonly string[] {
    return this.#evidence.lines(slot * RULE_COUNT + r);
  }

  count(slot: number, r: number): number {
    return this.I[slot * IS + hitCell(r)]!;
  }

  hitFirst(slot: number, r: number): number {
    return (r < HOT_RULES ? this.F : this.#rareF)[this.#times(slot, r)]!;
  }

  hitLast(slot: number, r: number): number {
    return (r < HOT_RULES ? this.F : this.#rareF)[this.#times(slot, r) + 1]!;
  }

  bump(slot: number, kind: SeriesKind, sec: number, n = 1): void {
    const st = SERIES_STORE[kind]!;
    this.#series[st]!.bump(this.I, slot * IS + SER_OFF[st]!, SERIES_COL[kind]!, sec, n);
  }

  /** Highest count of the series over any window of `seconds` (windowPeak), or its total when that is under `needed`. */
  peak(slot: number, kind: SeriesKind, seconds: number, needed?: number): number {
    const st = SERIES_STORE[kind]!;
    return this.#series[st]!.peak(this.I, slot * IS + SER_OFF[st]!, SERIES_COL[kind]!, seconds, needed);
  }

  /** Events in the series (its sum). */
  seriesTotal(slot: number, kind: SeriesKind): number {
    return this.I[slot * IS + SER_OFF[SERIES_STORE[kind]!]! + 2 + SERIES_COL[kind]!]!;
  }

  /** Adds page hash `h` for the client; false when it was already there. */
  addPage(slot: number, h: number): boolean {
    const c = slot * IS + C.pageCount;
    // At the cap a new page still counts as new, but is not kept.
    if (this.I[c]! >= DISTINCT_CAP) return this.pages.find(slot, h) === 0;
    if (this.pages.findOrAdd(slot, h, 0) > 0) return false;
    this.I[c]!++;
    return true;
  }

  /** Adds the hash of a path the client got an error for (scan.paths), up to DISTINCT_CAP of them. */
  addErrorPath(slot: number, h: number): void {
    const c = slot * IS + ERROR_COUNT;
    if (this.I[c]! < DISTINCT_CAP && this.errorPaths.findOrAdd(slot, h, 0) <= 0) this.I[c]!++;
  }

  /** Distinct error paths of the client (at most DISTINCT_CAP). */
  errorPathCount(slot: number): number {
    return this.I[slot * IS + ERROR_COUNT]!;
  }

  /**
   * Writes the latest accept ms of the client's last port (kept in its record while its lines
   * stay on that port) into the ports table. `forget`: the record no longer stands for the
   * table (before the table is changed from elsewhere: a merge).
   */
  flushPort(slot: number, forget: boolean): void {
    const b = slot * IS;
    const port = this.I[b + C.lastPort]!;
    if (port === 0) return;
    if (this.I[b + C.lastPortDirty] !== 0) {
      // Only when a line on the port moved its date up since the table was last told.
      const ms = this.F[slot * FS + F_LAST_PORT_MS]!;
      const e = this.ports.find(slot, port);
      if (e !== 0 && ms > this.ports.value(e)) this.ports.setValue(e, ms);
      this.I[b + C.lastPortDirty] = 0;
    }
    if (forget) this.I[b + C.lastPort] = 0;
  }

  /** The client's whole state as a plain object. */
  export(slot: number): ClientExport {
    this.flushPort(slot, false);
    const hits: Partial<Record<RuleId, HitsExport>> = {};
    for (let r = 0; r < RULE_COUNT; r++) {
      const i = slot * RULE_COUNT + r;
      const d = this.#distinct.get(i) ?? null;
      const n = this.count(slot, r);
      if (n === 0 && d === null) continue;
      hits[COLUMN_IDS[r]!] = { count: n, first: this.hitFirst(slot, r), last: this.hitLast(slot, r), evidence: this.#evidence.lines(i), distinct: d ? [...d] : null };
    }
    const windows: Partial<Record<keyof typeof Series, number[]>> = {};
    for (let k = 0; k < SERIES_NAMES.length; k++) {
      const st = SERIES_STORE[k]!;
      if (this.seriesTotal(slot, k as SeriesKind) > 0) windows[SERIES_NAMES[k]!] = this.#series[st]!.pairs(this.I, slot * IS + SER_OFF[st]!, SERIES_COL[k]!);
    }
    const pages: number[] = [];
    this.pages.forEachOf(slot, (h) => pages.push(h));
    pages.reverse();
    const ports: number[] = [];
    this.ports.forEachOf(slot, (p, t) => ports.push(t, p));
    ports.reverse();
    const errorPaths: number[] = [];
    this.errorPaths.forEachOf(slot, (h) => errorPaths.push(h));
    errorPaths.reverse();
    const ex = this.explain.get(slot);
    const I = this.I;
    const b = slot * IS;
    const Kc = this.K;
    const kb = slot * KS;
    return {
      key: this.keys[slot]!,
      total: Kc[kb + K.total]!,
      http: Kc[kb + K.http]!,
      tcp: Kc[kb + K.total]! - Kc[kb + K.http]!,
      c4xx: Kc[kb + K.c4xx]!,
      c5xx: I[b + C.c5xx]!,
      denied: I[b + C.denied]!,
      statics: Kc[kb + K.statics]!,
      first: this.first(slot),
      last: this.last(slot),
      hits,
      windows,
      pages,
      ports,
      errorPaths,
      portsPruneAt: I[b + C.portsPruneAt]!,
      heat: Kc[kb + K.heat]!,
      explain: ex ? [...ex] : null,
    };
  }

  /** Adds `from` (the state of later lines) into `slot`. */
  merge(slot: number, from: ClientExport, evidenceMax: number): void {
    this.flushPort(slot, true);
    const b = slot * IS;
    const I = this.I;
    const Kc = this.K;
    const kb = slot * KS;
    Kc[kb + K.total]! += from.total;
    Kc[kb + K.http]! += from.http;
    Kc[kb + K.c4xx]! += from.c4xx;
    I[b + C.c5xx]! += from.c5xx;
    I[b + C.denied]! += from.denied;
    Kc[kb + K.statics]! += from.statics;
    this.KF[slot * KFS + KF_FIRST] = Math.min(this.first(slot), from.first);
    this.KF[slot * KFS + KF_FIRST + 1] = Math.max(this.last(slot), from.last);
    for (const id of Object.keys(from.hits) as RuleId[]) {
      const h = from.hits[id]!;
      const r = ruleIndex(id);
      if (h.count > 0) {
        const f = this.#times(slot, r);
        const F = r < HOT_RULES ? this.F : this.#rareF;
        if (this.count(slot, r) === 0) {
          F[f] = h.first;
          F[f + 1] = h.last;
        } else {
          F[f] = Math.min(F[f]!, h.first);
          F[f + 1] = Math.max(F[f + 1]!, h.last);
        }
        I[b + hitCell(r)]! += h.count;
      }
      const i = slot * RULE_COUNT + r;
      if (h.evidence.length > 0) {
        let n = this.#evidence.length(i);
        for (const e of h.evidence) {
          if (n >= evidenceMax) break;
          n = this.#evidence.pushString(i, e);
        }
        if (n >= evidenceMax) I[b + C.evidenceFull]! |= 1 << r;
      }
      if (h.distinct) {
        let s = this.#distinct.get(i);
        if (s === undefined) this.#distinct.set(i, (s = new Set()));
        I[b + C.hasDistinct]! |= 1 << r;
        for (const d of h.distinct) {
          if (s.size >= DISTINCT_VALUES_CAP) break;
          s.add(d);
        }
        if (s.size >= DISTINCT_VALUES_CAP) I[b + C.distinctFull]! |= 1 << r;
      }
    }
    for (const name of Object.keys(from.windows) as (keyof typeof Series)[]) {
      const w = from.windows[name]!;
      for (let i = 0; i < w.length; i += 2) this.bump(slot, Series[name], w[i]!, w[i + 1]!);
    }
    for (const h of from.pages) {
      if (this.I[b + C.pageCount]! >= DISTINCT_CAP) break;
      if (this.pages.find(slot, h) === 0) {
        this.pages.add(slot, h, 0);
        this.I[b + C.pageCount]!++;
      }
    }
    for (const h of from.errorPaths) this.addErrorPath(slot, h);
    for (let i = 0; i < from.ports.length; i += 2) {
      const p = from.ports[i]!;
      const t = from.ports[i + 1]!;
      const e = this.ports.find(slot, p);
      if (e === 0) {
        this.ports.add(slot, p, Math.max(t, 0));
        this.I[b + C.portCount]!++;
      } else this.ports.setValue(e, Math.max(t, this.ports.value(e)));
    }
    this.I[b + C.portsPruneAt] = Math.max(this.I[b + C.portsPruneAt]!, from.portsPruneAt);
    Kc[kb + K.heat]! |= from.heat;
    const mine = this.explain.get(slot);
    if (mine && from.explain) mine.push(...from.explain);
  }
}

/** A slot map's bookkeeping in the clients' Int32 cells (from `base` of each client's IS). */
class ClientCells implements SlotMeta {
  readonly #table: ClientTable;
  readonly base: number;
  readonly stride = IS;
  constructor(table: ClientTable, base: number) {
    this.#table = table;
    this.base = base;
  }
  get cells(): Int32Array {
    return this.#table.I;
  }
  get slots(): number {
    return this.#table.capacity;
  }
  ensure(slot: number): void {
    if (slot >= this.#table.capacity) throw new Error(`bug: slot ${slot} beyond the client table`);
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
    return this.table.k(this.slot, K.total);
  }
  get http(): number {
    return this.table.k(this.slot, K.http);
  }
  get tcp(): number {
    return this.table.k(this.slot, K.total) - this.table.k(this.slot, K.http);
  }
  get c4xx(): number {
    return this.table.k(this.slot, K.c4xx);
  }
  get c5xx(): number {
    return this.table.n(this.slot, C.c5xx);
  }
  get denied(): number {
    return this.table.n(this.slot, C.denied);
  }
  get statics(): number {
    return this.table.k(this.slot, K.statics);
  }
  get first(): number {
    return this.table.first(this.slot);
  }
  get last(): number {
    return this.table.last(this.slot);
  }
  get explain(): readonly string[] | null {
    return this.table.explain.get(this.slot) ?? null;
  }
}

/** What the verdicts and tests call a client's state. */
export type ClientState = ClientView;
