/**
 * `bruteforce.auth` (CrowdSec's http-bf-wordpress_bf / http-generic-bf, fail2ban's
 * haproxy-http-auth): authentication failures (401/407, and 403s sent by a server rather than
 * by an HAProxy deny) in a sliding window. Counted per second so parts of a log merge.
 */
import type { DetectRules } from '../rules.js';
import { addHit, bump, windowPeak, type ClientState, type LineContext } from '../state.js';
import type { Decision, Family } from './family.js';

export function createAuthFamily(rules: Readonly<DetectRules>): Family {
  const r = rules.rules['bruteforce.auth'];
  const statuses = new Set(r.statuses);
  const evidence = rules.evidencePerRule;
  return {
    name: 'auth',
    ids: r.enabled ? ['bruteforce.auth'] : [],
    onRecord(ctx: LineContext, st: ClientState): void {
      if (!r.enabled || !ctx.http) return;
      const rec = ctx.rec;
      const fromServer403 = r.serverForbiddenCounts && rec.status === 403 && rec.termChar(0) !== 0x50 && rec.timers[3]! >= 0;
      if (!statuses.has(rec.status) && !fromServer403) return;
      bump(st, 'authfail', ctx.sec);
      addHit(st, 'bruteforce.auth', ctx, evidence, ctx.target?.path, `authentication failure (status ${rec.status})`);
    },
    decide(st: ClientState): Decision[] {
      if (!r.enabled) return [];
      const p = windowPeak(st.windows.get('authfail'), r.windowSeconds);
      return [{ id: 'bruteforce.auth', fired: p.count >= r.minFailures, why: `at most ${p.count} auth failures in ${r.windowSeconds}s (need >= ${r.minFailures})` }];
    },
  };
}
