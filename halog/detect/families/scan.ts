/**
 * Discovery: `scan.paths` (CrowdSec's http-probing: many distinct non-static paths answered
 * 400/403/404, here also counting HAProxy's own denies and tarpits, whatever the status) and
 * `crawl.aggressive` (http-crawl-non_statics: many new non-static pages in a short window).
 */
import { HEAT_CRAWL, RECENT_PAGE, type BusyGate } from '../heat.js';
import type { DetectRules } from '../rules.js';
import { DISTINCT_CAP, distinctCount, K, KS, ruleIndex, Series, type ClientTable, type LineContext } from '../state.js';
import { pct, ratio, StatusSet, type Decision, type Family } from './family.js';

const SCAN = ruleIndex('scan.paths');
const CRAWL = ruleIndex('crawl.aggressive');
/** How far back a client that turned busy has its pages counted (heat.ts). */
const CRAWL_REPLAY_MS = 120_000;

export function createScanFamily(rules: Readonly<DetectRules>): Family {
  const scan = rules.rules['scan.paths'];
  const crawl = rules.rules['crawl.aggressive'];
  const statuses = new StatusSet(scan.statuses);
  const evidence = rules.evidencePerRule;
  const crawlWarm = Math.floor(crawl.minDistinct / 10);
  const scanFired = (t: ClientTable, slot: number): boolean => t.errorPathCount(slot) >= scan.minDistinct && ratio(t.count(slot, SCAN), t.k(slot, K.http)) >= scan.minErrorRatio;
  const crawlFired = (t: ClientTable, slot: number): boolean => {
    // The cheap half first: most clients load static assets.
    if (ratio(t.k(slot, K.statics), t.k(slot, K.http)) > crawl.maxStaticRatio) return false;
    return t.peak(slot, Series.pages, crawl.windowSeconds, crawl.minDistinct) >= crawl.minDistinct;
  };
  /** A non-static request of a busy client: `ctx` is null for a line replayed from the recent-lines ring. */
  const countPage = (t: ClientTable, slot: number, sec: number, ms: number, pathHash: number, ctx: LineContext | null): void => {
    if (!t.addPage(slot, pathHash)) return;
    t.bump(slot, Series.pages, sec);
    t.hit(slot, CRAWL, ms, ctx, ctx === null ? 0 : evidence, crawlWarm);
    ctx?.note?.('crawl.aggressive', 'new non-static path');
  };
  // Busy: a quarter of the limit within one window. A page seen before the replayed span counts
  // as new once more, so the span is longer than the window (heat.ts).
  const busy: BusyGate | undefined = crawl.enabled
    ? {
        bit: HEAT_CRAWL,
        gate: Math.max(1, Math.floor(crawl.minDistinct / 4)),
        intervalSeconds: Math.max(1, crawl.windowSeconds),
        pagesOnly: true,
        replayMs: Math.max(CRAWL_REPLAY_MS, crawl.windowSeconds * 1000),
        replay: (t, slot, ms, _port, flags, pageHash) => {
          if ((flags & RECENT_PAGE) !== 0) countPage(t, slot, Math.floor(ms / 1000), ms, pageHash, null);
        },
      }
    : undefined;
  return {
    name: 'scan',
    busy,
    windowSeconds: crawl.enabled ? crawl.windowSeconds : 0,
    ids: [...(scan.enabled ? (['scan.paths'] as const) : []), ...(crawl.enabled ? (['crawl.aggressive'] as const) : [])],
    onRecord(ctx: LineContext, t: ClientTable, slot: number): void {
      const target = ctx.target;
      if (target === null || ctx.isStatic) return;
      const rec = ctx.rec;
      if (scan.enabled) {
        const proxyDenied = rec.deniedByProxy;
        if (statuses.has(rec.status) || proxyDenied) {
          t.hit(slot, SCAN, rec.acceptMs, ctx, evidence);
          t.addErrorPath(slot, target.pathHash());
          ctx.note?.('scan.paths', `status ${rec.status}${proxyDenied ? ' (denied by HAProxy)' : ''} on a non-static path`);
        }
      }
      if (crawl.enabled && (t.K[slot * KS + K.heat]! & HEAT_CRAWL) !== 0) countPage(t, slot, ctx.sec, rec.acceptMs, target.pathHash(), ctx);
    },
    decide(t: ClientTable, slot: number): Decision[] {
      const out: Decision[] = [];
      if (scan.enabled) {
        const d = t.errorPathCount(slot);
        const r = ratio(t.count(slot, SCAN), t.k(slot, K.http));
        out.push({
          id: 'scan.paths',
          fired: d >= scan.minDistinct && r >= scan.minErrorRatio,
          why: () => `${distinctCount(d, DISTINCT_CAP)} distinct error paths (need >= ${scan.minDistinct}), ${pct(r)} of HTTP requests were errors (need >= ${pct(scan.minErrorRatio)})`,
        });
      }
      if (crawl.enabled) {
        const p = t.peak(slot, Series.pages, crawl.windowSeconds, crawl.minDistinct);
        const s = ratio(t.k(slot, K.statics), t.k(slot, K.http));
        out.push({
          id: 'crawl.aggressive',
          fired: p >= crawl.minDistinct && s <= crawl.maxStaticRatio,
          why: () => `at most ${p} new non-static paths in ${crawl.windowSeconds}s (need >= ${crawl.minDistinct}), ${pct(s)} static requests (need <= ${pct(crawl.maxStaticRatio)})`,
          count: p,
        });
      }
      return out;
    },
    score(t: ClientTable, slot: number): number {
      let s = 0;
      if (scan.enabled && scanFired(t, slot)) s += scan.score;
      if (crawl.enabled && crawlFired(t, slot)) s += crawl.score;
      return s;
    },
  };
}
