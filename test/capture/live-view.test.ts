import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import test from 'node:test';
import { renderScreen } from '../../capture/live/render.js';
import { newTrafficFields, readTrafficLine } from '../../capture/live/traffic-line.js';
import { LiveWindow } from '../../capture/live/window.js';
import { snapshot } from '../../capture/stats.js';
import { newCounters } from '../../capture/counters.js';
import { CORPUS_LOG, corpusLines, sendAll, spawnCli, tempDir, waitFor } from './helpers.js';

/** Reference outputs of real halog on the corpus (corpus/halog/NAME.txt). */
function halogReference(name: string): string[][] {
  return readFileSync(join(dirname(CORPUS_LOG), 'halog', `${name}.txt`), 'latin1')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(' '));
}

function feed(lines: readonly string[], second: number): LiveWindow {
  const w = new LiveWindow();
  const f = newTrafficFields();
  for (const line of lines) {
    const b = Buffer.from(line, 'latin1');
    const start = b.indexOf(']: ') + 3;
    if (!readTrafficLine(b, start, b.length, f)) continue;
    w.add(second, b.toString('latin1', f.clientStart, f.clientEnd), f.urlStart >= 0 ? b.toString('latin1', f.urlStart, f.urlEnd) : null, f.status, f.totalMs, f.http);
  }
  return w;
}

test('live figures agree with real halog on the corpus: status mix (-H -st), URLs (-uc), clients (-ic)', (t) => {
  const corpus = corpusLines();
  if ('skip' in corpus) return t.skip(corpus.skip);
  const s = feed(corpus.lines, 1000).summary(1000, 10);
  assert.equal(s.lines, 7649, '7559 HTTP + 90 TCP traffic lines; the 12 others are not traffic');
  assert.equal(s.http, 7559);
  assert.deepEqual(s.statuses.map(([k, v]) => [String(k), String(v)]), halogReference('H_st'));

  assert.equal(s.topUrls.length, 10);
  assert.deepEqual(s.topUrls[0], ['/', 2587]);
  const uc = new Map(halogReference('uc').map((r) => [r[8]!, Number(r[0])]));
  for (const [url, count] of s.topUrls) assert.equal(count, uc.get(url), `requests for ${url}`);
  const ic = new Map(halogReference('ic').map((r) => [r[8]!, Number(r[0])]));
  for (const [client, count] of s.topClients) if (client !== '127.2.9.1') assert.equal(count, ic.get(client), `requests from ${client}`);
  assert.equal(s.topClients[0]![0], '127.2.7.70');
  assert.equal(s.errors, s.statuses.filter(([k]) => k >= 500 || k < 0).reduce((a, [, v]) => a + v, 0));
});

test('latency percentiles from the HDR histogram are within its 3 significant digits of the exact ones', (t) => {
  const corpus = corpusLines();
  if ('skip' in corpus) return t.skip(corpus.skip);
  const s = feed(corpus.lines, 1000).summary(1000);
  // Exact Ta (httplog 5th timer) and Tt (tcplog 3rd timer), by an independent regex.
  const totals = corpus.lines
    .map((l) => / \[[^\]]+\] \S+ \S+ (-?\d+)\/(-?\d+)\/(-?\d+)(?:\/(-?\d+)\/(-?\d+))? /.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[5] ?? m[3]))
    .filter((v) => v >= 0)
    .sort((a, b) => a - b);
  assert.equal(s.latency.count, totals.length);
  const exact = (p: number): number => totals[Math.max(0, Math.ceil((p / 100) * totals.length) - 1)]!;
  for (const [p, got] of [[50, s.latency.p50], [90, s.latency.p90], [99, s.latency.p99]] as const) {
    assert.ok(Math.abs(got - exact(p)) <= Math.max(1, exact(p) * 0.001), `p${p}: ${got} vs exact ${exact(p)}`);
  }
  assert.ok(Math.abs(s.latency.max - totals[totals.length - 1]!) <= totals[totals.length - 1]! * 0.001);
});

test('the window keeps 60 seconds: older buckets leave, the screen shows rate, errors, tops', () => {
  const w = new LiveWindow();
  for (let sec = 0; sec < 90; sec++) for (let i = 0; i < 10; i++) w.add(1000 + sec, `10.0.0.${i % 2}`, sec < 30 ? '/old' : '/new', i === 0 ? 503 : 200, 5, true);
  const s = w.summary(1089);
  assert.equal(s.seconds, 60);
  assert.equal(s.lines, 600);
  assert.equal(s.lastSecondRate, 10);
  assert.deepEqual(s.topUrls, [['/new', 600]]);
  assert.equal(s.errorRate, 0.1);
  const screen = renderScreen(s, snapshot(newCounters(), Date.now(), [], [], 0), new Date(Date.UTC(2026, 10, 27, 12)), 100);
  assert.match(screen, /requests\/s {3}10 last second, 10 average/);
  assert.match(screen, /error rate {3}10\.00%/);
  assert.match(screen, /2xx 540 \(90\.0%\)/);
  assert.match(screen, /p50 5 ms/);
  assert.match(screen, /600 {2}\/new/);
});

test('--live with stdout not a terminal prints one summary line per second', async (t) => {
  const corpus = corpusLines();
  if ('skip' in corpus) return t.skip(corpus.skip);
  const dir = tempDir(t);
  const cli = await spawnCli(['--listen', '127.0.0.1:0', '--out', dir, '--live']);
  t.after(() => void cli.stop('SIGKILL'));
  let out = '';
  cli.child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  await sendAll('udp4', cli.ports.udp4!, corpus.lines.slice(0, 500));
  await waitFor(() => /received=500 /.test(out), 'a live line counting the 500 datagrams');
  assert.equal(await cli.stop(), 0);
  const last = out.trim().split('\n').pop()!;
  assert.match(last, /^live \d\d:\d\d:\d\d rate=\d+\/s avg=[\d.]+\/s errors=[\d.]+% 2xx=\d+ 3xx=\d+ 4xx=\d+ 5xx=\d+ p50=\d+ p90=\d+ p99=\d+ max=\d+ top-url=\S+ top-client=\S+ received=500 dropped=0$/);
});
