/**
 * Protocol abuse. `proto.bad-requests`: connections that never carried a request (HTTP
 * `<BADREQ>` closed at once, `CR` with Ta below slow.client's slowMs: a port scan or a
 * health-less prober), requests HAProxy could not parse, invalid HTTP versions, and empty TCP
 * sessions (0 bytes, closed by the client) on `mode tcp` frontends. `proto.open-proxy`:
 * CONNECT or absolute-form requests (`GET http://other.site/`), CrowdSec's http-open-proxy.
 */
import type { DetectRules } from '../rules.js';
import { K, ruleIndex, type ClientTable, type LineContext } from '../state.js';

const BAD = ruleIndex('proto.bad-requests');
const PROXY = ruleIndex('proto.open-proxy');
import { pct, ratio, type Decision, type Family } from './family.js';

/** HTTP/1.0, HTTP/1.1, HTTP/2.0, HTTP/2, HTTP/3, HTTP/3.0, compared as bytes (no string per line). */
function validVersion(b: Buffer, s: number, e: number): boolean {
  const n = e - s;
  if ((n !== 6 && n !== 8) || b[s] !== 0x48 || b[s + 1] !== 0x54 || b[s + 2] !== 0x54 || b[s + 3] !== 0x50 || b[s + 4] !== 0x2f) return false;
  const major = b[s + 5];
  if (n === 6) return major === 0x32 || major === 0x33;
  if (b[s + 6] !== 0x2e) return false;
  const minor = b[s + 7];
  return major === 0x31 ? minor === 0x30 || minor === 0x31 : (major === 0x32 || major === 0x33) && minor === 0x30;
}

/** Connections a second, at most, of a TCP health checker (see monitorMinSpanSeconds). */
const MONITOR_MAX_RATE = 2;

export function createProtoFamily(rules: Readonly<DetectRules>): Family {
  const bad = rules.rules['proto.bad-requests'];
  /** Whether the client looks like a TCP health checker: TCP sessions only, long and steady. */
  const monitor = (t: ClientTable, slot: number): boolean => {
    if (bad.monitorMinSpanSeconds <= 0 || t.k(slot, K.http) > 0) return false;
    const spanS = (t.last(slot) - t.first(slot)) / 1000;
    return spanS >= bad.monitorMinSpanSeconds && t.k(slot, K.total) - t.k(slot, K.http) <= spanS * MONITOR_MAX_RATE;
  };
  const badFired = (t: ClientTable, slot: number, n: number): boolean => n >= bad.minCount && ratio(n, t.k(slot, K.total)) >= bad.minRatio && !monitor(t, slot);
  const proxy = rules.rules['proto.open-proxy'];
  const slowMs = rules.rules['slow.client'].slowMs;
  const evidence = rules.evidencePerRule;
  return {
    name: 'proto',
    ids: [...(bad.enabled ? (['proto.bad-requests'] as const) : []), ...(proxy.enabled ? (['proto.open-proxy'] as const) : [])],
    onRecord(ctx: LineContext, t: ClientTable, slot: number): void {
      const rec = ctx.rec;
      if (bad.enabled) {
        let why = '';
        if (!ctx.http) {
          const c0 = rec.termChar(0);
          if (rec.bytesRead === 0 && (c0 === 0x43 || c0 === 0x2d)) why = `empty TCP session closed by the client (${rec.text(rec.termination)}, 0 bytes)`;
        } else if (rec.isBadRequest) {
          const c0 = rec.termChar(0);
          const r = rec.termChar(1) === 0x52;
          if (c0 === 0x43 && r) {
            if (rec.timers[4]! < slowMs) why = 'connection closed without a request (<BADREQ> CR)';
          } else if (c0 !== 0x63) why = `request HAProxy could not parse (<BADREQ>, ${rec.text(rec.termination)})`;
        } else if (rec.version.end > rec.version.start && !validVersion(rec.buf, rec.version.start, rec.version.end)) {
          why = `invalid HTTP version '${rec.text(rec.version)}'`;
        } else if (rec.version.end === rec.version.start) {
          why = 'request line without an HTTP version';
        }
        if (why) {
          t.hit(slot, BAD, rec.acceptMs, ctx, evidence);
          ctx.note?.('proto.bad-requests', why);
        }
      }
      if (proxy.enabled && ctx.http && !rec.isBadRequest) {
        const b = rec.buf;
        const u = rec.uri.start;
        let absolute = false;
        // HTTP/2 requests are logged in absolute form by HAProxy 2.x: only HTTP/1.x counts.
        if ((b[u] === 0x68 || b[u] === 0x48) && rec.uri.end - u > 8 && rec.version.end - rec.version.start === 8 && b[rec.version.start + 5] === 0x31) {
          const head = b.toString('latin1', u, u + 8).toLowerCase();
          absolute = head.startsWith('http://') || head.startsWith('https://');
        }
        const connect = rec.method.end - rec.method.start === 7 && rec.text(rec.method) === 'CONNECT';
        if (connect || absolute) {
          t.hit(slot, PROXY, rec.acceptMs, ctx, evidence);
          t.addDistinct(slot, PROXY, rec.text(rec.uri));
          ctx.note?.('proto.open-proxy', connect ? 'CONNECT request' : 'absolute-form HTTP/1.x request (proxy request)');
        }
      }
    },
    decide(t: ClientTable, slot: number): Decision[] {
      const out: Decision[] = [];
      if (bad.enabled) {
        const n = t.count(slot, BAD);
        const q = ratio(n, t.k(slot, K.total));
        const why = (): string =>
          `${n} empty/invalid connections (need >= ${bad.minCount}), ${pct(q)} of lines (need >= ${pct(bad.minRatio)})` +
          (monitor(t, slot) ? `; TCP sessions only, steadily over ${Math.round((t.last(slot) - t.first(slot)) / 1000)}s: a health checker (monitorMinSpanSeconds ${bad.monitorMinSpanSeconds})` : '');
        out.push({ id: 'proto.bad-requests', fired: badFired(t, slot, n), why });
      }
      if (proxy.enabled) {
        const n = t.count(slot, PROXY);
        out.push({ id: 'proto.open-proxy', fired: n >= proxy.minCount, why: () => `${n} proxy requests (need >= ${proxy.minCount})` });
      }
      return out;
    },
    score(t: ClientTable, slot: number): number {
      let s = 0;
      if (bad.enabled) {
        if (badFired(t, slot, t.count(slot, BAD))) s += bad.score;
      }
      if (proxy.enabled && t.count(slot, PROXY) >= proxy.minCount) s += proxy.score;
      return s;
    },
  };
}
