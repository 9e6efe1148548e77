/**
 * The detection job: per-client state fed line by line, mergeable across parts of a log
 * (create / onRecord / onInvalid / snapshot / merge, the shape of halog's record reader jobs),
 * then judged once at the end (verdict.ts).
 */
import { RecordKind, type LogRecord } from '../parse/record.js';
import { CidrSet, parseCidr } from './cidr.js';
import { decodeTarget, unescapeHaproxy, type DecodedTarget } from './decode.js';
import { buildFamilies } from './families/index.js';
import type { Family } from './families/family.js';
import { BUILTIN_RULES, type DetectRules, type RuleId } from './rules.js';
import { mergeClient, newClient, type ClientState, type LineContext } from './state.js';
import { judge } from './verdict.js';

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
  readonly clients: Map<string, ClientState>;
  readonly stats: DetectStats;
}

const STATIC_EXT_MAX = 6;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function findCapture(names: readonly string[], wanted: string): number {
  const w = wanted.toLowerCase();
  return names.findIndex((n) => n.toLowerCase() === w);
}

export class Detector {
  readonly rules: Readonly<DetectRules>;
  readonly clients = new Map<string, ClientState>();
  readonly stats: DetectStats = { lines: 0, http: 0, tcp: 0, invalid: 0, excluded: 0, outOfRange: 0, keyedByXff: 0, evicted: 0 };
  readonly families: readonly Family[];
  readonly #exclude: CidrSet;
  readonly #since: number;
  readonly #until: number;
  readonly #explain: string | null;
  readonly #uaIndex: number;
  readonly #xffIndex: number;
  readonly #static: Set<string>;
  readonly #idleMs: number;
  /** Latest accept date seen, and when idle clients were last looked for. */
  #now = Number.NEGATIVE_INFINITY;
  #lastSweep = Number.NEGATIVE_INFINITY;
  #current: LogRecord | null = null;
  #currentLine: string | null = null;
  #notes: string[] = [];
  readonly #note = (id: RuleId, why: string): void => {
    this.#notes.push(`${id}: ${why}`);
  };
  readonly #ctx: Mutable<LineContext>;

  constructor(o: DetectOptions = {}) {
    this.rules = o.rules ?? BUILTIN_RULES;
    this.families = buildFamilies(this.rules);
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
    this.#static = new Set(this.rules.staticExtensions.map((e) => e.toLowerCase()));
    this.#idleMs = this.rules.evictIdleSeconds * 1000;
    this.#ctx = { rec: null as unknown as LogRecord, http: false, target: null, isStatic: false, ua: '', sec: 0, line: this.#line, note: null };
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

  #isStatic(t: DecodedTarget): boolean {
    const p = t.path;
    const dot = p.lastIndexOf('.');
    if (dot < 0 || p.length - dot > STATIC_EXT_MAX || p.indexOf('/', dot) >= 0) return false;
    return this.#static.has(p.slice(dot));
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
    const key = this.#key(rec);
    if (!this.#exclude.empty && this.#exclude.has(key)) {
      stats.excluded++;
      return;
    }
    const t = rec.acceptMs;
    if (t > this.#now) {
      this.#now = t;
      // Look for idle clients a few times per idle period: O(clients) each time.
      if (this.#idleMs > 0 && t - this.#lastSweep >= this.#idleMs / 4) this.#evictIdle();
    }
    let st = this.clients.get(key);
    if (!st) {
      st = newClient(key, key === this.#explain);
      this.clients.set(key, st);
    }
    st.total++;
    if (t < st.first) st.first = t;
    if (t > st.last) st.last = t;
    if (http) {
      st.http++;
      if (rec.status >= 400 && rec.status < 500) st.c4xx++;
      else if (rec.status >= 500) st.c5xx++;
      if (rec.termChar(0) === 0x50 && (rec.termChar(1) === 0x52 || rec.termChar(1) === 0x54)) st.denied++;
    } else st.tcp++;
    const target = http && !rec.isBadRequest ? decodeTarget(rec.text(rec.uri)) : null;
    this.#current = rec;
    this.#currentLine = null;
    const explaining = st.explain !== null;
    if (explaining) this.#notes = [];
    const isStatic = target !== null && this.#isStatic(target);
    if (isStatic) st.statics++;
    // One context object for every line (the families must not keep it).
    const ctx = this.#ctx;
    ctx.rec = rec;
    ctx.http = http;
    ctx.target = target;
    ctx.isStatic = isStatic;
    ctx.ua = http && this.#uaIndex >= 0 && rec.captureBlocks > 0 ? unescapeHaproxy(rec.captureField(rec.requestCaptures, this.#uaIndex)) : '';
    ctx.sec = Math.floor(t / 1000);
    ctx.note = explaining ? this.#note : null;
    for (const f of this.families) f.onRecord(ctx, st);
    if (explaining) {
      st.explain!.push(`${new Date(t).toISOString()} ${this.#line()}\n    ${this.#notes.length > 0 ? this.#notes.join('\n    ') : 'no rule counted this line'}`);
    }
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
    for (const [key, st] of this.clients) {
      if (st.last >= before || st.explain !== null) continue;
      if (judge(this, st).verdict === 'clean') {
        this.clients.delete(key);
        this.stats.evicted++;
      }
    }
  }

  snapshot(): DetectSnapshot {
    return { clients: this.clients, stats: this.stats };
  }

  /** Adds the snapshot of the lines that come after those seen so far. */
  merge(s: DetectSnapshot): void {
    for (const k of Object.keys(this.stats) as (keyof DetectStats)[]) this.stats[k] += s.stats[k];
    for (const [key, st] of s.clients) {
      const mine = this.clients.get(key);
      if (mine) mergeClient(mine, st, this.rules.evidencePerRule);
      else this.clients.set(key, st);
    }
  }
}

/** The record-reader job entry point (halog/read/record-reader.ts). */
export function create(options: DetectOptions): Detector {
  return new Detector(options);
}
