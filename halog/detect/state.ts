/**
 * Per-client state of the detectors. Plain objects, Maps and Sets only, so that a worker's
 * state is structured-clonable as a snapshot and states of consecutive parts of a log merge
 * exactly (counts add, windows add per second, sets unite, evidence keeps the first lines).
 */
import type { LogRecord } from '../parse/record.js';
import type { TargetView } from './target.js';
import type { RuleId } from './rules.js';

/** Distinct values kept per rule and client: far above every threshold, bounded for memory. */
export const DISTINCT_CAP = 4096;

export interface RuleHits {
  count: number;
  /** Accept dates (ms) of the first and last counted line. */
  first: number;
  last: number;
  evidence: string[];
  /** Distinct values (paths, user agents) counted by the rule; null until the first one. */
  distinct: Set<string> | null;
}

export interface ClientState {
  key: string;
  total: number;
  http: number;
  tcp: number;
  c4xx: number;
  c5xx: number;
  /** Denied (PR) or tarpitted (PT) by HAProxy. */
  denied: number;
  /** Requests for static assets (the rules' staticExtensions). */
  statics: number;
  first: number;
  last: number;
  hits: Map<string, RuleHits>;
  /**
   * Per-second event counts, by series name (`requests`, `conns`, `authfail`, `pages`), as flat
   * `[second, count, second, count, ...]` arrays: a client's lines come nearly in time order,
   * so a bump is almost always "same second as last" or an append (cheaper than a Map).
   */
  windows: Map<string, number[]>;
  /** Sets that are not evidence (e.g. the hash of every non-static path seen, to find new ones). */
  sets: Map<string, Set<number>>;
  /** Client port -> last accept ms, to tell a new connection from a reused one. */
  ports: Map<number, number>;
  /** Size of `ports` at which stale entries are next pruned (grows so pruning stays O(1) per line). */
  portsPruneAt: number;
  /** `--explain`: one entry per line of this client with the decisions taken on it. */
  explain: string[] | null;
}

export function newClient(key: string, explain: boolean): ClientState {
  return {
    key,
    total: 0,
    http: 0,
    tcp: 0,
    c4xx: 0,
    c5xx: 0,
    denied: 0,
    statics: 0,
    first: Number.POSITIVE_INFINITY,
    last: Number.NEGATIVE_INFINITY,
    hits: new Map(),
    windows: new Map(),
    sets: new Map(),
    ports: new Map(),
    portsPruneAt: 0,
    explain: explain ? [] : null,
  };
}

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

/**
 * Counts one line for rule `id`, keeps it as evidence while there is room. `evidenceAfter`:
 * keep lines only once the rule has counted more than that many for the client, so that rules
 * that count every client's ordinary traffic (new connections, new pages) copy log lines only
 * for the few clients that come near their threshold (a 50 000-client log would otherwise hold
 * 3 lines per client and rule).
 */
export function addHit(st: ClientState, id: RuleId, ctx: LineContext, evidenceMax: number, distinct?: string, why?: string | (() => string), evidenceAfter = 0): RuleHits {
  let h = st.hits.get(id);
  if (!h) {
    h = { count: 0, first: Number.POSITIVE_INFINITY, last: Number.NEGATIVE_INFINITY, evidence: [], distinct: null };
    st.hits.set(id, h);
  }
  h.count++;
  const t = ctx.rec.acceptMs;
  if (t < h.first) h.first = t;
  if (t > h.last) h.last = t;
  if (distinct !== undefined) {
    if (h.distinct === null) h.distinct = new Set();
    if (h.distinct.size < DISTINCT_CAP) h.distinct.add(distinct);
  }
  if (h.evidence.length < evidenceMax && h.count > evidenceAfter) h.evidence.push(ctx.line());
  // reasons with values are functions: the text is only made for --explain
  if (ctx.note) ctx.note(id, (typeof why === 'function' ? why() : why) ?? 'counted');
  return h;
}

/** Lines are ordered by end time, accept dates a little less: look back this far for the second. */
const LOOK_BACK = 8;

