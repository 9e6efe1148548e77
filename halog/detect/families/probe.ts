/**
 * Content probes (CrowdSec's http-sensitive-files, http-path-traversal-probing,
 * http-sqli-probing, http-xss-probing, http-backdoors-attempts, http-admin-interface-probing,
 * http-cve-probing and their kin): pattern tables over the decoded path (and query string),
 * counted by distinct target so that a user reloading one odd URL never adds up. All the
 * `path` rules share one automaton and all the `full` rules another: two passes per request.
 */
import { MultiNeedles } from '../needles.js';
import { CONTENT_RULE_IDS, type DetectRules, type RuleId } from '../rules.js';
import { ruleIndex, type ClientTable, type LineContext } from '../state.js';
import type { Decision, Family } from './family.js';

interface Group {
  readonly ids: readonly RuleId[];
  readonly cols: readonly number[];
  readonly onlyErrors: readonly boolean[];
  readonly needles: MultiNeedles;
}

/** Status >= 400, or denied/tarpitted by HAProxy. */
function failed(ctx: LineContext): boolean {
  return ctx.rec.status >= 400 || ctx.rec.termChar(0) === 0x50;
}

export function createProbeFamily(rules: Readonly<DetectRules>): Family {
  const active = CONTENT_RULE_IDS.filter((id) => rules.rules[id].enabled);
  const activeCols = active.map(ruleIndex);
  const group = (full: boolean): Group => {
    const ids = active.filter((id) => (rules.rules[id].target === 'full') === full);
    return { ids, cols: ids.map(ruleIndex), onlyErrors: ids.map((id) => rules.rules[id].onlyErrors), needles: new MultiNeedles(ids.map((id) => rules.rules[id].patterns)) };
  };
  const onPath = group(false);
  const onFull = group(true);
  const evidence = rules.evidencePerRule;
  const run = (g: Group, full: boolean, ctx: LineContext, t: ClientTable, slot: number): void => {
    if (g.ids.length === 0) return;
    const tg = ctx.target!;
    // Plain targets are matched in place; the text is made only for a match.
    const found = tg.plain ? g.needles.scanBytes(tg.buf, tg.start, full ? tg.end : tg.pathEnd) : g.needles.scan(full ? tg.full() : tg.path());
    for (let i = 0; i < found.length; i++) {
      const m = found[i];
      if (m === null || m === undefined) continue;
      if (g.onlyErrors[i] && !failed(ctx)) {
        ctx.note?.(g.ids[i]!, `matched '${m}' but answered ${ctx.rec.status}: not counted (onlyErrors)`);
        continue;
      }
      t.hit(slot, g.cols[i]!, ctx.rec.acceptMs, ctx, evidence);
      t.addDistinct(slot, g.cols[i]!, full ? tg.full() : tg.path());
      ctx.note?.(g.ids[i]!, `matched '${m}' in the decoded ${full ? 'target' : 'path'}`);
    }
  };
  return {
    name: 'probe',
    ids: active,
    onRecord(ctx: LineContext, t: ClientTable, slot: number): void {
      if (ctx.target === null) return;
      run(onPath, false, ctx, t, slot);
      run(onFull, true, ctx, t, slot);
    },
    decide(t: ClientTable, slot: number): Decision[] {
      return active.map((id, k) => {
        const min = rules.rules[id].minDistinct;
        const n = t.distinctSize(slot, activeCols[k]!);
        return { id, fired: n >= min, why: () => `${n} distinct matching target(s), need >= ${min}` };
      });
    },
    score(t: ClientTable, slot: number): number {
      let s = 0;
      for (let k = 0; k < active.length; k++) {
        const r = rules.rules[active[k]!];
        if (t.distinctSize(slot, activeCols[k]!) >= r.minDistinct) s += r.score;
      }
      return s;
    },
  };
}
