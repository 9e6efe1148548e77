/**
 * `bruteforce.auth` (CrowdSec's http-generic-bf, http-bf-wordpress_bf(_xmlrpc), fail2ban's
 * haproxy-http-auth): password guessing, seen two ways in a sliding window:
 *  - authentication failures: 401/407, and 403s sent by a server rather than by an HAProxy
 *    deny (those are policy, counted by proxy.denied);
 *  - login attempts: POSTs to well-known login endpoints whatever the answer, because form
 *    logins (WordPress, xmlrpc) answer 200 or 302 to a wrong password.
 * Counted per second so parts of a log merge.
 */
import { NeedleList } from '../needles.js';
import type { DetectRules } from '../rules.js';
import { ruleIndex, Series, type ClientTable, type LineContext } from '../state.js';
import { StatusSet, type Decision, type Family } from './family.js';

const AUTH = ruleIndex('bruteforce.auth');

export function createAuthFamily(rules: Readonly<DetectRules>): Family {
  const r = rules.rules['bruteforce.auth'];
  const statuses = new StatusSet(r.statuses);
  const authPaths = new NeedleList(r.authPaths);
  const evidence = rules.evidencePerRule;
  return {
    name: 'auth',
    ids: r.enabled ? ['bruteforce.auth'] : [],
    onRecord(ctx: LineContext, t: ClientTable, slot: number): void {
      if (!r.enabled || !ctx.http) return;
      const rec = ctx.rec;
      const fromServer403 = r.serverForbiddenCounts && rec.status === 403 && rec.termChar(0) !== 0x50 && rec.timers[3]! >= 0;
      if (statuses.has(rec.status) || fromServer403) {
        t.bump(slot, Series.authfail, ctx.sec);
        t.hit(slot, AUTH, rec.acceptMs, ctx, evidence);
        if (ctx.target !== null) t.addDistinct(slot, AUTH, ctx.target.path());
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
      t.addDistinct(slot, AUTH, path);
      ctx.note?.('bruteforce.auth', `login attempt: POST to '${p}' (status ${rec.status})`);
    },
    decide(t: ClientTable, slot: number): Decision[] {
      if (!r.enabled) return [];
      const f = t.peak(slot, Series.authfail, r.windowSeconds, r.minFailures);
      const a = t.peak(slot, Series.authpost, r.windowSeconds, r.minLoginPosts);
      return [
        {
          id: 'bruteforce.auth',
          fired: f >= r.minFailures || a >= r.minLoginPosts,
          why: () => `at most ${f} auth failures (need >= ${r.minFailures}) and ${a} login POSTs (need >= ${r.minLoginPosts}) in ${r.windowSeconds}s`,
        },
      ];
    },
    score(t: ClientTable, slot: number): number {
      if (!r.enabled || (t.count(slot, AUTH) === 0 && r.minFailures > 0 && r.minLoginPosts > 0)) return 0;
      const fired = t.peak(slot, Series.authfail, r.windowSeconds, r.minFailures) >= r.minFailures || t.peak(slot, Series.authpost, r.windowSeconds, r.minLoginPosts) >= r.minLoginPosts;
      return fired ? r.score : 0;
    },
  };
}
