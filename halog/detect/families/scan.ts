/**
 * Discovery: `scan.paths` (CrowdSec's http-probing: many distinct non-static paths answered
 * 400/403/404, here also counting HAProxy's own denies and tarpits, whatever the status) and
 * `crawl.aggressive` (http-crawl-non_statics: many new non-static pages in a short window).
 */
import type { DetectRules } from '../rules.js';
import { addHit, bump, DISTINCT_CAP, setOf, windowPeak, type ClientState, type LineContext } from '../state.js';
import { pct, ratio, type Decision, type Family } from './family.js';

export function createScanFamily(rules: Readonly<DetectRules>): Family {
  const scan = rules.rules['scan.paths'];
  const crawl = rules.rules['crawl.aggressive'];
  const statuses = new Set(scan.statuses);
  const evidence = rules.evidencePerRule;
  const crawlWarm = Math.floor(crawl.minDistinct / 10);
  return {
    name: 'scan',
    ids: [...(scan.enabled ? (['scan.paths'] as const) : []), ...(crawl.enabled ? (['crawl.aggressive'] as const) : [])],
    onRecord(ctx: LineContext, st: ClientState): void {
      const t = ctx.target;
      if (t === null || ctx.isStatic) return;
      const rec = ctx.rec;
      if (scan.enabled) {
        const proxyDenied = rec.termChar(0) === 0x50 && (rec.termChar(1) === 0x52 || rec.termChar(1) === 0x54);
        if (statuses.has(rec.status) || proxyDenied) addHit(st, 'scan.paths', ctx, evidence, t.path(), () => `status ${rec.status}${proxyDenied ? ' (denied by HAProxy)' : ''} on a non-static path`);
      }
      if (crawl.enabled) {
        const pages = setOf(st, 'pages');
        const page = t.pathHash();
        if (!pages.has(page)) {
          if (pages.size < DISTINCT_CAP) pages.add(page);
          bump(st, 'pages', ctx.sec);
          addHit(st, 'crawl.aggressive', ctx, evidence, undefined, 'new non-static path', crawlWarm);
        }
      }
    },
    decide(st: ClientState): Decision[] {
      const out: Decision[] = [];
      if (scan.enabled) {
        const h = st.hits.get('scan.paths');
        const d = h?.distinct?.size ?? 0;
        const r = ratio(h?.count ?? 0, st.http);
        out.push({
          id: 'scan.paths',
          fired: d >= scan.minDistinct && r >= scan.minErrorRatio,
          why: () => `${d} distinct error paths (need >= ${scan.minDistinct}), ${pct(r)} of HTTP requests were errors (need >= ${pct(scan.minErrorRatio)})`,
        });
      }
      if (crawl.enabled) {
        const p = windowPeak(st.windows.get('pages'), crawl.windowSeconds, crawl.minDistinct);
        const s = ratio(st.statics, st.http);
        out.push({
          id: 'crawl.aggressive',
          fired: p.count >= crawl.minDistinct && s <= crawl.maxStaticRatio,
          why: () => `at most ${p.count} new non-static paths in ${crawl.windowSeconds}s (need >= ${crawl.minDistinct}), ${pct(s)} static requests (need <= ${pct(crawl.maxStaticRatio)})`,
          count: p.count,
        });
      }
      return out;
    },
  };
}
