/**
 * Scoring: the rules that fired for a client add their scores; the total against
 * `verdicts.suspicious` / `verdicts.malicious` gives the verdict. Rules that did not fire add
 * nothing, so one stray 404 (or one odd URL) never flags anybody.
 */
import type { Decision } from './families/family.js';
import type { Detector } from './detector.js';
import { ClientView, ruleIndex, type ClientState } from './state.js';

export type Verdict = 'clean' | 'suspicious' | 'malicious';

export interface RuleReport {
  id: string;
  count: number;
  first: string;
  last: string;
  evidence: string[];
}

export interface Suspect {
  client: string;
  verdict: Exclude<Verdict, 'clean'>;
  score: number;
  rules: RuleReport[];
  first: string;
  last: string;
  counts: { total: number; '4xx': number; '5xx': number; denied: number };
}

export interface ClientJudgement {
  readonly state: ClientState;
  readonly decisions: readonly Decision[];
  readonly score: number;
  readonly verdict: Verdict;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}

export function judge(d: Detector, st: ClientState): ClientJudgement {
  const decisions = d.families.flatMap((f) => f.decide(d.table, st.slot));
  let score = 0;
  for (const x of decisions) if (x.fired) score += d.rules.rules[x.id].score;
  const v = d.rules.verdicts;
  const verdict: Verdict = score >= v.malicious ? 'malicious' : score >= v.suspicious && score > 0 ? 'suspicious' : 'clean';
  return { state: st, decisions, score, verdict };
}

/** judge(d, client).verdict === 'clean', from the families' scores alone (no decision objects). */
export function isClean(d: Detector, slot: number): boolean {
  let score = 0;
  const scores = d.familyScores;
  for (let i = 0; i < scores.length; i++) score += scores[i]!(d.table, slot);
  const v = d.rules.verdicts;
  return !(score >= v.malicious || (score >= v.suspicious && score > 0));
}

export function toSuspect(d: Detector, j: ClientJudgement): Suspect | null {
  if (j.verdict === 'clean') return null;
  const st = j.state;
  const t = d.table;
  const rules: RuleReport[] = [];
  for (const x of j.decisions) {
    if (!x.fired) continue;
    const r = ruleIndex(x.id);
    const n = t.count(st.slot, r);
    rules.push({
      id: x.id,
      count: x.count ?? n,
      first: iso(n > 0 ? t.hitFirst(st.slot, r) : st.first),
      last: iso(n > 0 ? t.hitLast(st.slot, r) : st.last),
      evidence: t.evidence(st.slot, r).slice(0, d.rules.evidencePerRule),
    });
  }
  return {
    client: st.key,
    verdict: j.verdict,
    score: j.score,
    rules,
    first: iso(st.first),
    last: iso(st.last),
    counts: { total: st.total, '4xx': st.c4xx, '5xx': st.c5xx, denied: st.denied },
  };
}

/** Every flagged client (and those of shards judged elsewhere), highest score first (then by address, for a stable order). */
export function suspects(d: Detector): Suspect[] {
  const out: Suspect[] = [...d.judgedElsewhere];
  const t = d.table;
  for (let slot = 0; slot < t.slots; slot++) {
    if (t.keys[slot] === null || isClean(d, slot)) continue;
    const s = toSuspect(d, judge(d, new ClientView(t, slot)));
    if (s) out.push(s);
  }
  return out.sort((a, b) => b.score - a.score || (a.client < b.client ? -1 : a.client > b.client ? 1 : 0));
}
