/**
 * `flood.requests`: request floods over a sliding window, told apart from busy keep-alive
 * clients by what HAProxy logs about connections. Each line carries the client's source
 * port; a port not seen from that client within `connectionReuseSeconds` is a new TCP
 * connection. A flood without keep-alive (ab, most L7 DDoS tools) opens one connection per
 * request (corpus: 2500 requests on 2270 ports in 10 s); an API partner with keep-alive sends
 * its bursts over a handful of connections (1200 requests on 24 ports). The rule fires on the
 * connection rate, or on a request rate so high that no keep-alive client reaches it; both
 * limits drop when the client's requests had to queue (Tw, server/backend queues): HAProxy
 * saw the servers saturated.
 */
import { HEAT_FLOOD, RECENT_QUEUED, type BusyGate } from '../heat.js';
import type { DetectRules } from '../rules.js';
import { C, F_LAST_PORT_MS, FS, IS, K, KS, ruleIndex, Series, type ClientTable, type LineContext } from '../state.js';
import type { Decision, Family } from './family.js';

const FLOOD = ruleIndex('flood.requests');

/** Prune a client's port table beyond this many entries (ports older than the reuse time go). */
const PORTS_SOFT_CAP = 2048;
/** Least time past the reuse window after which a port may be forgotten (see onRecord). */
const STALE_MARGIN_MS = 60_000;

export function createFloodFamily(rules: Readonly<DetectRules>): Family {
  const r = rules.rules['flood.requests'];
  const reuseMs = r.connectionReuseSeconds * 1000;
  const evidence = rules.evidencePerRule;
  const warm = Math.floor(r.minNewConnections / 10);
  const minK = Math.min(1, r.queuedFactor);
  const low = Math.min(r.minNewConnections, r.minRequests) * minK;
  const measure = (t: ClientTable, slot: number) => {
    const conns = t.peak(slot, Series.conns, r.windowSeconds, low);
    const reqs = t.peak(slot, Series.requests, r.windowSeconds, low);
    const queued = t.peak(slot, Series.queued, r.windowSeconds, reqs * r.minQueuedRatio);
    const saturated = reqs > 0 && queued / reqs >= r.minQueuedRatio;
    const k = saturated ? r.queuedFactor : 1;
    const fired = conns >= r.minNewConnections * k || reqs >= r.minRequests * k;
    return { conns, reqs, queued, saturated, k, fired };
  };
  /** One line of a busy client: `ctx` is null for a line replayed from the recent-lines ring (no evidence, no note). */
  const countLine = (t: ClientTable, slot: number, sec: number, ms: number, port: number, queued: boolean, ctx: LineContext | null): void => {
    t.bump(slot, Series.requests, sec);
    if (queued) t.bump(slot, Series.queued, sec);
    // Unix socket or unknown: cannot tell connections apart (nor can a "port" beyond 2^31).
    if (!(port > 0) || port > 0x7fffffff) return;
    const I = t.I;
    const b = slot * IS;
    const F = t.F;
    const f = slot * FS + F_LAST_PORT_MS;
    if (I[b + C.lastPort] === port) {
      // Most lines come on the port of the client's previous line (keep-alive): its latest
      // date is in the client's record, and the ports table (a cache miss) is not read.
      const seen = F[f]!;
      if (ms > seen) {
        F[f] = ms;
        I[b + C.lastPortDirty] = 1;
      }
      if (Math.abs(ms - seen) <= reuseMs) return;
    } else {
      t.flushPort(slot, false);
      const ports = t.ports;
      // A port last seen before `stale` can only count as a new connection again, whatever
      // line comes next, unless a line is accepted more than STALE_MARGIN_MS (or 4 times the
      // worst disorder of accept dates seen so far) before the latest: dropped when the
      // client's table is full rather than grown (a client's ports over hours, ~3 regrows each).
      const stale = ms - reuseMs - Math.max(STALE_MARGIN_MS, 4 * t.maxLagMs);
      const e = ports.findOrAdd(slot, port, ms, stale);
      I[b + C.lastPort] = port;
      if (e < 0) {
        I[b + C.portCount] = ports.count(slot);
        F[f] = ms;
      } else {
        const seen = ports.value(e);
        F[f] = Math.max(ms, seen);
        if (Math.abs(ms - seen) <= reuseMs) return;
      }
    }
    t.bump(slot, Series.conns, sec);
    t.hit(slot, FLOOD, ms, ctx, ctx === null ? 0 : evidence, warm);
    ctx?.note?.('flood.requests', `new connection (port ${port})`);
    // Stale ports (older than the reuse time) count as new connections whether present or
    // not, so pruning only bounds memory. A client with thousands of live ports (a flood)
    // would make a prune on every line O(ports): the next prune waits for twice the size left.
    if (I[b + C.portCount]! > Math.max(PORTS_SOFT_CAP, I[b + C.portsPruneAt]!)) {
      t.flushPort(slot, false);
      const left = t.ports.pruneBelow(slot, ms - reuseMs);
      I[b + C.portCount] = left;
      I[b + C.portsPruneAt] = 2 * left;
    }
  };
  // Busy: an eighth of the least limit within one window; the replay covers the window and the
  // port-reuse time before the line that made the client busy (heat.ts).
  const busy: BusyGate | undefined = r.enabled
    ? {
        bit: HEAT_FLOOD,
        gate: Math.max(1, Math.floor(low / 8)),
        intervalSeconds: Math.max(1, r.windowSeconds),
        pagesOnly: false,
        replayMs: (r.windowSeconds + r.connectionReuseSeconds) * 1000,
        replay: (t, slot, ms, port, flags) => countLine(t, slot, Math.floor(ms / 1000), ms, port, (flags & RECENT_QUEUED) !== 0, null),
      }
    : undefined;
  return {
    name: 'flood',
    ids: r.enabled ? ['flood.requests'] : [],
    busy,
    // A port seen within connectionReuseSeconds before the window is a reused connection.
    windowSeconds: r.enabled ? r.windowSeconds + r.connectionReuseSeconds : 0,
    onRecord(ctx: LineContext, t: ClientTable, slot: number): void {
      if (!r.enabled || (t.K[slot * KS + K.heat]! & HEAT_FLOOD) === 0) return;
      const rec = ctx.rec;
      countLine(t, slot, ctx.sec, rec.acceptMs, rec.clientPort, rec.waitedInQueue, ctx);
    },
    decide(t: ClientTable, slot: number): Decision[] {
      if (!r.enabled) return [];
      const { conns, reqs, queued, saturated, k, fired } = measure(t, slot);
      return [
        {
          id: 'flood.requests',
          fired,
          why: () => `at most ${reqs} requests and ${conns} new connections in ${r.windowSeconds}s (need >= ${r.minNewConnections * k} new connections, or >= ${r.minRequests * k} requests${saturated ? `; lowered: ${queued} of its requests waited in a queue` : ''})`,
          count: reqs,
        },
      ];
    },
    score(t: ClientTable, slot: number): number {
      if (!r.enabled) return 0;
      // A peak never exceeds its series' total, and the limits never drop below minK times
      // theirs: most busy clients are cleared without listing a series (every client is
      // scored, at each eviction sweep and at the end).
      if (t.seriesTotal(slot, Series.conns) < r.minNewConnections * minK && t.seriesTotal(slot, Series.requests) < r.minRequests * minK) return 0;
      return measure(t, slot).fired ? r.score : 0;
    },
  };
}
