import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';

/**
 * Real HAProxy tools used as oracles. In CI (CI=true) a missing tool fails the test, since
 * `.ci/run` installs them; elsewhere the test is skipped with the reason and how to fix it.
 */
export function findTool(name: 'halog' | 'haproxy'): string | null {
  for (const dir of ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin']) {
    const p = `${dir}/${name}`;
    if (existsSync(p)) return p;
  }
  return null;
}

export function requireTool(t: TestContext, name: 'halog' | 'haproxy'): string | null {
  const p = findTool(name);
  if (p) return p;
  const why = `real ${name} not found (install it: apt-get install -y haproxy)`;
  if (process.env.CI) throw new Error(`${why}; CI must have it`);
  t.skip(why);
  return null;
}
