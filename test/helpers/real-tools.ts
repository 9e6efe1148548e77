import { spawn } from 'node:child_process';
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

/** One request through socat, as a user types `echo "<line>" | socat - UNIX-CONNECT:<sock>`. */
export function socat(sock: string, input: string): Promise<string> {
  return new Promise((res, rej) => {
    const c = spawn('socat', ['-', `UNIX-CONNECT:${sock}`]);
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('error', rej);
    c.on('close', (code) => (code === 0 ? res(out) : rej(new Error(`socat exited with ${code}: ${err}`))));
    c.stdin.end(input);
  });
}
