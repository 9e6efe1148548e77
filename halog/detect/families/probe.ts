/**
 * Content probes (CrowdSec's http-sensitive-files, http-path-traversal-probing,
 * http-sqli-probing, http-xss-probing, http-backdoors-attempts, http-admin-interface-probing,
 * http-cve-probing and their kin): pattern tables over the decoded path (and query string),
 * counted by distinct target so that a user reloading one odd URL never adds up. All the
 * `path` rules share one automaton and all the `full` rules another: two passes per request.
 */
import { MultiNeedles } from '../needles.js';
import { CONTENT_RULE_IDS, type DetectRules, type RuleId } from '../rules.js';
import { addHit, type ClientState, type LineContext } from '../state.js';
import type { Decision, Family } from './family.js';

interface Group {
  readonly ids: readonly RuleId[];
  readonly onlyErrors: readonly boolean[];
  readonly needles: MultiNeedles;
}

/** Status >= 400, or denied/tarpitted by HAProxy. */
function failed(ctx: LineContext): boolean {
  return ctx.rec.status >= 400 || ctx.rec.termChar(0) === 0x50;
}

export function createProbeFamily(rules: Readonly<DetectRules>): Family {
  const active = CONTENT_RULE_IDS.filter((id) => rules.rules[id].enabled);
  const group = (full: boolean): Group => {
    const ids = active.filter((id) => (rules.rules[id].target === 'full') === full);
    return { ids, onlyErrors: ids.map((id) => rules.rules[id].onlyErrors), needles: new MultiNeedles(ids.map((id) => rules.rules[id].patterns)) };
  };
  const onPath = group(false);
  const onFull = group(true);
  const evidence = rules.evidencePerRule;
  const run = (g: Group, full: boolean, ctx: LineContext, st: ClientState): void => {
    if (g.ids.length === 0) return;
    const t = ctx.target!;
    // Plain targets are matched in place; the text is made only for a match.
    const found = t.plain ? g.needles.scanBytes(t.buf, t.start, full ? t.end : t.pathEnd) : g.needles.scan(full ? t.full() : t.path());
    const what = full ? 'target' : 'path';
    for (let i = 0; i < found.length; i++) {
      const m = found[i];
      if (m === null || m === undefined) continue;
      if (g.onlyErrors[i] && !failed(ctx)) {
        ctx.note?.(g.ids[i]!, `matched '${m}' but answered ${ctx.rec.status}: not counted (onlyErrors)`);
        continue;
      }
      addHit(st, g.ids[i]!, ctx, evidence, full ? t.full() : t.path(), () => `matched '${m}' in the decoded ${what}`);
    }
  };
  return {
    name: 'probe',
    ids: active,
    onRecord(ctx: LineContext, st: ClientState): void {
      if (ctx.target === null) return;
      run(onPath, false, ctx, st);
      run(onFull, true, ctx, st);
    },
    decide(st: ClientState): Decision[] {
      return active.map((id) => {
        const min = rules.rules[id].minDistinct;
        const n = st.hits.get(id)?.distinct?.size ?? 0;
        return { id, fired: n >= min, why: () => `${n} distinct matching target(s), need >= ${min}` };
      });
    },
  };
}
