/**
 * The bar of issue 7 on the public corpus (real HAProxy 2.6 logs of real tools): every
 * attacker in truth.json is flagged with the rules of its family, no benign client is flagged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSources } from '../../halog/read/sources.js';
import type { Detector, DetectOptions, DetectSnapshot } from '../../halog/detect/detector.js';
import { readRecords } from '../../halog/read/record-reader.js';
import { detectSources } from '../../halog/detect/cli.js';
import { suspects, type Suspect } from '../../halog/detect/verdict.js';
import { resolveRules } from '../../halog/detect/rules.js';
import { CORPUS } from '../helpers/paths.js';

interface Truth {
  suspicious_sources: string[];
  benign_sources: string[];
  sources: Record<string, { role: string }>;
}

const truth = JSON.parse(readFileSync(join(CORPUS, 'truth.json'), 'utf8')) as Truth;

/** Rules that must fire for each attacker: the family that describes what it did. */
const MUST_FIRE: Readonly<Record<string, { role: string; rules: string[]; verdict?: 'malicious' }>> = {
  '127.2.3.4': { role: 'dir_scanner', rules: ['scan.paths', 'ua.scanner'], verdict: 'malicious' },
  '127.2.5.55': { role: 'fuzzer', rules: ['probe.path-traversal', 'scan.paths', 'proxy.denied'], verdict: 'malicious' },
  '127.2.7.70': { role: 'http_flood', rules: ['flood.requests'], verdict: 'malicious' },
  '127.1.6.66': { role: 'login_bruteforce', rules: ['bruteforce.auth'], verdict: 'malicious' },
  '127.2.2.22': { role: 'port_probe', rules: ['proto.bad-requests'] },
  '127.1.1.1': { role: 'slowloris', rules: ['slow.client'] },
  '127.1.2.200': { role: 'sqli_scanner', rules: ['probe.sqli', 'ua.scanner'], verdict: 'malicious' },
  '127.1.9.9': { role: 'vuln_prober_low_and_slow', rules: ['probe.sensitive-files', 'probe.cve', 'probe.admin', 'proxy.denied'], verdict: 'malicious' },
};

const DETECTOR = new URL('../../halog/detect/detector.js', import.meta.url);

async function detectCorpus(threads: number): Promise<{ list: Suspect[]; d: Detector }> {
  const { job } = await readRecords<DetectOptions, DetectSnapshot>(openSources([join(CORPUS, 'access.log')]), DETECTOR, {}, { threads, parallelMinBytes: 0 });
  const d = job as Detector;
  return { list: suspects(d), d };
}

let cached: { list: Suspect[]; d: Detector } | null = null;
async function run(): Promise<{ list: Suspect[]; d: Detector }> {
  cached ??= await detectCorpus(1);
  return cached;
}

test('corpus: the table of expected rules covers exactly the attackers of truth.json', () => {
  assert.deepEqual(Object.keys(MUST_FIRE).sort(), [...truth.suspicious_sources].sort());
  for (const [ip, e] of Object.entries(MUST_FIRE)) assert.equal(truth.sources[ip]?.role, e.role, ip);
});

for (const [ip, e] of Object.entries(MUST_FIRE)) {
  test(`corpus: ${e.role} ${ip} is flagged for ${e.rules.join(', ')}`, async () => {
    const { list } = await run();
    const s = list.find((x) => x.client === ip);
    assert.ok(s, `${ip} (${e.role}) not flagged`);
    const fired = s.rules.map((r) => r.id);
    for (const r of e.rules) assert.ok(fired.includes(r), `${ip}: ${r} did not fire (fired: ${fired.join(', ')})`);
    if (e.verdict) assert.equal(s.verdict, e.verdict);
    for (const r of s.rules) {
      assert.ok(r.evidence.length >= 1 && r.evidence.length <= 3, `${ip} ${r.id}: ${r.evidence.length} evidence lines`);
      for (const line of r.evidence) assert.ok(line.includes(` ${ip}:`), `${ip} ${r.id}: evidence from another client: ${line}`);
    }
  });
}

for (const ip of truth.benign_sources) {
  test(`corpus: benign ${truth.sources[ip]?.role} ${ip} is not flagged`, async () => {
    const { list, d } = await run();
    assert.ok(d.clients.has(ip), `${ip} not seen at all`);
    const s = list.find((x) => x.client === ip);
    assert.equal(s, undefined, `${ip} flagged: ${JSON.stringify(s?.rules.map((r) => r.id))}`);
  });
}

test('corpus: precision and recall are 1.0; the 12 non-traffic lines are counted and skipped', async () => {
  const { list, d } = await run();
  const flagged = new Set(list.map((s) => s.client));
  assert.deepEqual([...flagged].sort(), [...truth.suspicious_sources].sort());
  assert.equal(d.stats.invalid, 12);
  assert.equal(d.stats.http, 7559);
  assert.equal(d.stats.tcp, 90);
});

test('corpus: 3 worker threads of the record reader (sharded by client, each reading the whole input: stdin and gzip) give exactly the report of 1, evidence included', async () => {
  const one = await run();
  const three = await detectCorpus(3);
  assert.deepEqual(three.list, one.list);
  assert.deepEqual(three.d.stats, one.d.stats);
  assert.equal(three.d.clientCount, one.d.clientCount);
});

test('corpus: 3 threads with one reading thread (dispatch.ts, what the CLI runs on files) give exactly the report of 1', async () => {
  const one = await run();
  const three = await detectSources(openSources([join(CORPUS, 'access.log')]), {}, 3, 0);
  assert.deepEqual(suspects(three), one.list);
  assert.deepEqual(three.stats, one.d.stats);
  assert.equal(three.clientCount, one.d.clientCount);
});

test('corpus: --by xff falls back to byte-range parts; the same verdicts and rules as 1 thread', async () => {
  const opts: DetectOptions = { by: 'xff', rules: resolveRules({ captures: ['Host', 'User-Agent', 'Referer', 'X-Forwarded-For'] }) };
  const read = async (threads: number): Promise<Suspect[]> => {
    const { job } = await readRecords<DetectOptions, DetectSnapshot>(openSources([join(CORPUS, 'access.log')]), DETECTOR, opts, { threads, parallelMinBytes: 0 });
    return suspects(job as Detector);
  };
  const view = (l: Suspect[]) => l.map((s) => ({ client: s.client, verdict: s.verdict, score: s.score, counts: s.counts, rules: s.rules.map((r) => r.id) }));
  const one = await read(1);
  assert.equal(one.length, 8);
  assert.deepEqual(view(await read(3)), view(one));
});
