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
import { addHit, bump, windowPeak, type ClientState, type LineContext } from '../state.js';
import type { Decision, Family } from './family.js';

export function createAuthFamily(rules: Readonly<DetectRules>): Family {
  const r = rules.rules['bruteforce.auth'];
  const statuses = new Set(r.statuses);
  const authPaths = new NeedleList(r.authPaths);
  const evidence = rules.evidencePerRule;
  return {
    name: 'auth',
    ids: r.enabled ? ['bruteforce.auth'] : [],
    onRecord(ctx: LineContext, st: ClientState): void {
      if (!r.enabled || !ctx.http) return;
      const rec = ctx.rec;
      const fromServer403 = r.serverForbiddenCounts && rec.status === 403 && rec.termChar(0) !== 0x50 && rec.timers[3]! >= 0;
      if (statuses.has(rec.status) || fromServer403) {
        bump(st, 'authfail', ctx.sec);
        addHit(st, 'bruteforce.auth', ctx, evidence, ctx.target?.path(), () => `authentication failure (status ${rec.status})`);
        return;
      }
      const m = rec.method;
      const post = m.end - m.start === 4 && rec.buf[m.start] === 0x50 && rec.buf[m.start + 1] === 0x4f;
      if (!post || ctx.target === null || authPaths.size === 0) return;
      const path = ctx.target.path();
      const p = authPaths.match(path);
      if (p === null) return;
      bump(st, 'authpost', ctx.sec);
      addHit(st, 'bruteforce.auth', ctx, evidence, path, () => `login attempt: POST to '${p}' (status ${rec.status})`);
    },
    decide(st: ClientState): Decision[] {
      if (!r.enabled) return [];
      const f = windowPeak(st.windows.get('authfail'), r.windowSeconds, r.minFailures);
      const a = windowPeak(st.windows.get('authpost'), r.windowSeconds, r.minLoginPosts);
      return [
        {
          id: 'bruteforce.auth',
          fired: f.count >= r.minFailures || a.count >= r.minLoginPosts,
          why: () => `at most ${f.count} auth failures (need >= ${r.minFailures}) and ${a.count} login POSTs (need >= ${r.minLoginPosts}) in ${r.windowSeconds}s`,
        },
      ];
    },
  };
}
