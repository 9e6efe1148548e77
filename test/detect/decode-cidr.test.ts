/** The building blocks: target decoding, pattern anchors, CIDR parsing and matching. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTarget, percentDecode, unescapeHaproxy } from '../../halog/detect/decode.js';
import { MultiNeedles, NeedleList } from '../../halog/detect/needles.js';
import { cidrContains, CidrSet, parseCidr, parseIp } from '../../halog/detect/cidr.js';
import { BUILTIN_RULES, CONTENT_RULE_IDS } from '../../halog/detect/rules.js';
import { randomInts } from '../helpers/random.js';

test('decode: HAProxy #XX escapes, single, double and %u encodings, + only in the query', () => {
  assert.equal(unescapeHaproxy('/download/?x=#22'), '/download/?x="');
  assert.equal(unescapeHaproxy('sqlmap/1.7.2#23stable'), 'sqlmap/1.7.2#stable');
  assert.equal(unescapeHaproxy('/page#section'), '/page#section');
  assert.equal(percentDecode('%2e%2e%2f', false), '../');
  assert.equal(percentDecode('%252e%252e%252f', false), '../');
  assert.equal(percentDecode('%25252e', false), '.');
  assert.equal(percentDecode('%u002e%u002e/', false), '../');
  assert.equal(percentDecode('100%', false), '100%');
  assert.equal(percentDecode('%zz', false), '%zz');
  const t = decodeTarget('/A%2Fb+c/..%5Cx?q=a+b%2Bc&r=%253Cscript%253E');
  assert.equal(t.path, '/a/b+c/../x');
  assert.equal(t.query, 'q=a b+c&r=<script>');
  assert.equal(t.full, '/a/b+c/../x?q=a b+c&r=<script>');
  assert.equal(t.rawPath, '/A%2Fb+c/..%5Cx');
  // an encoded '?' belongs to the path
  assert.equal(decodeTarget('/a%3Fb').query, '');
  // absolute form: the scheme and host are not part of the path
  assert.equal(decodeTarget('http://evil.example/.env').path, '/.env');
});

test('decode: a hostile 1 MB target is decoded in linear time', () => {
  const big = '%25'.repeat(300_000) + '/'.repeat(100_000);
  const t0 = process.hrtime.bigint();
  const t = decodeTarget(big);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.ok(t.path.length > 0);
  // Not a timing assertion on speed, a guard against quadratic blow-up (which takes minutes).
  assert.ok(ms < 20_000, `${ms} ms`);
});

test('needles: substring, ^start and segment$ anchors', () => {
  const n = new NeedleList(['/.env$', '^/admin', 'union select']);
  assert.equal(n.match('/.env'), '/.env$');
  assert.equal(n.match('/app/.env/x'), '/.env$');
  assert.equal(n.match('/.env?x=1'), '/.env$');
  assert.equal(n.match('/.environment'), null);
  assert.equal(n.match('/.envx/.env'), '/.env$');
  assert.equal(n.match('/admin/login'), '^/admin');
  assert.equal(n.match('/blog/admin'), null);
  assert.equal(n.match('/x?id=1 union select 2'), 'union select');
});

test('cidr: IPv4 and IPv6 blocks, mapped addresses, single addresses', () => {
  const ip = (s: string): Uint8Array => {
    const v = parseIp(s);
    assert.ok(v, s);
    return v;
  };
  const c = (s: string) => {
    const v = parseCidr(s);
    assert.ok(v, s);
    return v;
  };
  assert.ok(cidrContains(c('127.0.0.0/8'), ip('127.2.3.4')));
  assert.ok(!cidrContains(c('127.1.0.0/16'), ip('127.2.3.4')));
  assert.ok(cidrContains(c('127.1.8.8'), ip('127.1.8.8')));
  assert.ok(!cidrContains(c('127.1.8.8'), ip('127.1.8.9')));
  assert.ok(cidrContains(c('10.0.0.0/8'), ip('::ffff:10.1.2.3')));
  assert.ok(cidrContains(c('0.0.0.0/0'), ip('192.0.2.1')));
  assert.ok(!cidrContains(c('0.0.0.0/0'), ip('2001:db8::1')));
  assert.ok(cidrContains(c('::1/128'), ip('::1')));
  assert.ok(cidrContains(c('::1'), ip('0:0:0:0:0:0:0:1')));
  assert.ok(cidrContains(c('2001:db8::/32'), ip('2001:db8:ffff::a:b')));
  assert.ok(!cidrContains(c('2001:db8::/32'), ip('2001:db9::1')));
  assert.ok(cidrContains(c('2001:db8:0:0:8000::/65'), ip('2001:db8::8000:0:0:1')));
  assert.ok(!cidrContains(c('2001:db8::/65'), ip('2001:db8::8000:0:0:1')));
  assert.ok(cidrContains(c('fe80::/10'), ip('[fe80::1%eth0]')));
  for (const bad of ['10.0.0.0/33', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1::2::3', '2001:db8::/129', '12345::', 'x', '10.0.0.0/', '10.0.0.0/a', '1:2:3:4:5:6:7:8:9']) {
    assert.equal(parseCidr(bad), null, bad);
  }
  const set = new CidrSet([c('127.1.0.0/16'), c('::1/128')]);
  assert.ok(set.has('127.1.8.8'));
  assert.ok(set.has('::1'));
  assert.ok(!set.has('127.2.7.70'));
  assert.ok(!set.has('not-an-ip'));
});

test('needles: the automaton finds overlapping patterns, keeps list order, and handles wide characters', () => {
  // Inputs reach the tables lower-cased (decode.ts), patterns are lower-cased when compiled.
  const m = new MultiNeedles([['hers', 'he', 'she'], ['^/x', 'rs$'], ['\u0101bc', 'zz']]);
  // 'she' ends first in the input, but 'hers' is listed first and also matches.
  assert.deepEqual([...m.scan('ushers')], ['hers', 'rs$', null]);
  assert.deepEqual([...m.scan('/xshe')], ['he', '^/x', null]);
  assert.deepEqual([...m.scan('a/x')], [null, null, null]);
  assert.deepEqual([...m.scan('\u0101bc and \u0102zz')], [null, null, '\u0101bc']);
  assert.deepEqual([...m.scan('\u0102zz')], [null, null, 'zz']);
  const nul = new NeedleList(['\u0000', '../']);
  assert.equal(nul.match('/a\u0000b'), '\u0000');
  assert.equal(nul.match('/a/..\u00ff../'), '../');
  // Linear: a long run that keeps almost matching costs one step per character.
  const long = new NeedleList(['aaaaaaaaab']);
  assert.equal(long.match('a'.repeat(1_000_000)), null);
  assert.equal(long.match(`${'a'.repeat(1_000_000)}b`), 'aaaaaaaaab');
});

test('needles: scanBytesSplit and scanBytes agree with scan on random targets, calls interleaved, null when nothing matches', async () => {
  const { BUILTIN_RULES, CONTENT_RULE_IDS } = await import('../../halog/detect/rules.js');
  const { randomInts } = await import('../helpers/random.js');
  const pathIds = CONTENT_RULE_IDS.filter((id) => BUILTIN_RULES.rules[id].target !== 'full');
  const fullIds = CONTENT_RULE_IDS.filter((id) => BUILTIN_RULES.rules[id].target === 'full');
  const m = new MultiNeedles([...pathIds, ...fullIds].map((id) => BUILTIN_RULES.rules[id].patterns));
  assert.ok(m.canSplit);
  const split = pathIds.length;
  const rand = randomInts(90210);
  const parts = ['/', '/', 'a', 'products', 'item-1.html', '.env', '.git/config', '..', '../', 'admin', 'wp-admin', 'phpmyadmin', '.php', 'shell', '?', '=', '&', 'union', ' select', "'", ' or ', '1=1', '<script', 'onerror', ';cat', '/etc/passwd', '$(', 'jndi:', 'x'];
  let matched = 0;
  let nulls = 0;
  for (let i = 0; i < 20000; i++) {
    let t = '/';
    for (let k = rand(8); k > 0; k--) t += parts[rand(parts.length)];
    const q = t.indexOf('?');
    const path = q < 0 ? t : t.slice(0, q);
    const want = [...m.scan(path).slice(0, split), ...m.scan(t).slice(split)];
    if (rand(3) === 0) m.scan(parts[rand(parts.length)]!.repeat(2)); // leaves matches behind
    const b = Buffer.from(`GET ${t} HTTP/1.1`, 'latin1');
    const got = m.scanBytesSplit(b, 4, 4 + path.length, 4 + t.length, split);
    if (got === null) {
      nulls++;
      assert.ok(want.every((x) => x === null), t);
    } else {
      matched++;
      assert.deepEqual([...got], want, t);
    }
    if (rand(4) === 0) assert.deepEqual([...m.scanBytes(b, 4, 4 + t.length)], [...m.scan(t)], t);
  }
  assert.ok(matched > 1000 && nulls > 1000, `${matched} matched, ${nulls} null`);
});

test('needles: the built-in probe tables give, on strings and in place on bytes, the first listed match of a pattern-by-pattern search', () => {
  // Inputs made of the patterns' own characters, pieces of patterns and characters no pattern
  // has (which the automaton folds into one class), so that partial matches restart everywhere.
  const lists = CONTENT_RULE_IDS.map((id) => BUILTIN_RULES.rules[id].patterns.map((p) => p.toLowerCase()));
  const m = new MultiNeedles(lists);
  const all = lists.flat();
  const rand = randomInts(3);
  const endsSegment = (s: string, at: number): boolean => at >= s.length || '/;?'.includes(s[at]!);
  const matches = (p: string, s: string): boolean => {
    const start = p.startsWith('^');
    const end = p.length > 1 && p.endsWith('$');
    const text = p.slice(start ? 1 : 0, end ? -1 : undefined);
    for (let i = s.indexOf(text); i >= 0; i = s.indexOf(text, i + 1)) {
      if ((!start || i === 0) && (!end || endsSegment(s, i + text.length))) return true;
    }
    return false;
  };
  let found = 0;
  for (let k = 0; k < 3000; k++) {
    let s = '';
    while (s.length < 40) {
      const r = rand(4);
      const p = all[rand(all.length)]!.replace(/^\^|\$$/g, '');
      if (r === 0) s += p;
      else if (r === 1) s += p.slice(0, rand(p.length + 1));
      else if (r === 2) s += '/;?AZ\u00e9~0'[rand(9)];
      else s += String.fromCharCode(0x20 + rand(0x5f));
    }
    const expected = lists.map((l) => l.find((p) => matches(p, s)) ?? null);
    assert.deepEqual([...m.scan(s)], expected, JSON.stringify(s));
    const bytes = Buffer.from(`xx${s}yy`, 'latin1');
    assert.deepEqual([...m.scanBytes(bytes, 2, 2 + s.length)], expected, JSON.stringify(s));
    found += expected.filter((e) => e !== null).length;
  }
  assert.ok(found > 3000, `${found} matches`);
});
