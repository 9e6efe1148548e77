/**
 * `ua.scanner` (CrowdSec's http-bad-user-agent, which never fires on HAProxy logs because its
 * parser leaves the capture block unsplit): the User-Agent captured in `{...|...}` matched
 * against a table of attack-tool names. Generic libraries (curl, python-requests, ApacheBench)
 * are not in it: legitimate scripts and partners use them every day.
 */
import { ByteCache } from '../byte-cache.js';
import { unescapeHaproxy } from '../decode.js';
import { NeedleList } from '../needles.js';
import type { DetectRules } from '../rules.js';
import { K, KS, ruleIndex, type ClientTable, type LineContext } from '../state.js';

import type { Decision, Family } from './family.js';

const UA = ruleIndex('ua.scanner');
const CVE = ruleIndex('probe.cve');

const CACHE_MAX = 10_000;

export function createUaFamily(rules: Readonly<DetectRules>): Family {
  const r = rules.rules['ua.scanner'];
  const cve = rules.rules['probe.cve'];
  const needles = new NeedleList(r.enabled ? r.patterns : []);
  // probe.cve's exploits in the User-Agent: looked for here, where each distinct User-Agent is
  // decoded once; counted in probe.cve's column, which that family judges.
  const exploits = new NeedleList(cve.enabled ? cve.headerPatterns : []);
  const evidence = rules.evidencePerRule;
  // A log repeats a few hundred user agents: match each once, found by its logged bytes.
  const cache = new ByteCache<{ readonly ua: string; readonly match: string | null; readonly exploit: string | null }>();
  return {
    name: 'ua',
    ids: r.enabled ? ['ua.scanner'] : [],
    feeds: exploits.size > 0 ? ['probe.cve'] : [],
    onRecord(ctx: LineContext, t: ClientTable, slot: number): void {
      if ((needles.size === 0 && exploits.size === 0) || ctx.uaEnd === ctx.uaStart) return;
      const b = ctx.rec.buf;
      // A client sends the same User-Agent line after line: its row is remembered in the
      // client's record, and comparing the bytes there costs less than hashing them.
      const memo = slot * KS + K.uaRow;
      let v = t.K[memo]! > 0 ? cache.at(t.K[memo]! - 1, b, ctx.uaStart, ctx.uaEnd) : undefined;
      if (v === undefined) {
        v = cache.get(b, ctx.uaStart, ctx.uaEnd);
        if (v === undefined) {
          const ua = unescapeHaproxy(b.toString('latin1', ctx.uaStart, ctx.uaEnd));
          const lower = ua.toLowerCase();
          v = { ua, match: needles.size > 0 ? needles.match(lower) : null, exploit: exploits.size > 0 ? exploits.match(lower) : null };
          if (cache.size >= CACHE_MAX) {
            cache.clear();
            cache.get(b, ctx.uaStart, ctx.uaEnd);
          }
          cache.setAfterMiss(v);
        }
        t.K[memo] = cache.lastRow + 1;
      }
      if (v.match !== null) {
        t.hit(slot, UA, ctx.rec.acceptMs, ctx, evidence);
        t.addDistinct(slot, UA, v.ua);
        ctx.note?.('ua.scanner', `user agent matches '${v.match}'`);
      }
      if (v.exploit !== null) {
        t.hit(slot, CVE, ctx.rec.acceptMs, ctx, evidence);
        t.addDistinct(slot, CVE, `User-Agent: ${v.ua}`);
        ctx.note?.('probe.cve', `user agent holds '${v.exploit}'`);
      }
    },
    decide(t: ClientTable, slot: number): Decision[] {
      if (!r.enabled) return [];
      const n = t.count(slot, UA);
      return [{ id: 'ua.scanner', fired: n > 0, why: () => (n > 0 ? `attack-tool user agent(s): ${[...(t.distinct(slot, UA) ?? [])].slice(0, 3).join(', ')}` : 'no attack-tool user agent') }];
    },
    score(t: ClientTable, slot: number): number {
      return r.enabled && t.count(slot, UA) > 0 ? r.score : 0;
    },
  };
}
