/**
 * Hot reload in master-worker mode (`haloscope proxy -W`, SIGUSR2 to the master), as a real
 * process under real load: keep-alive clients (GET and POST with a body), one connection per
 * request clients and slow requests, all the time, while the master reloads three times
 * (each time reading a changed file: a server added, then one removed) and a fourth time
 * with a broken file. Every request must get its own 200 answer, every request must be logged
 * exactly once (logs received over UDP, in a separate process so that the load generator
 * cannot make it miss datagrams), each former worker must exit after the last response it
 * sent, and the runtime API socket must move to the new worker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DIST } from '../helpers/paths.js';
import { freePort, startBackend, type Backend } from '../proxy/helpers/proxy-harness.js';

const BIN = path.join(DIST, 'bin', 'haloscope.js');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A UDP syslog receiver in its own process: one JSON line per datagram on stdout. */
function startCollector(): Promise<{ port: number; lines: string[]; stop(): Promise<void> }> {
  const script = `
    const dgram = require('node:dgram');
    const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 << 20 });
    s.on('message', (m) => process.stdout.write(JSON.stringify(m.toString('latin1').replace(/\\n$/, '')) + '\\n'));
    s.bind(0, '127.0.0.1', () => process.stdout.write('PORT ' + s.address().port + '\\n'));
    process.stdin.on('end', () => s.close(() => process.exit(0)));
    process.stdin.resume();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buf = '';
  return new Promise((resolve) => {
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const l = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (l.startsWith('PORT ')) resolve({ port: Number(l.slice(5)), lines, stop: () => new Promise((r) => (child.once('exit', () => r()), child.stdin!.end())) });
        else lines.push(JSON.parse(l) as string);
      }
    });
  });
}

/** The master's stderr (its workers write there too), line by line, with the time each line was read. */
function watchStderr(child: ChildProcess): { lines: { t: number; text: string }[]; waitFor(re: RegExp, count?: number, ms?: number): Promise<RegExpMatchArray[]> } {
  const lines: { t: number; text: string }[] = [];
  let buf = '';
  const waiters = new Set<() => void>();
  child.stderr!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      lines.push({ t: performance.now(), text: buf.slice(0, nl) });
      buf = buf.slice(nl + 1);
    }
    for (const w of waiters) w();
  });
  const matches = (re: RegExp): RegExpMatchArray[] => lines.map((l) => l.text.match(re)).filter((m): m is RegExpMatchArray => m !== null);
  return {
    lines,
    waitFor(re, count = 1, ms = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = matches(re);
          if (m.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(m);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${count}x ${re} on stderr:\n${lines.map((l) => l.text).join('\n')}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
  };
}

interface Outcome {
  readonly id: string;
  readonly kind: 'keep-alive' | 'new-conn' | 'slow' | 'post';
  readonly sentAt: number;
  readonly doneAt: number;
  readonly error: string | null;
}

function request(port: number, agent: http.Agent | false, id: string, kind: Outcome['kind'], ms: number, body: Buffer | null): Promise<Outcome> {
  const sentAt = performance.now();
  return new Promise((resolve) => {
    const done = (error: string | null): void => resolve({ id, kind, sentAt, doneAt: performance.now(), error });
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: `/r/${id}?ms=${ms}`,
        method: body ? 'POST' : 'GET',
        agent,
        headers: agent === false ? { connection: 'close' } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('latin1');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          const want = body ? `${id}:${body.length}` : id;
          done(res.statusCode === 200 && text === want ? null : `status ${res.statusCode}, body ${JSON.stringify(text.slice(0, 80))}`);
        });
        res.on('error', (e) => done(`response: ${e.message}`));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => done(`${e.code ?? ''} ${e.message}`));
    req.end(body ?? undefined);
  });
}

/** Clients that send requests back to back until stopped: keep-alive (one in four a POST with a body), a new connection per request, and 900 ms requests. */
function startLoad(port: number, counts: { keepAlive: number; newConn: number; slow: number }): { outcomes: Outcome[]; inFlightSlow(): number; sent(): number; stop(): Promise<void> } {
  const outcomes: Outcome[] = [];
  const agents: http.Agent[] = [];
  let running = true;
  let seq = 0;
  let slow = 0;
  const keepAlive = (): http.Agent => {
    const a = new http.Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(a);
    return a;
  };
  const loop = async (kind: 'ka-mixed' | 'new-conn' | 'slow', agent: http.Agent | false): Promise<void> => {
    while (running) {
      const n = seq++;
      const k: Outcome['kind'] = kind === 'ka-mixed' ? (n % 4 === 0 ? 'post' : 'keep-alive') : kind;
      if (k === 'slow') slow++;
      const o = await request(port, agent, `${k}-${n}`, k, k === 'slow' ? 900 : 0, k === 'post' ? Buffer.alloc(3000 + (n % 7) * 1000, 'x') : null);
      if (k === 'slow') slow--;
      outcomes.push(o);
      if (k === 'new-conn') await sleep(1); // a new connection per request, without exhausting ephemeral ports
    }
  };
  const loops = [
    ...Array.from({ length: counts.keepAlive }, () => loop('ka-mixed', keepAlive())),
    ...Array.from({ length: counts.newConn }, () => loop('new-conn', false)),
    ...Array.from({ length: counts.slow }, () => loop('slow', keepAlive())),
  ];
  return {
    outcomes,
    inFlightSlow: () => slow,
    sent: () => seq,
    async stop() {
      running = false;
      await Promise.all(loops);
      for (const a of agents) a.destroy();
    },
  };
}

/** Parses the request lines received by the collector: request id -> [pid, server] of each line; anything else in `others`. */
function requestLogs(lines: readonly string[]): { byId: Map<string, { pid: number; server: string }[]>; others: string[] } {
  const byId = new Map<string, { pid: number; server: string }[]>();
  const others: string[] = [];
  for (const l of lines) {
    const m = l.match(/haproxy\[(\d+)\]: \S+ \[[^\]]+\] fe app\/(\S+) \S+ 200 .* "(?:GET|POST) \/r\/([^? ]+)\?ms=\d+ HTTP\/1\.1"$/);
    if (m) {
      const list = byId.get(m[3]!) ?? [];
      list.push({ pid: Number(m[1]), server: m[2]! });
      byId.set(m[3]!, list);
    } else others.push(l);
  }
  return { byId, others };
}

async function waitForLogs(lines: readonly string[], n: number): Promise<void> {
  for (let i = 0; i < 100 && lines.filter((l) => l.includes(' /r/')).length < n; i++) await sleep(50);
  await sleep(200);
}

const handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string): void => {
  const u = new URL(req.url ?? '/', 'http://x');
  const id = u.pathname.slice(3);
  setTimeout(() => res.end(req.method === 'POST' ? `${id}:${body.length}` : id), Number(u.searchParams.get('ms') ?? 0));
};

function cli(sock: string, command: string): Promise<string> {
  return new Promise((res, rej) => {
    const s = net.connect(sock, () => s.write(command + '\n'));
    let d = '';
    s.on('data', (x: Buffer) => (d += x.toString('latin1')));
    s.on('error', rej);
    s.on('close', () => res(d));
  });
}

test('-W: three reloads under load fail no request, log each once; a broken file keeps the workers', { timeout: 90_000 }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-reload-'));
  const backends: Backend[] = [await startBackend(handler), await startBackend(handler), await startBackend(handler)];
  const collector = await startCollector();
  const port = await freePort();
  const sock = path.join(tmp, 'admin.sock');
  const cfgFile = path.join(tmp, 'haproxy.cfg');
  const servers = (names: string[]): string => names.map((n) => `  server ${n} 127.0.0.1:${backends['abc'.indexOf(n)]!.port} check inter 300ms\n`).join('');
  const cfg = (names: string[]): string =>
    `global\n  log 127.0.0.1:${collector.port} local0\n  stats socket ${sock} mode 600 level admin\n  hard-stop-after 30s\n` +
    `defaults\n  mode http\n  log global\n  option httplog\n  option idle-close-on-response\n  timeout client 10s\n  timeout server 10s\n  timeout connect 2s\n  timeout http-keep-alive 5s\n` +
    `frontend fe\n  bind 127.0.0.1:${port}\n  default_backend app\n` +
    `backend app\n  balance roundrobin\n${servers(names)}`;
  fs.writeFileSync(cfgFile, cfg(['a', 'b']));

  const master = spawn(process.execPath, [BIN, 'proxy', '-W', '-f', cfgFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  const err = watchStderr(master);
  const exited = new Promise<number | null>((r) => master.once('exit', (code) => r(code)));
  let load: ReturnType<typeof startLoad> | null = null;
  try {
    await err.waitFor(/Loading success\./);
    const workerPid = (n: number): Promise<number> => err.waitFor(/New worker \((\d+)\) forked/, n).then((m) => Number(m[n - 1]![1]));
    const gens = [await workerPid(1)];

    load = startLoad(port, { keepAlive: 4, newConn: 4, slow: 3 });
    const outcomes = load.outcomes;

    const reloads: { at: number; slowInFlight: number; retired: number }[] = [];
    const layouts = [['a', 'b'], ['a', 'b', 'c'], ['b', 'c']];
    for (let r = 0; r < 3; r++) {
      await sleep(1000);
      fs.writeFileSync(cfgFile, cfg(layouts[r]!));
      reloads.push({ at: performance.now(), slowInFlight: load.inFlightSlow(), retired: gens[gens.length - 1]! });
      master.kill('SIGUSR2');
      await err.waitFor(/Loading success\./, r + 2);
      gens.push(await workerPid(r + 2));
      // the runtime API answers from the new worker once the old one has let go of it
      let pid = '';
      for (let i = 0; i < 40 && pid !== String(gens[r + 1]); i++) {
        pid = (await cli(sock, 'show info')).match(/^Pid: (\d+)$/m)?.[1] ?? '';
        if (pid !== String(gens[r + 1])) await sleep(50);
      }
      assert.equal(pid, String(gens[r + 1]), `show info after reload ${r + 1}`);
    }

    // a broken file: the alert is printed and the running worker keeps serving
    await sleep(1000);
    fs.writeFileSync(cfgFile, cfg(['b', 'c']) + '  balanse roundrobin\n');
    master.kill('SIGUSR2');
    await err.waitFor(/Loading failure!/);
    const failedAt = performance.now();
    assert.ok(err.lines.some((l) => /unknown keyword 'balanse'/.test(l.text)), 'the configuration error is reported');
    await sleep(1500);
    await load.stop();
    assert.equal(err.lines.filter((l) => /New worker \(\d+\) forked/.test(l.text)).length, 4, 'no worker forked for the broken file');
    assert.doesNotThrow(() => process.kill(gens[3]!, 0), 'the current worker still runs');
    assert.equal((await cli(sock, 'show info')).match(/^Pid: (\d+)$/m)?.[1], String(gens[3]));

    // every request answered, none failed
    const failed = outcomes.filter((o) => o.error);
    const kinds = Object.fromEntries(['keep-alive', 'post', 'new-conn', 'slow'].map((k) => [k, outcomes.filter((o) => o.kind === k).length]));
    const figures = `${outcomes.length} requests (${JSON.stringify(kinds)}), ${failed.length} failed; slow requests in flight at each reload: ${reloads.map((r) => r.slowInFlight).join(', ')}`;
    process.stderr.write(`# reload test: ${figures}\n`);
    assert.deepEqual(failed.slice(0, 10), [], figures);
    assert.equal(outcomes.length, load.sent(), 'every request got an outcome');
    for (const r of reloads) assert.ok(r.slowInFlight > 0, 'slow requests were in flight at each reload');
    assert.ok(outcomes.filter((o) => o.sentAt > failedAt).length > 50, 'served after the broken reload');

    // former workers: exited 0 once their sessions were done
    const former = await err.waitFor(/Former worker \((\d+)\) exited with code (\S+)/, 3);
    assert.deepEqual(former.map((m) => [Number(m[1]), m[2]]).sort(), gens.slice(0, 3).map((p) => [p, '0']).sort());
    for (const p of gens.slice(0, 3)) assert.throws(() => process.kill(p, 0), /ESRCH/);
    // the former workers, gone, did not take the socket file with them
    assert.equal((await cli(sock, 'show info')).match(/^Pid: (\d+)$/m)?.[1], String(gens[3]), 'the stats socket outlives the former workers');
    assert.ok(!err.lines.some((l) => /is DOWN|no server available|exit-on-failure/.test(l.text)), 'health checks kept every server UP');

    master.kill('SIGTERM');
    assert.equal(await exited, 0);

    // logs: each request exactly once, by the worker that answered it
    await waitForLogs(collector.lines, outcomes.length);
    const { byId, others } = requestLogs(collector.lines);
    assert.deepEqual(
      outcomes.filter((o) => byId.get(o.id)?.length !== 1).map((o) => `${o.id}: ${byId.get(o.id)?.length ?? 0} lines`).slice(0, 10),
      [],
      'one log line per request',
    );
    assert.equal(byId.size, outcomes.length, 'no log line for a request that was not sent');
    // besides requests: only the soft-stop lines of the former workers (HAProxy's), no <BADREQ> or error
    const stopped = others.filter((l) => /haproxy\[\d+\]: Proxy (fe|app) stopped \(cumulated conns: FE: \d+, BE: \d+\)\.$/.test(l));
    assert.deepEqual(others.filter((l) => !stopped.includes(l)), []);
    assert.deepEqual(stopped.map((l) => Number(l.match(/haproxy\[(\d+)\]/)![1])).sort(), [...gens.slice(0, 3), ...gens.slice(0, 3)].sort());

    // each former worker answered requests after its reload began, and exited only after its last answer
    const doneBy = (pid: number): Outcome[] => outcomes.filter((o) => byId.get(o.id)![0]!.pid === pid);
    for (const [i, r] of reloads.entries()) {
      const mine = doneBy(r.retired);
      assert.ok(mine.some((o) => o.doneAt > r.at && o.kind === 'slow'), `worker ${r.retired} finished slow requests after reload ${i + 1}`);
      const exitLine = err.lines.find((l) => l.text.includes(`Former worker (${r.retired}) exited`))!;
      assert.ok(Math.max(...mine.map((o) => o.doneAt)) <= exitLine.t, `worker ${r.retired} exited after its last answer`);
    }
    // each generation used its own file: c only from the second reload on, a no more after the third
    const servers_ = (g: number): Set<string> => new Set(doneBy(gens[g]!).map((o) => byId.get(o.id)![0]!.server));
    assert.deepEqual([...servers_(1)].sort(), ['a', 'b']);
    assert.deepEqual([...servers_(2)].sort(), ['a', 'b', 'c']);
    assert.deepEqual([...servers_(3)].sort(), ['b', 'c']);
  } finally {
    await load?.stop();
    if (master.exitCode === null) master.kill('SIGTERM');
    await exited;
    await collector.stop();
    for (const b of backends) await b.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('-W: a new worker that cannot bind fails the reload without a failed request; the running one keeps serving', { timeout: 60_000 }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-reload-'));
  const backend = await startBackend(handler);
  const collector = await startCollector();
  const port = await freePort();
  // a port someone else listens on: the new worker gets the shared port first, then fails on this one
  const busy = net.createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  const busyPort = (busy.address() as net.AddressInfo).port;
  const cfgFile = path.join(tmp, 'haproxy.cfg');
  const cfg = (extraBind: string): string =>
    `global\n  log 127.0.0.1:${collector.port} local0\n` +
    `defaults\n  mode http\n  log global\n  option httplog\n  option idle-close-on-response\n  timeout client 10s\n  timeout server 10s\n  timeout connect 2s\n` +
    `frontend fe\n  bind 127.0.0.1:${port}\n${extraBind}  default_backend app\n` +
    `backend app\n  server a 127.0.0.1:${backend.port}\n`;
  fs.writeFileSync(cfgFile, cfg(''));
  const master = spawn(process.execPath, [BIN, 'proxy', '-W', '-f', cfgFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  const err = watchStderr(master);
  const exited = new Promise<number | null>((r) => master.once('exit', (code) => r(code)));
  let load: ReturnType<typeof startLoad> | null = null;
  try {
    await err.waitFor(/Loading success\./);
    const first = Number((await err.waitFor(/New worker \((\d+)\) forked/))[0]![1]);
    load = startLoad(port, { keepAlive: 3, newConn: 3, slow: 1 });
    for (let r = 0; r < 2; r++) {
      await sleep(700);
      fs.writeFileSync(cfgFile, cfg(`  bind 127.0.0.1:${busyPort}\n`));
      master.kill('SIGUSR2');
      await err.waitFor(/Loading failure!/, r + 1);
    }
    await sleep(700);
    await load.stop();
    const outcomes = load.outcomes;
    const failed = outcomes.filter((o) => o.error);
    assert.deepEqual(failed.slice(0, 10), [], `${outcomes.length} requests, ${failed.length} failed`);
    assert.ok(err.lines.some((l) => /cannot bind socket \(EADDRINUSE\)/.test(l.text)));
    assert.equal((await err.waitFor(/exited with code 1 \(Exit\) before listening/, 2)).length, 2);
    assert.equal(err.lines.filter((l) => /Loading success\./.test(l.text)).length, 1, 'no reload succeeded');
    assert.doesNotThrow(() => process.kill(first, 0), 'the first worker still runs');
    master.kill('SIGTERM');
    assert.equal(await exited, 0);
    await waitForLogs(collector.lines, outcomes.length);
    const { byId, others } = requestLogs(collector.lines);
    assert.deepEqual(outcomes.filter((o) => byId.get(o.id)?.length !== 1).map((o) => o.id).slice(0, 10), [], 'one log line per request');
    assert.equal(byId.size, outcomes.length);
    assert.deepEqual(others, []);
    // clients the failed workers got from the shared socket before failing were answered by them
    const byFailed = outcomes.filter((o) => byId.get(o.id)![0]!.pid !== first).length;
    process.stderr.write(`# failed-start test: ${outcomes.length} requests, ${failed.length} failed, ${byFailed} answered by the workers that failed to start\n`);
  } finally {
    await load?.stop();
    if (master.exitCode === null) master.kill('SIGTERM');
    await exited;
    await collector.stop();
    await backend.close();
    busy.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
