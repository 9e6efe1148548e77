/**
 * `bruteforce.auth` (CrowdSec's http-generic-bf, http-bf-wordpress_bf(_xmlrpc), fail2ban's
 * haproxy-http-auth): password guessing, seen two ways in a sliding window:
 *  - authentication failures: 401/407, and 403s sent by a server rather than by an HAProxy
 *    deny (those are policy, counted by proxy.denied);
 *  - login attempts: POSTs to well-known login endpoints whatever the answer, because form
 *    logins (WordPress, xmlrpc) answer 200 or 302 to a wrong password.
 * Failures also need to be a share of the client's requests (minFailureRatio): an app whose
 * session expired gets a burst of 401s among its 200s. Login POSTs are also counted over a
 * long window (slowWindowSeconds) for guessers that stay under the per-minute limit; there
 * they must be a share of the client's requests too (slowMinShare), since a long window holds
 * the logins of everyone behind a busy address.
 * Counted per second so parts of a log merge.
 */
import { NeedleList } from '../needles.js';
import type { DetectRules } from '../rules.js';
import { K, ruleIndex, Series, type ClientTable, type LineContext } from '../state.js';
import { pct, ratio, StatusSet, type Decision, type Family } from './family.js';

const AUTH = ruleIndex('bruteforce.auth');

/** Authentication failures as a share of the client's HTTP requests. */
function failureShare(t: ClientTable, slot: number): number {
  return ratio(t.seriesTotal(slot, Series.authfail), t.k(slot, K.http));
}

/** Login POSTs as a share of the client's HTTP requests. */
function loginShare(t: ClientTable, slot: number): number {
  return ratio(t.seriesTotal(slot, Series.authpost), t.k(slot, K.http));
}

export function createAuthFamily(rules: Readonly<DetectRules>): Family {
  const r = rules.rules['bruteforce.auth'];
  const statuses = new StatusSet(r.statuses);
  const authPaths = new NeedleList(r.authPaths);
  const evidence = rules.evidencePerRule;
  // Most clients never POST to a login path: the long window is read only when the total can
  // reach the limit (below it, the total is what the explanation quotes).
  const slowPosts = (t: ClientTable, slot: number): number => {
    const total = t.seriesTotal(slot, Series.authpost);
    return r.slowMinLoginPosts > 0 && total >= r.slowMinLoginPosts ? t.peak(slot, Series.authpost, r.slowWindowSeconds, r.slowMinLoginPosts) : total;
  };
  const slowFired = (posts: number, share: number): boolean => r.slowMinLoginPosts > 0 && posts >= r.slowMinLoginPosts && share >= r.slowMinShare;
  return {
    name: 'auth',
    ids: r.enabled ? ['bruteforce.auth'] : [],
    windowSeconds: r.enabled ? Math.max(r.windowSeconds, r.slowMinLoginPosts > 0 ? r.slowWindowSeconds : 0) : 0,
    onRecord(ctx: LineContext, t: ClientTable, slot: number): void {
      if (!r.enabled || !ctx.http) return;
      const rec = ctx.rec;
      const fromServer403 = r.serverForbiddenCounts && rec.status === 403 && rec.termChar(0) !== 0x50 && rec.timers[3]! >= 0;
      if (statuses.has(rec.status) || fromServer403) {
        t.bump(slot, Series.authfail, ctx.sec);
        t.hit(slot, AUTH, rec.acceptMs, ctx, evidence);
        ctx.note?.('bruteforce.auth', `authentication failure (status ${rec.status})`);
        return;
      }
      const m = rec.method;
      const post = m.end - m.start === 4 && rec.buf[m.start] === 0x50 && rec.buf[m.start + 1] === 0x4f;
      if (!post || ctx.target === null || authPaths.size === 0) return;
      const path = ctx.target.path();
      const p = authPaths.match(path);
      if (p === null) return;
      t.bump(slot, Series.authpost, ctx.sec);
      t.hit(slot, AUTH, rec.acceptMs, ctx, evidence);
      ctx.note?.('bruteforce.auth', `login attempt: POST to '${p}' (status ${rec.status})`);
    },
    decide(t: ClientTable, slot: number): Decision[] {
      if (!r.enabled) return [];
      const f = t.peak(slot, Series.authfail, r.windowSeconds, r.minFailures);
      const q = failureShare(t, slot);
      const a = t.peak(slot, Series.authpost, r.windowSeconds, r.minLoginPosts);
      const s = slowPosts(t, slot);
      const sq = loginShare(t, slot);
      return [
        {
          id: 'bruteforce.auth',
          fired: (f >= r.minFailures && q >= r.minFailureRatio) || a >= r.minLoginPosts || slowFired(s, sq),
          why: () =>
            `at most ${f} auth failures in ${r.windowSeconds}s (need >= ${r.minFailures}), ${pct(q)} of HTTP requests (need >= ${pct(r.minFailureRatio)}); ` +
            `at most ${a} login POSTs in ${r.windowSeconds}s (need >= ${r.minLoginPosts})` +
            (r.slowMinLoginPosts > 0 ? `; at most ${s} login POSTs in ${r.slowWindowSeconds}s (need >= ${r.slowMinLoginPosts}), ${pct(sq)} of HTTP requests (need >= ${pct(r.slowMinShare)})` : ''),
        },
      ];
    },
    score(t: ClientTable, slot: number): number {
      if (!r.enabled || (t.count(slot, AUTH) === 0 && r.minFailures > 0 && r.minLoginPosts > 0)) return 0;
      const failures = t.peak(slot, Series.authfail, r.windowSeconds, r.minFailures) >= r.minFailures && failureShare(t, slot) >= r.minFailureRatio;
      if (failures || t.peak(slot, Series.authpost, r.windowSeconds, r.minLoginPosts) >= r.minLoginPosts) return r.score;
      return slowFired(slowPosts(t, slot), loginShare(t, slot)) ? r.score : 0;
    },
  };
}
