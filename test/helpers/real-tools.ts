import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';

/**
 * Real HAProxy tools used as oracles, and socat, the client HAProxy's runtime API is used
 * with. In CI (CI=true) a missing tool fails the test, since `.ci/run` installs them;
 * elsewhere the test is skipped with the reason and how to fix it.
 */
export type RealTool = 'halog' | 'haproxy' | 'socat';

/** The Debian package that brings each tool (`.ci/run` installs them). */
const PACKAGE: Readonly<Record<RealTool, string>> = { halog: 'haproxy', haproxy: 'haproxy', socat: 'socat' };

export function findTool(name: RealTool): string | null {
  for (const dir of ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin']) {
    const p = `${dir}/${name}`;
    if (existsSync(p)) return p;
  }
  return null;
}

export function requireTool(t: TestContext, name: RealTool): string | null {
  const p = findTool(name);
  if (p) return p;
  const why = `${name === 'socat' ? '' : 'real '}${name} not found (install it: apt-get install -y ${PACKAGE[name]})`;
  if (process.env.CI) throw new Error(`${why}; CI must have it`);
  t.skip(why);
  return null;
}
