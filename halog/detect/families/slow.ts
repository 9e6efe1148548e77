/**
 * `slow.client` (slowloris and kin; CrowdSec has no equivalent, it cannot see them): requests
 * that never completed. HAProxy says so in the termination state: `cR` = the client timed out
 * before sending a whole request (408), `CR` after `slowMs` = it sent part of one and gave
 * up; a request whose headers took `slowHeadersMs` or more (TR) counts too, and so does a
 * client that timed out while *reading* the response (`cD`: slow-read attacks). Counted against the
 * client's lines so a mobile user with one stalled request never adds up.
 */
import type { DetectRules } from '../rules.js';
import { K, ruleIndex, type ClientTable, type LineContext } from '../state.js';
import { pct, ratio, type Decision, type Family } from './family.js';

const SLOW = ruleIndex('slow.client');

export function createSlowFamily(rules: Readonly<DetectRules>): Family {
  const r = rules.rules['slow.client'];
  const evidence = rules.evidencePerRule;
  return {
    name: 'slow',
    ids: r.enabled ? ['slow.client'] : [],
    onRecord(ctx: LineContext, t: ClientTable, slot: number): void {
      if (!r.enabled || !ctx.http) return;
      const rec = ctx.rec;
      const c0 = rec.termChar(0);
      const requestPhase = rec.termChar(1) === 0x52; // 'R'
      let why = '';
      if (requestPhase && c0 === 0x63) why = 'client timed out before sending a complete request (cR)';
      else if (requestPhase && c0 === 0x43 && rec.timers[4]! >= r.slowMs) why = `client abandoned an incomplete request after ${rec.timers[4]} ms (CR)`;
      else if (rec.timers[0]! >= r.slowHeadersMs) why = `request headers took ${rec.timers[0]} ms (TR)`;
      else if (c0 === 0x63 && rec.termChar(1) === 0x44) why = 'client too slow to read the response: timed out during the data phase (cD, slow read)';
      if (why) {
        t.hit(slot, SLOW, rec.acceptMs, ctx, evidence);
        ctx.note?.('slow.client', why);
      }
    },
    decide(t: ClientTable, slot: number): Decision[] {
      if (!r.enabled) return [];
      const n = t.count(slot, SLOW);
      const q = ratio(n, t.k(slot, K.http));
      return [{ id: 'slow.client', fired: n >= r.minCount && q >= r.minRatio, why: () => `${n} slow/incomplete requests (need >= ${r.minCount}), ${pct(q)} of HTTP lines (need >= ${pct(r.minRatio)})` }];
    },
    score(t: ClientTable, slot: number): number {
      if (!r.enabled) return 0;
      const n = t.count(slot, SLOW);
      return n >= r.minCount && ratio(n, t.k(slot, K.http)) >= r.minRatio ? r.score : 0;
    },
  };
}
