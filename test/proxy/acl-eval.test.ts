/** ACL parsing and evaluation: criteria, flags, several values, ||, !, anonymous ACLs, src networks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAclTest, parseCondition } from '../../proxy/config/acl.js';
import type { AclTest } from '../../proxy/config/types.js';
import { evalCondition, ipMatches, type AclSubject } from '../../proxy/frontend/acl.js';

const subject = (over: Partial<AclSubject> = {}): AclSubject => ({
  method: 'GET',
  path: '/api/v1/users.json',
  uri: '/api/v1/users.json?x=1',
  src: '10.1.2.3',
  headers: [
    { name: 'host', value: 'www.Example.com:8080' },
    { name: 'x-multi', value: 'a, b' },
  ],
  ...over,
});

function cond(text: string, acls: Record<string, string[]> = {}): (s: AclSubject) => boolean {
  const map = new Map<string, AclTest[]>();
  for (const [name, words] of Object.entries(acls)) {
    const r = parseAclTest(words);
    assert.ok(r.ok, JSON.stringify(r));
    map.set(name, [...(map.get(name) ?? []), r.test]);
  }
  const c = parseCondition(text.split(' '), map);
  assert.ok(c.ok, JSON.stringify(c));
  return (s) => evalCondition(c.cond, s);
}

test('each criterion matches like HAProxy', () => {
  const cases: [string, boolean][] = [
    ['if { path /api/v1/users.json }', true],
    ['if { path /api }', false],
    ['if { path_beg /static /api/ }', true],
    ['if { path_end .json .xml }', true],
    ['if { path_sub v1 }', true],
    ['if { path_dir v1 }', true],
    ['if { path_dir v }', false],
    ['if { url_beg /api/v1/users.json?x }', true],
    ['if { url_sub x=1 }', true],
    ['if { hdr(host) www.Example.com:8080 }', true],
    ['if { hdr(host) -i WWW.EXAMPLE.COM:8080 }', true],
    ['if { hdr(host) www.example.com:8080 }', false],
    ['if { hdr_dom(host) -i example.com }', true],
    ['if { hdr_dom(host) -i ample.com }', false],
    ['if { hdr_beg(host) www. }', true],
    ['if { hdr_end(host) :8080 }', true],
    ['if { hdr_sub(x-multi) b }', true],
    ['if { hdr(x-multi) b }', true],
    ['if { method POST PUT }', false],
    ['if { method GET }', true],
    ['if METH_GET', true],
    ['if { src 10.0.0.0/8 }', true],
    ['if { src 192.168.0.0/16 ::1 }', false],
    ['if { path -m beg /api }', true],
    ['if TRUE', true],
    ['unless TRUE', false],
  ];
  for (const [text, expected] of cases) assert.equal(cond(text)(subject()), expected, text);
});

test('named ACLs: several lines OR, juxtaposition AND, || and !', () => {
  const acls = { api: ['path_beg', '/api/'], api2: ['path_beg', '/v2/'], lan: ['src', '10.0.0.0/8'], post: ['method', 'POST'] };
  assert.equal(cond('if api lan', acls)(subject()), true);
  assert.equal(cond('if api post', acls)(subject()), false);
  assert.equal(cond('if post || lan', acls)(subject()), true);
  assert.equal(cond('if !lan', acls)(subject()), false);
  assert.equal(cond('if ! lan', acls)(subject()), false);
  assert.equal(cond('if api !post', acls)(subject()), true);
  assert.equal(cond('if post or api2', acls)(subject()), false);
  assert.equal(cond('unless api2', acls)(subject()), true);
  assert.equal(cond('if !{ src 10.1.0.0/16 } || api', acls)(subject()), true);
});

test('src matches IPv4, IPv4-mapped and IPv6 networks', () => {
  assert.ok(ipMatches('::ffff:10.1.2.3', '10.0.0.0/8'));
  assert.ok(ipMatches('2001:db8::1', '2001:db8::/32'));
  assert.ok(!ipMatches('2001:db9::1', '2001:db8::/32'));
  assert.ok(ipMatches('::1', '::1'));
  assert.ok(!ipMatches('127.0.0.2', '127.0.0.1'));
  assert.ok(ipMatches('127.0.0.2', '0.0.0.0/0'));
});

test('bad ACLs are refused with a reason', () => {
  const bad = (words: string[]): string => {
    const r = parseAclTest(words);
    assert.ok(!r.ok);
    return r.error;
  };
  assert.match(bad(['path_begin', '/x']), /did you mean 'path_beg'/);
  assert.match(bad(['hdr', 'x']), /needs a header name/);
  assert.match(bad(['path_beg']), /no value/);
  assert.match(bad(['path', '-f', 'file']), /unsupported ACL flag '-f'/);
  assert.match(bad(['src', 'nothost']), /invalid address/);
  const c = parseCondition(['if', 'nope'], new Map());
  assert.ok(!c.ok && /no such ACL/.test(c.error));
});
