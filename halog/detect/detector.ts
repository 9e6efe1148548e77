/**
 * The detection job: per-client state fed line by line, mergeable across parts of a log
 * (create / onRecord / onInvalid / snapshot / merge, the shape of halog's record reader jobs),
 * then judged once at the end (verdict.ts).
 */
import { captureValue, locateClientIp, RecordKind, type LogRecord, type Span } from '../parse/record.js';
import type { ShardKey, ShardSpec } from '../read/record-reader.js';
import type { Source } from '../read/sources.js';
import { CidrSet, parseCidr } from './cidr.js';
import { ByteCache } from './byte-cache.js';
import { Ipv4Index, ipv4At } from '../parse/ipv4-index.js';
import { unescapeHaproxy } from './decode.js';
import { buildFamilies } from './families/index.js';
import type { Family } from './families/family.js';
import { BUILTIN_RULES, type DetectRules, type RuleId } from './rules.js';
import { C, ClientTable, ClientView, IS, K, KF_FIRST, KFS, KS, type ClientExport, type LineContext } from './state.js';
import { HEAT_ALL, RECENT_PAGE, RECENT_QUEUED, RecentLines, type BusyGate } from './heat.js';
import { extensionCode, TargetView } from './target.js';
import { isClean, suspects, type Suspect } from './verdict.js';

export interface DetectOptions {
  /** Validated rules (BUILTIN_RULES by default). Structured-clonable. */
  readonly rules?: Readonly<DetectRules>;
  /** Key clients on the source address, or on the captured X-Forwarded-For when present. */
  readonly by?: 'src' | 'xff';
  /** Allow-list: CIDR blocks whose clients are skipped entirely. */
  readonly exclude?: readonly string[];
  /** Accept-date bounds in ms (inclusive since, exclusive until). */
  readonly sinceMs?: number;
  readonly untilMs?: number;
  /** Client key whose every line-level decision is recorded. */
  readonly explain?: string | null;
  /**
   * Count flood.requests and crawl.aggressive for busy clients only (heat.ts; the default).
   * false: count every client's lines, as tests compare.
   */
  readonly busyGates?: boolean;
}

export interface DetectStats {
  /** Lines read (traffic and not). */
  lines: number;
  http: number;
  tcp: number;
  /** Lines that are not HAProxy traffic (garbage, server-state messages): counted, skipped. */
  invalid: number;
  /** Traffic lines skipped by --exclude, --since/--until. */
  excluded: number;
  outOfRange: number;
  /** Clients keyed on X-Forwarded-For (with --by xff). */
  keyedByXff: number;
  /** Idle clients judged clean and dropped (rules.evictIdleSeconds); a returning one starts over. */
  evicted: number;
}

export interface DetectSnapshot {
  readonly clients: ClientExport[];
  readonly stats: DetectStats;
  /** Clients judged clean by a shard and left out of `clients` (they had all their lines). */
  readonly cleanDropped: number;
}

/** What a shard that had every line of its clients found, judged where it ran (structured-clonable). */
export interface JudgedShard {
  readonly suspects: Suspect[];
  readonly stats: DetectStats;
  /** Its clients, flagged or not. */
  readonly clients: number;
}

const STATIC_EXT_MAX = 6;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function findCapture(names: readonly string[], wanted: string): number {
  const w = wanted.toLowerCase();
  return names.findIndex((n) => n.toLowerCase() === w);
}

