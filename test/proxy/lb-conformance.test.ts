/**
 * One conformance suite for every load-balancing algorithm: tables of expected picks, plus
 * properties every algorithm must keep (never a down or zero-weight server, null when nothing
 * is usable, respects `avoid` when it can).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALGORITHMS } from '../../proxy/lb/index.js';
import type { LbRequest, LbServer } from '../../proxy/lb/types.js';

interface Case {
  weights: number[];
  down?: string[];
  maxconn?: number[];
  /** simulate request completion after each pick (cur back to 0) */
  release?: boolean;
  /** requests: src / path / header values cycle through these keys */
  keys?: string[];
  expect: string;
}

class TestServer implements LbServer {
  cur = 0;
  usable = true;
  constructor(
    readonly id: number,
    readonly name: string,
    readonly weight: number,
    readonly maxconn: number,
  ) {}
}

function req(key: string): LbRequest {
  return { src: key, path: `/${key}`, query: `a=1&id=${key}`, header: (n) => (n === 'host' ? key : undefined) };
}

const TABLES: Record<string, Case[]> = {
  roundrobin: [
    { weights: [3, 1], release: true, expect: 'AABA'.repeat(3) },
    { weights: [1, 1, 1], down: ['B'], release: true, expect: 'ACACAC' },
    { weights: [1, 0, 1], release: true, expect: 'ACAC' },
    { weights: [1, 1], maxconn: [1, 0], expect: 'ABBB' },
    { weights: [1, 1], down: ['A', 'B'], expect: '--' },
  ],
  'static-rr': [
    { weights: [3, 1], release: true, expect: 'AABA'.repeat(3) },
    { weights: [1, 2], down: ['A'], release: true, expect: 'BBBB' },
    { weights: [1, 1], maxconn: [1, 1], expect: 'AB--' },
  ],
  leastconn: [
    { weights: [1, 1, 1], expect: 'ABCABC' },
    { weights: [2, 1], expect: 'ABAABA' },
    { weights: [1, 1], release: true, expect: 'ABAB' },
    { weights: [1, 1, 1], down: ['A'], expect: 'BCBC' },
  ],
  first: [
    { weights: [1, 1, 1], maxconn: [2, 1, 0], expect: 'AABCCC' },
    { weights: [1, 1], maxconn: [1, 1], expect: 'AB--' },
    { weights: [1, 1], maxconn: [2, 2], down: ['A'], expect: 'BB--' },
  ],
};
// Hash-based algorithms: a key always maps to the same server, and the same farm gives the same map.
for (const name of ['source', 'uri', 'url_param', 'hdr']) {
  TABLES[name] = [
    { weights: [1, 1, 1], release: true, keys: ['k1'], expect: 'SAME'.repeat(2) },
    { weights: [1, 1, 1], release: true, keys: ['k2'], expect: 'SAME'.repeat(2) },
    { weights: [1, 1, 1], down: ['A', 'B'], release: true, keys: ['k1', 'k2', 'k3'], expect: 'CCC' },
    { weights: [1, 1], down: ['A', 'B'], release: true, keys: ['k1'], expect: '-' },
  ];
}

function run(algoName: string, c: Case): string {
  const servers = c.weights.map((w, i) => new TestServer(i + 1, String.fromCharCode(65 + i), w, c.maxconn?.[i] ?? 0));
  for (const s of servers) if (c.down?.includes(s.name)) s.usable = false;
  const b = ALGORITHMS.get(algoName)!.init(servers, algoName === 'url_param' ? 'id' : algoName === 'hdr' ? 'host' : null);
  let out = '';
  for (let i = 0; i < c.expect.length; i++) {
    const s = b.pick(req(c.keys ? c.keys[i % c.keys.length]! : `r${i}`)) as TestServer | null;
    if (!s) {
      out += '-';
      continue;
    }
    out += s.name;
    if (!c.release) {
      s.cur++;
      b.onTake(s);
    }
  }
  return out;
}

test('the registry has every algorithm of the issue, each in its own module', () => {
  assert.deepEqual([...ALGORITHMS.keys()].sort(), ['first', 'hdr', 'leastconn', 'roundrobin', 'source', 'static-rr', 'uri', 'url_param']);
});

for (const [name, cases] of Object.entries(TABLES)) {
  test(`lb ${name}: table of expected picks`, () => {
    for (const c of cases) {
      const got = run(name, c);
      if (c.expect.startsWith('SAME')) {
        assert.equal(new Set(got).size, 1, `${JSON.stringify(c)} -> ${got}`);
        assert.ok(!got.includes('-'));
      } else assert.equal(got, c.expect, JSON.stringify(c));
    }
  });
}

for (const name of ALGORITHMS.keys()) {
  test(`lb ${name}: never picks an unusable server, avoids 'avoid' when another is usable`, () => {
    const servers = [1, 2, 3, 4].map((i) => new TestServer(i, String.fromCharCode(64 + i), i === 2 ? 0 : 1, 0));
    servers[2]!.usable = false; // C down, B weight 0
    const b = ALGORITHMS.get(name)!.init(servers, name === 'url_param' ? 'id' : 'host');
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const s = b.pick(req(`key${i}`));
      assert.ok(s && s.name !== 'B' && s.name !== 'C', `${name} picked ${s?.name}`);
      const other = b.pick(req(`key${i}`), s);
      assert.ok(other && other !== s, `${name} did not avoid ${s.name}`);
    }
    for (let i = 0; i < 50; i++) seen.add(b.pick(req(`spread${i}`))!.name);
    if (name !== 'first') assert.deepEqual([...seen].sort(), ['A', 'D'], `${name} spreads over usable servers`);
    servers[0]!.usable = false;
    b.onDown(servers[0]!);
    servers[3]!.usable = false;
    b.onDown(servers[3]!);
    assert.equal(b.pick(req('x')), null);
    servers[0]!.usable = true;
    b.onUp(servers[0]!);
    assert.equal(b.pick(req('x'))?.name, 'A');
  });
}
