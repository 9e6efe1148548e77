/**
 * `proxy.denied`: requests HAProxy itself refused by policy, `PR` (http-request deny, or a
 * request it judged invalid) and `PT` (tarpit). The operator's own ACLs already called these
 * requests unwanted; many of them from one client is a probe even when every path differs.
 */
import type { DetectRules } from '../rules.js';
import { addHit, type ClientState, type LineContext } from '../state.js';
import { pct, ratio, type Decision, type Family } from './family.js';

export function createDeniedFamily(rules: Readonly<DetectRules>): Family {
  const r = rules.rules['proxy.denied'];
  const evidence = rules.evidencePerRule;
  return {
    name: 'denied',
    ids: r.enabled ? ['proxy.denied'] : [],
    onRecord(ctx: LineContext, st: ClientState): void {
      if (!r.enabled || !ctx.http) return;
      const rec = ctx.rec;
      if (rec.termChar(0) !== 0x50) return;
      const c1 = rec.termChar(1);
      if (c1 === 0x52) addHit(st, 'proxy.denied', ctx, evidence, undefined, 'denied by HAProxy (PR)');
      else if (c1 === 0x54) addHit(st, 'proxy.denied', ctx, evidence, undefined, 'tarpitted by HAProxy (PT)');
    },
    decide(st: ClientState): Decision[] {
      if (!r.enabled) return [];
      const n = st.hits.get('proxy.denied')?.count ?? 0;
      const q = ratio(n, st.http);
      return [{ id: 'proxy.denied', fired: n >= r.minCount && q >= r.minRatio, why: () => `${n} requests denied/tarpitted by HAProxy (need >= ${r.minCount}), ${pct(q)} of HTTP requests (need >= ${pct(r.minRatio)})` }];
    },
  };
}
