/**
 * Content probes (CrowdSec's http-sensitive-files, http-path-traversal-probing,
 * http-sqli-probing, http-xss-probing, http-backdoors-attempts, http-admin-interface-probing,
 * http-cve-probing and their kin): pattern tables over the decoded path (and query string),
 * counted by distinct target so that a user reloading one odd URL never adds up.
 */
import { NeedleList } from '../needles.js';
import { CONTENT_RULE_IDS, type DetectRules } from '../rules.js';
import { addHit, type ClientState, type LineContext } from '../state.js';
import type { Decision, Family } from './family.js';

export function createProbeFamily(rules: Readonly<DetectRules>): Family {
  const active = CONTENT_RULE_IDS.filter((id) => rules.rules[id].enabled).map((id) => {
    const r = rules.rules[id];
    return { id, full: r.target === 'full', needles: new NeedleList(r.patterns), minDistinct: r.minDistinct };
  });
  const evidence = rules.evidencePerRule;
  return {
    name: 'probe',
    ids: active.map((a) => a.id),
    onRecord(ctx: LineContext, st: ClientState): void {
      const t = ctx.target;
      if (t === null) return;
      for (const a of active) {
        const where = a.full ? t.full : t.path;
        const m = a.needles.match(where);
        if (m !== null) addHit(st, a.id, ctx, evidence, where, `matched '${m}' in the decoded ${a.full ? 'target' : 'path'}`);
      }
    },
    decide(st: ClientState): Decision[] {
      return active.map((a) => {
        const n = st.hits.get(a.id)?.distinct?.size ?? 0;
        return { id: a.id, fired: n >= a.minDistinct, why: `${n} distinct matching target(s), need >= ${a.minDistinct}` };
      });
    },
  };
}
