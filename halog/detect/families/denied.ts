/**
 * `proxy.denied`: requests HAProxy itself refused by policy, `PR` (http-request deny, or a
 * request it judged invalid) and `PT` (tarpit). The operator's own ACLs already called these
 * requests unwanted; many of them from one client is a probe even when every path differs.
 */
import type { DetectRules } from '../rules.js';
import { K, ruleIndex, type ClientTable, type LineContext } from '../state.js';
import { pct, ratio, type Decision, type Family } from './family.js';

const DENIED = ruleIndex('proxy.denied');

export function createDeniedFamily(rules: Readonly<DetectRules>): Family {
  const r = rules.rules['proxy.denied'];
  const evidence = rules.evidencePerRule;
  return {
    name: 'denied',
    ids: r.enabled ? ['proxy.denied'] : [],
    onRecord(ctx: LineContext, t: ClientTable, slot: number): void {
      if (!r.enabled || !ctx.http) return;
      const rec = ctx.rec;
      if (rec.termChar(0) !== 0x50) return;
      const c1 = rec.termChar(1);
      if (c1 === 0x52) {
        t.hit(slot, DENIED, rec.acceptMs, ctx, evidence);
        ctx.note?.('proxy.denied', 'denied by HAProxy (PR)');
      } else if (c1 === 0x54) {
        t.hit(slot, DENIED, rec.acceptMs, ctx, evidence);
        ctx.note?.('proxy.denied', 'tarpitted by HAProxy (PT)');
      }
    },
    decide(t: ClientTable, slot: number): Decision[] {
      if (!r.enabled) return [];
      const n = t.count(slot, DENIED);
      const q = ratio(n, t.k(slot, K.http));
      return [{ id: 'proxy.denied', fired: n >= r.minCount && q >= r.minRatio, why: () => `${n} requests denied/tarpitted by HAProxy (need >= ${r.minCount}), ${pct(q)} of HTTP requests (need >= ${pct(r.minRatio)})` }];
    },
    score(t: ClientTable, slot: number): number {
      if (!r.enabled) return 0;
      const n = t.count(slot, DENIED);
      return n >= r.minCount && ratio(n, t.k(slot, K.http)) >= r.minRatio ? r.score : 0;
    },
  };
}
