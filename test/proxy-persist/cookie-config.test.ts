/**
 * The `cookie` keyword's checks against `haproxy -c`: the same lines are accepted, and a bad
 * line gets HAProxy's message at the same file:line, with a stable haloscope code. `dynamic`
 * (dynamic cookies) is the one option haloscope refuses although HAProxy takes it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolve } from '../../proxy/config/resolve.js';
import { requireTool } from '../helpers/real-tools.js';

const cfg = (line: string): string =>
  `defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nlisten l\n  bind 127.0.0.1:1\n  ${line}\n  server s 127.0.0.1:2 cookie a\n`;

/** `level line: message` for each alert and warning, from our resolver. */
function ours(line: string): { said: string[]; codes: string[] } {
  const said: string[] = [];
  const codes: string[] = [];
  for (const d of resolve([{ file: 't.cfg', text: cfg(line) }]).diagnostics) {
    if (d.level === 'alert') {
      said.push(`alert ${d.error.line}: ${d.error.detail}`);
      codes.push(d.error.code);
    } else said.push(`warning ${d.where.line}: ${d.message}`);
  }
  return { said, codes };
}

/** The same, from `haproxy -c` (messages without a location are given line 8, the cookie line). */
function theirs(haproxy: string, line: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-cookie-cfg-'));
  const file = path.join(dir, 't.cfg');
  fs.writeFileSync(file, cfg(line));
  const r = spawnSync(haproxy, ['-c', '-f', file], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  const out: string[] = [];
  for (const l of `${r.stdout}${r.stderr}`.split('\n')) {
    const m = /^\[(ALERT|WARNING)\].*? : config : (?:parsing \[[^:\]]+:(\d+)\] ?: )?(.*)$/.exec(l);
    if (!m || /Fatal errors found|Error\(s\) found in configuration file/.test(m[3]!)) continue;
    out.push(`${m[1]!.toLowerCase()} ${m[2] ?? 8}: ${m[3]}`);
  }
  return out;
}

const ACCEPTED = [
  'cookie SRV insert indirect nocache',
  'cookie SRV rewrite',
  'cookie JSESSIONID prefix',
  'cookie JSESSIONID prefix indirect',
  'cookie SRV',
  'cookie SRV indirect preserve',
  'cookie SRV insert postonly preserve httponly secure domain .example.com attr SameSite=Strict maxidle 30m maxlife 1h',
  'cookie SRV insert maxidle 1500ms maxlife 2d',
];

const REFUSED: [string, string][] = [
  ['cookie', 'E_CONFIG_MISSING_ARG'],
  ['cookie SRV rewrite indirect', 'E_CONFIG_BAD_VALUE'],
  ['cookie SRV insert prefix', 'E_CONFIG_BAD_VALUE'],
  ['cookie SRV rewrite insert prefix indirect', 'E_CONFIG_BAD_VALUE'],
  ['cookie SRV preserve', 'E_CONFIG_BAD_VALUE'],
  ['cookie SRV insert bogus', 'E_CONFIG_BAD_VALUE'],
  ['cookie SRV insert domain', 'E_CONFIG_MISSING_ARG'],
  ['cookie SRV insert domain a@b.c', 'E_CONFIG_BAD_VALUE'],
  ['cookie SRV insert maxidle', 'E_CONFIG_MISSING_ARG'],
  ['cookie SRV insert maxlife', 'E_CONFIG_MISSING_ARG'],
  ['cookie SRV insert maxidle 3x', 'E_CONFIG_BAD_VALUE'],
  ['cookie SRV insert maxidle abc', 'E_CONFIG_BAD_VALUE'],
  ['cookie SRV insert maxlife 99999999999', 'E_CONFIG_BAD_VALUE'],
  ['cookie SRV insert attr', 'E_CONFIG_MISSING_ARG'],
  ['cookie SRV insert attr a;b', 'E_CONFIG_BAD_VALUE'],
];

/** Accepted with a warning by both. */
const WARNED = ['cookie SRV insert domain localhost', 'cookie SRV insert maxidle 30mx'];

test('cookie options are accepted, warned about and refused like haproxy -c, at the same line', (t) => {
  const haproxy = requireTool(t, 'haproxy');
  if (!haproxy) return;
  for (const line of [...ACCEPTED, ...WARNED]) assert.deepEqual(ours(line).said, theirs(haproxy, line), line);
  for (const line of WARNED) assert.equal(ours(line).said.length, 1, `${line} warns`);
  for (const [line, code] of REFUSED) {
    const o = ours(line);
    assert.deepEqual(o.said, theirs(haproxy, line), line);
    assert.ok(o.said.length > 0, `${line} is refused`);
    assert.ok(o.codes.every((c) => c === code), `${line}: ${o.codes.join(' ')}`);
  }
});

test('cookie ... dynamic is a located E_CONFIG_UNSUPPORTED error', () => {
  const o = ours('cookie SRV insert dynamic');
  assert.deepEqual(o.codes, ['E_CONFIG_UNSUPPORTED']);
  assert.match(o.said[0]!, /^alert 8: 'cookie SRV \.\.\. dynamic' is not supported by haloscope/);
});

test('each cookie line starts over, except attr values, which add up as in HAProxy', () => {
  const r = resolve([
    {
      file: 't.cfg',
      text: `defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n  cookie A insert nocache maxidle 10 domain .a.b attr x=1\nbackend b\n  cookie B rewrite attr y=2\n  server s 127.0.0.1:2 cookie a\nbackend c\n  server s 127.0.0.1:2 cookie a\nfrontend f\n  bind 127.0.0.1:1\n  default_backend b\n`,
    },
  ]);
  const b = r.config!.backends.get('b')!.cookie!;
  assert.deepEqual({ ...b }, { name: 'B', mode: 'rewrite', indirect: false, nocache: false, postonly: false, preserve: false, httponly: false, secure: false, domains: [], attrs: ['x=1', 'y=2'], maxidle: 0, maxlife: 0 });
  const c = r.config!.backends.get('c')!.cookie!;
  assert.deepEqual({ ...c }, { name: 'A', mode: 'insert', indirect: false, nocache: true, postonly: false, preserve: false, httponly: false, secure: false, domains: ['.a.b'], attrs: ['x=1'], maxidle: 10, maxlife: 0 });
});
