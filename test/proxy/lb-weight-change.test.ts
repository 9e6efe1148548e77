/**
 * Weights changed at run time (runtime API: `set server ... weight`, drain) must take effect in
 * every algorithm at the next pick: one table per algorithm of the picks before and after the
 * change, and the same properties for all (a server at weight 0 is never balanced to, a
 * weight back gives it its share again). Static algorithms refuse other weights than 0 and
 * the initial one (checked by the backend, `weightAllowed`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALGORITHMS } from '../../proxy/lb/index.js';
import type { Balancer, LbRequest, LbServer } from '../../proxy/lb/types.js';

class TestServer implements LbServer {
  cur = 0;
  usable = true;
  constructor(
    readonly id: number,
    readonly name: string,
    public weight: number,
  ) {}
  readonly maxconn = 0;
}

const req = (key: string): LbRequest => ({ src: key, path: `/${key}`, query: `id=${key}`, header: () => key });
const argOf = (name: string): string | null => (name === 'url_param' ? 'id' : name === 'hdr' ? 'host' : null);

function picks(b: Balancer, n: number, key = (i: number) => `r${i}`): string {
  let out = '';
  for (let i = 0; i < n; i++) out += b.pick(req(key(i)))?.name ?? '-';
  return out;
}

function farm(name: string, weights: number[]): { servers: TestServer[]; b: Balancer } {
  const servers = weights.map((w, i) => new TestServer(i + 1, String.fromCharCode(65 + i), w));
  return { servers, b: ALGORITHMS.get(name)!.init(servers, argOf(name)) };
}

function setWeight(b: Balancer, s: TestServer, w: number): void {
  s.weight = w;
  b.onWeight(s);
}

test('roundrobin: a new weight gives its exact sequence from the next pick (the scores restart)', () => {
  const { servers, b } = farm('roundrobin', [1, 1]);
  assert.equal(picks(b, 3), 'ABA');
  setWeight(b, servers[0]!, 3);
  assert.equal(picks(b, 8), 'AABAAABA');
  setWeight(b, servers[1]!, 0);
  assert.equal(picks(b, 4), 'AAAA');
  setWeight(b, servers[1]!, 3);
  assert.equal(picks(b, 6), 'ABABAB');
});

test('static-rr: the map is rebuilt (weight 0 takes a server out, its initial weight brings it back)', () => {
  const { servers, b } = farm('static-rr', [2, 1]);
  assert.equal(picks(b, 6), 'ABAABA');
  setWeight(b, servers[0]!, 0);
  assert.equal(picks(b, 3), 'BBB');
  setWeight(b, servers[0]!, 2);
  assert.equal(picks(b, 6), 'ABAABA');
});

test('leastconn and first read the weight at each pick', () => {
  const lc = farm('leastconn', [1, 1]);
  setWeight(lc.b, lc.servers[0]!, 0);
  assert.equal(picks(lc.b, 3), 'BBB');
  setWeight(lc.b, lc.servers[0]!, 1);
  assert.match(picks(lc.b, 4), /A/);
  const first = farm('first', [1, 1]);
  assert.equal(picks(first.b, 2), 'AA');
  setWeight(first.b, first.servers[0]!, 0);
  assert.equal(picks(first.b, 2), 'BB');
});

for (const name of ['source', 'uri', 'url_param', 'hdr']) {
  test(`${name}: the hash map is rebuilt without a server at weight 0, and with it again after`, () => {
    const { servers, b } = farm(name, [1, 1, 1]);
    const before = picks(b, 30, (i) => `k${i}`);
    assert.ok(before.includes('A'));
    setWeight(b, servers[0]!, 0);
    const without = picks(b, 30, (i) => `k${i}`);
    assert.ok(!without.includes('A') && !without.includes('-'));
    setWeight(b, servers[0]!, 1);
    assert.equal(picks(b, 30, (i) => `k${i}`), before, 'the same farm gives the same map');
  });
}

test('every algorithm says whether it takes any weight at run time (HAProxy: roundrobin, leastconn, first)', () => {
  const dynamic = [...ALGORITHMS.values()].filter((a) => a.dynamicWeights).map((a) => a.name);
  assert.deepEqual(dynamic.sort(), ['first', 'leastconn', 'roundrobin']);
});
