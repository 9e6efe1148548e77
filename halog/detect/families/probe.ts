/**
 * Content probes (CrowdSec's http-sensitive-files, http-path-traversal-probing,
 * http-sqli-probing, http-xss-probing, http-backdoors-attempts, http-admin-interface-probing,
 * http-cve-probing and their kin): pattern tables over the decoded path (and query string),
 * counted by distinct target so that a user reloading one odd URL never adds up. All the
 * rules share one automaton; a plain target is matched in one pass (the `path` rules' matches
 * must end with the path), others decoded and matched as path, then as path?query.
 */
import { MultiNeedles } from '../needles.js';
import { CONTENT_RULE_IDS, type DetectRules } from '../rules.js';
import { distinctCount, ruleIndex, type ClientTable, type LineContext } from '../state.js';
import type { Decision, Family } from './family.js';

/** Status >= 400, or denied/tarpitted by HAProxy. */
function failed(ctx: LineContext): boolean {
  return ctx.rec.status >= 400 || ctx.rec.termChar(0) === 0x50;
}

export function createProbeFamily(rules: Readonly<DetectRules>): Family {
  const active = CONTENT_RULE_IDS.filter((id) => rules.rules[id].enabled);
  const activeCols = active.map(ruleIndex);
  // `path` rules first, then `full` rules: one automaton, one pass over a plain target.
  const pathIds = active.filter((id) => rules.rules[id].target !== 'full');
  const fullIds = active.filter((id) => rules.rules[id].target === 'full');
  const ids = [...pathIds, ...fullIds];
  const cols = ids.map(ruleIndex);
  const onlyErrors = ids.map((id) => rules.rules[id].onlyErrors);
  const split = pathIds.length;
  const needles = new MultiNeedles(ids.map((id) => rules.rules[id].patterns));
  const pathFound: (string | null)[] = new Array(split).fill(null);
  const evidence = rules.evidencePerRule;
  const count = (i: number, m: string, ctx: LineContext, t: ClientTable, slot: number): void => {
    const full = i >= split;
    const tg = ctx.target!;
    if (onlyErrors[i] && !failed(ctx)) {
      ctx.note?.(ids[i]!, `matched '${m}' but answered ${ctx.rec.status}: not counted (onlyErrors)`);
      return;
    }
    t.hit(slot, cols[i]!, ctx.rec.acceptMs, ctx, evidence);
    if (t.distinctRoom(slot, cols[i]!)) t.addDistinct(slot, cols[i]!, full ? tg.full() : tg.path());
    ctx.note?.(ids[i]!, `matched '${m}' in the decoded ${full ? 'target' : 'path'}`);
  };
  return {
    name: 'probe',
    ids: active,
    onRecord(ctx: LineContext, t: ClientTable, slot: number): void {
      const tg = ctx.target;
      if (tg === null || ids.length === 0) return;
      let found: readonly (string | null)[] | null;
      if (tg.plain && needles.canSplit) {
        // Plain targets are matched in place; the text is made only for a match.
        found = needles.scanBytesSplit(tg.buf, tg.start, tg.pathEnd, tg.end, split);
        if (found !== null) for (let i = 0; i < found.length; i++) if (found[i] !== null) count(i, found[i]!, ctx, t, slot);
        return;
      }
      // The path rules on the decoded path, then the others on the decoded path?query.
      const p = tg.plain ? needles.scanBytes(tg.buf, tg.start, tg.pathEnd) : needles.scan(tg.path());
      for (let i = 0; i < split; i++) pathFound[i] = p[i]!;
      found = tg.plain ? needles.scanBytes(tg.buf, tg.start, tg.end) : needles.scan(tg.full());
      for (let i = 0; i < split; i++) if (pathFound[i] !== null) count(i, pathFound[i]!, ctx, t, slot);
      for (let i = split; i < found.length; i++) if (found[i] !== null) count(i, found[i]!, ctx, t, slot);
    },
    decide(t: ClientTable, slot: number): Decision[] {
      return active.map((id, k) => {
        const min = rules.rules[id].minDistinct;
        const n = t.distinctSize(slot, activeCols[k]!);
        return { id, fired: n >= min, why: () => `${distinctCount(n)} distinct matching target(s), need >= ${min}` };
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
