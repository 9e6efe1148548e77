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
import type { DetectRules } from '../rules.js';
import { addHit, bump, windowPeak, type ClientState, type LineContext } from '../state.js';
import type { Decision, Family } from './family.js';

/** Prune a client's port table beyond this many entries (ports older than the reuse time go). */
const PORTS_SOFT_CAP = 2048;

export function createFloodFamily(rules: Readonly<DetectRules>): Family {
  const r = rules.rules['flood.requests'];
  const reuseMs = r.connectionReuseSeconds * 1000;
  const evidence = rules.evidencePerRule;
  const warm = Math.floor(r.minNewConnections / 10);
  return {
    name: 'flood',
    ids: r.enabled ? ['flood.requests'] : [],
    onRecord(ctx: LineContext, st: ClientState): void {
      if (!r.enabled) return;
      bump(st, 'requests', ctx.sec);
      const rec = ctx.rec;
      if (rec.timers[1]! > 0 || rec.serverQueue > 0 || rec.backendQueue > 0) bump(st, 'queued', ctx.sec);
      const port = ctx.rec.clientPort;
      if (!(port > 0)) return; // unix socket or unknown: cannot tell connections apart
      const t = ctx.rec.acceptMs;
      const seen = st.ports.get(port);
      st.ports.set(port, seen === undefined ? t : Math.max(seen, t));
      if (seen !== undefined && Math.abs(t - seen) <= reuseMs) return;
      bump(st, 'conns', ctx.sec);
      addHit(st, 'flood.requests', ctx, evidence, undefined, () => `new connection (port ${port})`, warm);
      // Stale ports (older than the reuse time) count as new connections whether present or
      // not, so pruning only bounds memory. A client with thousands of live ports (a flood)
      // would make a prune on every line O(ports): the next prune waits for twice the size left.
      if (st.ports.size > Math.max(PORTS_SOFT_CAP, st.portsPruneAt)) {
        for (const [p, last] of st.ports) if (t - last > reuseMs) st.ports.delete(p);
        st.portsPruneAt = 2 * st.ports.size;
      }
    },
    decide(st: ClientState): Decision[] {
      if (!r.enabled) return [];
      const low = Math.min(r.minNewConnections, r.minRequests) * Math.min(1, r.queuedFactor);
      const conns = windowPeak(st.windows.get('conns'), r.windowSeconds, low);
      const reqs = windowPeak(st.windows.get('requests'), r.windowSeconds, low);
      const queued = windowPeak(st.windows.get('queued'), r.windowSeconds, reqs.count * r.minQueuedRatio);
      const saturated = reqs.count > 0 && queued.count / reqs.count >= r.minQueuedRatio;
      const k = saturated ? r.queuedFactor : 1;
      const fired = conns.count >= r.minNewConnections * k || reqs.count >= r.minRequests * k;
      return [
        {
          id: 'flood.requests',
          fired,
          why: () => `at most ${reqs.count} requests and ${conns.count} new connections in ${r.windowSeconds}s (need >= ${r.minNewConnections * k} new connections, or >= ${r.minRequests * k} requests${saturated ? `; lowered: ${queued.count} of its requests waited in a queue` : ''})`,
          count: reqs.count,
        },
      ];
    },
  };
}