export function bump(st: ClientState, series: string, sec: number, n = 1): void {
  let w = st.windows.get(series);
  if (!w) {
    w = [];
    st.windows.set(series, w);
  }
  const stop = Math.max(0, w.length - 2 * LOOK_BACK);
  for (let i = w.length - 2; i >= stop; i -= 2) {
    if (w[i] === sec) {
      w[i + 1]! += n;
      return;
    }
  }
  w.push(sec, n);
}

export function setOf(st: ClientState, name: string): Set<number> {
  let s = st.sets.get(name);
  if (!s) {
    s = new Set();
    st.sets.set(name, s);
  }
  return s;
}

export interface WindowPeak {
  /** Largest sum over any `seconds`-long window. */
  count: number;
  /** Start of that window, in seconds. */
  start: number;
}

/**
 * Highest count over any window of `seconds` consecutive seconds (two pointers over sorted
 * keys). When the whole series adds up to less than `needed`, the total is returned as is: it
 * bounds the peak from above and no threshold can be reached (most clients: no sort, no Map).
 */
export function windowPeak(series: readonly number[] | undefined, seconds: number, needed = Number.POSITIVE_INFINITY): WindowPeak {
  if (!series || series.length === 0) return { count: 0, start: 0 };
  if (series.length === 2) return { count: series[1]!, start: series[0]! };
  let total = 0;
  for (let i = 1; i < series.length; i += 2) total += series[i]!;
  if (total < needed) return { count: total, start: series[0]! };
  const w = new Map<number, number>();
  for (let i = 0; i < series.length; i += 2) w.set(series[i]!, (w.get(series[i]!) ?? 0) + series[i + 1]!);
  const keys = [...w.keys()].sort((a, b) => a - b);
  let best = 0;
  let bestStart = keys[0]!;
  let sum = 0;
  let lo = 0;
  for (let hi = 0; hi < keys.length; hi++) {
    sum += w.get(keys[hi]!)!;
    while (keys[hi]! - keys[lo]! >= seconds) sum -= w.get(keys[lo++]!)!;
    if (sum > best) {
      best = sum;
      bestStart = keys[lo]!;
    }
  }
  return { count: best, start: bestStart };
}

function mergeHits(into: RuleHits, from: RuleHits, evidenceMax: number): void {
  into.count += from.count;
  into.first = Math.min(into.first, from.first);
  into.last = Math.max(into.last, from.last);
  for (const e of from.evidence) {
    if (into.evidence.length >= evidenceMax) break;
    into.evidence.push(e);
  }
  if (from.distinct) {
    if (!into.distinct) into.distinct = new Set();
    for (const d of from.distinct) {
      if (into.distinct.size >= DISTINCT_CAP) break;
      into.distinct.add(d);
    }
  }
}

/** Adds `from` (the state of later lines) into `into`. */
export function mergeClient(into: ClientState, from: ClientState, evidenceMax: number): void {
  into.total += from.total;
  into.http += from.http;
  into.tcp += from.tcp;
  into.c4xx += from.c4xx;
  into.c5xx += from.c5xx;
  into.denied += from.denied;
  into.statics += from.statics;
  into.first = Math.min(into.first, from.first);
  into.last = Math.max(into.last, from.last);
  for (const [id, h] of from.hits) {
    const mine = into.hits.get(id);
    if (mine) mergeHits(mine, h, evidenceMax);
    else into.hits.set(id, h);
  }
  for (const [name, w] of from.windows) {
    const mine = into.windows.get(name);
    if (!mine) into.windows.set(name, w);
    else for (let i = 0; i < w.length; i++) mine.push(w[i]!);
  }
  for (const [name, set] of from.sets) {
    const mine = into.sets.get(name);
    if (!mine) into.sets.set(name, set);
    else for (const v of set) if (mine.size < DISTINCT_CAP) mine.add(v);
  }
  for (const [p, t] of from.ports) into.ports.set(p, Math.max(t, into.ports.get(p) ?? 0));
  into.portsPruneAt = Math.max(into.portsPruneAt, from.portsPruneAt);
  if (into.explain && from.explain) into.explain.push(...from.explain);
}