export class Detector {
  readonly rules: Readonly<DetectRules>;
  /** Every client's state, by slot (state.ts). */
  readonly table = new ClientTable();
  /**
   * Client key -> slot for the keys #byV4 does not hold: with source-address keying, those that
   * are not a canonical IPv4 address; with `--by xff`, every key. (A string Map entry per IPv4
   * client cost more than the index lookup it duplicated: 50k cold inserts per 300 MB of log.)
   */
  readonly #slots = new Map<string, number>();
  readonly stats: DetectStats = { lines: 0, http: 0, tcp: 0, invalid: 0, excluded: 0, outOfRange: 0, keyedByXff: 0, evicted: 0 };
  readonly families: readonly Family[];
  /** The families' onRecord and score functions, in family order (Family.onRecord says why apart). */
  readonly #lineFns: readonly Family['onRecord'][];
  readonly familyScores: readonly Family['score'][];
  readonly #exclude: CidrSet;
  readonly #since: number;
  readonly #until: number;
  readonly #explain: string | null;
  readonly #uaIndex: number;
  readonly #xffIndex: number;
  /** Static extensions as extensionCode() numbers, sorted (searched without boxing a 48-bit number per line). */
  readonly #static: Float64Array;
  /** Client address bytes -> slot (source-address keying only); cleared when a sweep evicts. */
  readonly #byIp = new ByteCache<number>();
  /** The same for canonical IPv4 addresses, by number. */
  readonly #byV4 = new Ipv4Index();
  readonly #target = new TargetView();
  readonly #idleMs: number;
  /** Latest accept date seen, and when idle clients were last looked for. */
  #now = Number.NEGATIVE_INFINITY;
  #lastSweep = Number.NEGATIVE_INFINITY;
  /** Sharded reading (record-reader.ts): this instance sees every line of its clients. */
  readonly #shard: ShardSpec | null;
  /** Clients not in the table but counted by clientCount: clean ones left out of shards' snapshots or dropped, and judged ones (settle, addJudged). */
  #cleanDropped = 0;
  /** Suspects already judged (settle, addJudged): suspects() lists them with the table's. */
  readonly judgedElsewhere: Suspect[] = [];
  #current: LogRecord | null = null;
  #currentLine: string | null = null;
  #notes: string[] = [];
  readonly #note = (id: RuleId, why: string): void => {
    this.#notes.push(`${id}: ${why}`);
  };
  readonly #ctx: Mutable<LineContext>;
  /** The families' busy gates (heat.ts), their bits together, and the recent lines of clients not yet busy. */
  readonly #gates: readonly BusyGate[];
  readonly #gateBits: number;
  readonly #recent: RecentLines;

  constructor(o: DetectOptions = {}, shard?: ShardSpec) {
    this.rules = o.rules ?? BUILTIN_RULES;
    this.#shard = shard && shard.count > 1 ? shard : null;
    this.families = buildFamilies(this.rules);
    this.#lineFns = this.families.map((f) => f.onRecord);
    this.familyScores = this.families.map((f) => f.score);
    this.#gates = o.busyGates === false ? [] : this.families.flatMap((f) => (f.busy ? [f.busy] : []));
    this.#gateBits = this.#gates.reduce((bits, g) => bits | g.bit, 0);
    this.table.initialHeat = this.#gateBits !== 0 ? 0 : HEAT_ALL;
    this.#recent = new RecentLines(this.#gates.reduce((ms, g) => Math.max(ms, g.replayMs), 0));
    const blocks = (o.exclude ?? []).map((t) => {
      const c = parseCidr(t);
      if (!c) throw new Error(`bug: unvalidated CIDR '${t}'`);
      return c;
    });
    this.#exclude = new CidrSet(blocks);
    this.#since = o.sinceMs ?? Number.NEGATIVE_INFINITY;
    this.#until = o.untilMs ?? Number.POSITIVE_INFINITY;
    this.#explain = o.explain ?? null;
    this.#uaIndex = findCapture(this.rules.captures, 'User-Agent');
    this.#xffIndex = o.by === 'xff' ? findCapture(this.rules.captures, 'X-Forwarded-For') : -1;
    this.#static = Float64Array.from(new Set(this.rules.staticExtensions.map((e) => extensionCode(e.toLowerCase(), STATIC_EXT_MAX)).filter((c) => c >= 0))).sort();
    this.#idleMs = this.rules.evictIdleSeconds > 0 ? Math.max(this.rules.evictIdleSeconds, longestWindowSeconds(this.families)) * 1000 : 0;
    this.#ctx = { rec: null as unknown as LogRecord, http: false, target: null, isStatic: false, uaStart: 0, uaEnd: 0, sec: 0, line: this.#line, note: null };
  }

  /** Called by the reader (record-part.ts): where the next lines are in their file, so evidence can stay there. */
  lineSource(src: Source | null, base: number): void {
    this.table.lineSource(src !== null && src.seekable ? src : null, base);
  }

  onInvalid(_rec: LogRecord): void {
    this.stats.lines++;
    this.stats.invalid++;
  }

  #line = (): string => {
    if (this.#currentLine === null) {
      const r = this.#current!;
      this.#currentLine = r.buf.toString('latin1', r.lineStart, r.lineEnd);
    }
    return this.#currentLine;
  };

  /** The client's slot; with source-address keying, found from the address bytes. */
  #client(rec: LogRecord, key: string | null): number {
    if (this.#xffIndex < 0) {
      const ip = rec.clientIp;
      const v4 = ipv4At(rec.buf, ip.start, ip.end);
      if (v4 >= 0) {
        let slot = this.#byV4.get(v4);
        if (slot < 0) {
          const k = key ?? rec.text(ip);
          slot = this.table.alloc(k, k === this.#explain);
          this.#byV4.set(v4, slot);
        }
        return slot;
      }
      let slot = this.#byIp.get(rec.buf, ip.start, ip.end);
      if (slot === undefined) {
        slot = this.#mapSlotOf(key ?? rec.text(ip));
        this.#byIp.setAfterMiss(slot);
      }
      return slot;
    }
    return this.#mapSlotOf(key ?? this.#key(rec));
  }

  /** The slot of client `key`, made if new. */
  #slotOf(key: string): number {
    const v4 = this.#xffIndex < 0 ? ipv4OfKey(key) : -1;
    if (v4 < 0) return this.#mapSlotOf(key);
    let slot = this.#byV4.get(v4);
    if (slot < 0) {
      slot = this.table.alloc(key, key === this.#explain);
      this.#byV4.set(v4, slot);
    }
    return slot;
  }

  #mapSlotOf(key: string): number {
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = this.table.alloc(key, key === this.#explain);
      this.#slots.set(key, slot);
    }
    return slot;
  }

  /**
   * The clients held, by key (tests, `--explain`): views on the table, made on each call. A
   * view stays valid until its client is evicted.
   */
  get clients(): Map<string, ClientView> {
    const m = new Map<string, ClientView>();
    const T = this.table;
    for (let slot = 0; slot < T.slots; slot++) {
      const key = T.keys[slot];
      if (key !== null && key !== undefined) m.set(key, new ClientView(T, slot));
    }
    return m;
  }

  #key(rec: LogRecord): string {
    if (this.#xffIndex >= 0 && rec.captureBlocks > 0) {
      let v = rec.captureField(rec.requestCaptures, this.#xffIndex);
      if (v !== '') {
        const comma = v.indexOf(',');
        if (comma >= 0) v = v.slice(0, comma);
        v = unescapeHaproxy(v).trim();
        if (v !== '') {
          this.stats.keyedByXff++;
          return v;
        }
      }
    }
    return rec.text(rec.clientIp);
  }

  onRecord(rec: LogRecord): void {
    const stats = this.stats;
    stats.lines++;
    const http = rec.kind === RecordKind.http;
    if (http) stats.http++;
    else stats.tcp++;
    if (rec.acceptMs < this.#since || rec.acceptMs >= this.#until) {
      stats.outOfRange++;
      return;
    }
    // The allow-list needs the key as text; without one (the usual case) no string is made.
    let key: string | null = null;
    if (!this.#exclude.empty) {
      key = this.#key(rec);
      if (this.#exclude.has(key)) {
        stats.excluded++;
        return;
      }
    }
    const t = rec.acceptMs;
    if (t > this.#now) {
      this.#now = t;
      // Look for idle clients a few times per idle period: O(clients) each time.
      if (this.#idleMs > 0 && t - this.#lastSweep >= this.#idleMs / 4) this.#evictIdle();
    } else if (this.#now - t > this.table.maxLagMs) this.table.maxLagMs = this.#now - t;
    const slot = this.#client(rec, key);
    const T = this.table;
    // The cold record holds what every line counts; the record (I) only the rarer counters.
    const Kc = T.K;
    const k = slot * KS;
    Kc[k + K.total]!++;
    const KF = T.KF;
    const f = slot * KFS + KF_FIRST;
    if (t < KF[f]!) KF[f] = t;
    if (t > KF[f + 1]!) KF[f + 1] = t;
    if (http) {
      Kc[k + K.http]!++;
      if (rec.status >= 400 && rec.status < 500) Kc[k + K.c4xx]!++;
      else if (rec.status >= 500) T.I[slot * IS + C.c5xx]!++;
      if (rec.deniedByProxy) T.I[slot * IS + C.denied]!++;
    }
    let target: TargetView | null = null;
    if (http && !rec.isBadRequest) {
      target = this.#target;
      target.reset(rec.buf, rec.uri.start, rec.uri.end);
    }
    this.#current = rec;
    this.#currentLine = null;
    const explain = T.explain.size > 0 ? (T.explain.get(slot) ?? null) : null;
    const explaining = explain !== null;
    if (explaining) this.#notes = [];
    const isStatic = target !== null && sortedHas(this.#static, target.extension(STATIC_EXT_MAX));
    if (isStatic) Kc[k + K.statics]!++;
    // One context object for every line (the families must not keep it).
    const ctx = this.#ctx;
    ctx.rec = rec;
    ctx.http = http;
    ctx.target = target;
    ctx.isStatic = isStatic;
    if (http && this.#uaIndex >= 0 && rec.captureBlocks > 0) captureSpan(rec, this.#uaIndex, ctx);
    else ctx.uaStart = ctx.uaEnd = 0;
    ctx.sec = Math.floor(t / 1000);
    ctx.note = explaining ? this.#note : null;
    if (this.#gateBits !== 0 && (Kc[k + K.heat]! & this.#gateBits) !== this.#gateBits) this.#coldLine(rec, slot, isStatic ? null : target, t, ctx.sec);
    const lineFns = this.#lineFns;
    for (let i = 0; i < lineFns.length; i++) lineFns[i]!(ctx, T, slot);
    if (explaining) {
      explain.push(`${new Date(t).toISOString()} ${this.#line()}\n    ${this.#notes.length > 0 ? this.#notes.join('\n    ') : 'no rule counted this line'}`);
    }
  }

  /**
   * A line of a client not busy for some gated rule (heat.ts): counted towards each such
   * rule's gate; a gate reached makes the client busy for that rule, which first counts the
   * client's recent lines from the ring; the line goes to the ring while a gate is left.
   * `page`: the request's target when it is a non-static HTTP request, else null.
   */
  #coldLine(rec: LogRecord, slot: number, page: TargetView | null, ms: number, sec: number): void {
    const T = this.table;
    const Kc = T.K;
    const b = slot * KS;
    let heat = Kc[b + K.heat]!;
    for (let g = 0; g < this.#gates.length; g++) {
      const gate = this.#gates[g]!;
      if ((heat & gate.bit) !== 0 || (gate.pagesOnly && page === null)) continue;
      const c = b + K.gate0 + 2 * g;
      const interval = Math.floor(sec / gate.intervalSeconds) + 1;
      if (interval > Kc[c]!) {
        Kc[c] = interval;
        Kc[c + 1] = 1;
      } else if (interval === Kc[c]) Kc[c + 1]!++;
      // (A line of an older interval, logged late, is not counted towards the gate.)
      if (Kc[c + 1]! < gate.gate) continue;
      heat |= gate.bit;
      Kc[b + K.heat] = heat;
      this.#replay(gate, slot, T.recent(slot), ms);
    }
    if ((heat & this.#gateBits) === this.#gateBits) return;
    const flags = (rec.waitedInQueue ? RECENT_QUEUED : 0) | (page !== null ? RECENT_PAGE : 0);
    T.setRecent(slot, this.#recent.push(T.recent(slot), ms, rec.clientPort, flags, page !== null ? page.pathHash() : 0, this.#now, T.maxLagMs));
  }

  /** Counts the recent lines of a client that just turned busy for `gate` (apart: no closure in #coldLine's every call). */
  #replay(gate: BusyGate, slot: number, newest: number, ms: number): void {
    if (newest < 0) return;
    const T = this.table;
    this.#recent.replay(newest, ms - gate.replayMs, (m, port, flags, hash) => gate.replay(T, slot, m, port, flags, hash));
  }

  /**
   * Judges every client idle for rules.evictIdleSeconds: clean ones are dropped, flagged ones
   * are kept (they are few, and they must be reported). Memory is then bounded by the clients
   * active within that period, plus the flagged ones.
   */
  #evictIdle(): void {
    if (this.#lastSweep === Number.NEGATIVE_INFINITY) {
      this.#lastSweep = this.#now;
      return;
    }
    this.#lastSweep = this.#now;
    const before = this.#now - this.#idleMs;
    const T = this.table;
    let otherEvicted = false;
    for (let slot = 0; slot < T.slots; slot++) {
      const key = T.keys[slot];
      if (key === null || key === undefined || T.last(slot) >= before || T.explain.has(slot)) continue;
      if (isClean(this, slot)) {
        T.free(slot);
        this.stats.evicted++;
        otherEvicted = this.#unindex(key) || otherEvicted;
      }
    }
    // Clearing both caches after every sweep, as before, made every client look up its string
    // key again (a Map lookup and a string per client and sweep: ~0.2 CPU-s per 300 MB).
    if (otherEvicted) this.#byIp.clear();
    T.compactSeries();
  }

  /**
   * Takes a forgotten client's key out of the address caches, which must not point at its
   * slot: an IPv4 key out of its index, any other out of #slots. True for the latter: the byte
   * cache has no removal, and the caller clears it (it refills from #slots).
   */
  #unindex(key: string): boolean {
    const v4 = this.#xffIndex < 0 ? ipv4OfKey(key) : -1;
    if (v4 >= 0) {
      this.#byV4.delete(v4);
      return false;
    }
    this.#slots.delete(key);
    return true;
  }

  /**
   * Forgets the clean clients, as snapshot() leaves them out of a shard's snapshot, but in
   * place: for the thread that reads for the workers (dispatch.ts) with `--explain`, whose
   * table must keep the explained client (without it, settle()). It has had every line of its
   * clients and judges them while the workers judge theirs, instead of after their snapshots
   * come (suspects() then judged them with the other thread idle: from the end of reading to
   * the suspects listed, 1 GB, 2 threads, 3 interleaved runs, 600/777/828 ms before,
   * 328/361/452 ms after). The job takes no more lines afterwards, only merges.
   */
  dropClean(): void {
    this.#dropClients((slot) => !this.table.explain.has(slot) && isClean(this, slot));
  }

  /**
   * Forgets (ClientTable.drop) every client whose slot `which` picks, or every client (null);
   * clientCount still counts them. Dropping every client empties the address caches at once
   * instead of taking each key out of them (reading the key back as an address made a Buffer
   * per client: 50 ms of the reading thread's last 114 ms on 1 GB, two threads, in settle()).
   */
  #dropClients(which: ((slot: number) => boolean) | null): void {
    const T = this.table;
    let other = false;
    for (let slot = 0; slot < T.slots; slot++) {
      const key = T.keys[slot];
      if (key === null || key === undefined || (which !== null && !which(slot))) continue;
      T.drop(slot);
      this.#cleanDropped++;
      if (which !== null) other = this.#unindex(key) || other;
    }
    if (which === null) {
      this.#byV4.clear();
      this.#slots.clear();
    }
    if (which === null || other) this.#byIp.clear();
  }

  /** Clients seen (and not evicted): those kept plus the clean ones merged shards left out. */
  get clientCount(): number {
    return this.table.size + this.#cleanDropped;
  }

  snapshot(): DetectSnapshot {
    // A shard had every line of its clients: a clean one is final and need not be sent (and
    // copying every client's state between threads cost more than reading: 2x the CPU).
    const T = this.table;
    const kept: ClientExport[] = [];
    for (let slot = 0; slot < T.slots; slot++) {
      if (T.keys[slot] === null) continue;
      if (this.#shard === null || T.explain.has(slot) || !isClean(this, slot)) kept.push(T.export(slot));
    }
    return { clients: kept, stats: this.stats, cleanDropped: this.#cleanDropped + T.size - kept.length };
  }

  /**
   * Judges every client now and keeps only the suspects, as judged(): for the thread that
   * reads for the workers (dispatch.ts), which has had every line of its clients and judges
   * them while the workers judge theirs; suspects() then only adds the workers' and sorts. The
   * job takes no more lines afterwards, nor snapshots to merge (their clients would be judged
   * apart from what was judged here).
   */
  settle(): void {
    const list = suspects(this);
    this.#dropClients(null);
    this.judgedElsewhere.length = 0;
    for (const s of list) this.judgedElsewhere.push(s);
  }

  /**
   * This shard's suspects, stats and client count, for a shard that had every line of its
   * clients (dispatch-worker.ts): what the reading thread needs of it, instead of a snapshot
   * of its flagged clients' whole state (ports, pages, series: thousands of entries for a
   * flood) to copy there, merge and judge again while the other threads wait. With settle():
   * from both threads done with their lines to the suspects listed, 1 GB, two threads, 4
   * interleaved runs: 266/236/216/256 ms before, 108/107/191/99 ms after.
   */
  judged(): JudgedShard {
    return { suspects: suspects(this), stats: this.stats, clients: this.clientCount };
  }

  /** Adds a judged shard (its clients are none of this table's). */
  addJudged(j: JudgedShard): void {
    this.#cleanDropped += j.clients;
    for (const k of Object.keys(this.stats) as (keyof DetectStats)[]) this.stats[k] += j.stats[k];
    for (const s of j.suspects) this.judgedElsewhere.push(s);
  }

  /** Adds the snapshot of the lines that come after those seen so far. */
  merge(s: DetectSnapshot): void {
    this.#cleanDropped += s.cleanDropped;
    for (const k of Object.keys(this.stats) as (keyof DetectStats)[]) this.stats[k] += s.stats[k];
    for (const c of s.clients) this.table.merge(this.#slotOf(c.key), c, this.rules.evidencePerRule);
  }
}

/** A client key as an IPv4 number when it is the canonical dotted quad that ipv4At() reads, else -1. */
function ipv4OfKey(key: string): number {
  if (key.length > 15) return -1;
  return ipv4At(Buffer.from(key, 'latin1'), 0, key.length);
}

/** Whether sorted `a` holds `v` (binary search). */
function sortedHas(a: Float64Array, v: number): boolean {
  if (v < 0) return false;
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = a[mid]!;
    if (x === v) return true;
    if (x < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

const uaScratch: Span = { start: 0, end: 0 };

/** Sets ctx.uaStart/uaEnd to the bytes of the n-th `|`-separated request capture (LogRecord.captureField without the string). */
function captureSpan(rec: LogRecord, n: number, ctx: Mutable<LineContext>): void {
  captureValue(rec.buf, rec.requestCaptures, n, uaScratch);
  ctx.uaStart = uaScratch.start;
  ctx.uaEnd = uaScratch.end;
}

/** The record-reader job entry point (halog/read/record-reader.ts). */
export function create(options: DetectOptions, shard?: ShardSpec): Detector {
  return new Detector(options, shard);
}

/**
 * The longest window of the enabled rules, in seconds (each family declares its own): a client
 * idle for less may still have lines in one, so it is never evicted sooner, whatever
 * evictIdleSeconds says.
 */
export function longestWindowSeconds(families: readonly Family[]): number {
  let longest = 0;
  for (const f of families) longest = Math.max(longest, f.windowSeconds ?? 0);
  return longest;
}

/**
 * Sharded reading by client address (record-reader.ts, dispatch.ts): each worker gets every
 * line of its clients, so verdicts and evidence are those of one thread. Not with `--by xff`
 * (the key is inside the capture block). The scanner's `route` (halog/parse/wasm-route.ts)
 * computes the same hash; test/halog/wasm-route.test.ts holds them together.
 */
export function shardKey(options: DetectOptions): ShardKey | null {
  if (options.by === 'xff') return null;
  const ip: Span = { start: 0, end: 0 };
  return (buf, start, end) => {
    if (!locateClientIp(buf, start, end, ip)) return -1;
    let h = 0x811c9dc5 | 0;
    for (let p = ip.start; p < ip.end; p++) h = Math.imul(h ^ buf[p]!, 0x01000193);
    return h >>> 1;
  };
}
