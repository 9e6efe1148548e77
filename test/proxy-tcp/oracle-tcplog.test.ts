/**
 * Differential test of `mode tcp` against real HAProxy 2.6: both proxies run the same
 * configuration (one `listen` per behaviour, plus a frontend/backend pair) against the same
 * real TCP backends, receive the same scripted connections, and must produce the same
 * `option tcplog` lines field by field (client port, pid, dates masked; timers: same -1
 * pattern, values close) and deliver the same bytes to the clients. Real halog must then read
 * our lines with zero parsing errors and print the same reports as for HAProxy's lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { freePort, haproxyAvailable, startHaproxy, startOurs, startSyslog, type SyslogReceiver } from '../proxy/helpers/proxy-harness.js';
import { sleep, startTcpBackend, tcpClient, type TcpBackend, type TcpOutcome } from './helpers/tcp-harness.js';

const LINE = /^(\S+):(\d+) \[(\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3})\] (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)$/;
const HEADER = /^<134>\w{3} [ \d]\d \d\d:\d\d:\d\d haproxy\[\d+\]: $/;
const LISTENS = ['probe', 'echo', 'banner', 'silent', 'cto', 'cto2', 'rst', 'dead', 'nosrv', 'half', 'queue', 'qto', 'redisp', 'rr', 'first', 'quiet', 'fe'] as const;
type Listen = (typeof LISTENS)[number];
type Ports = Record<Listen, number>;

interface Backends {
  echo: TcpBackend;
  banner: TcpBackend;
  silent: TcpBackend;
  rst: TcpBackend;
  eof: TcpBackend;
  a: TcpBackend;
  b: TcpBackend;
  dead: number;
}

function cfg(p: Ports, syslog: number, be: Backends): string {
  return `
global
  log 127.0.0.1:${syslog} local0
defaults
  mode tcp
  log global
  option tcplog
  retries 1
  timeout connect 300ms
  timeout client 2s
  timeout server 2s
listen probe
  bind 127.0.0.1:${p.probe}
  server p1 127.0.0.1:${be.echo.port}
listen echo
  bind 127.0.0.1:${p.echo}
  server e1 127.0.0.1:${be.echo.port}
listen banner
  bind 127.0.0.1:${p.banner}
  server b1 127.0.0.1:${be.banner.port}
listen silent
  bind 127.0.0.1:${p.silent}
  timeout server 500ms
  server s1 127.0.0.1:${be.silent.port}
listen cto
  bind 127.0.0.1:${p.cto}
  timeout client 400ms
  server c1 127.0.0.1:${be.silent.port}
listen cto2
  bind 127.0.0.1:${p.cto2}
  timeout client 400ms
  server c2 127.0.0.1:${be.echo.port}
listen rst
  bind 127.0.0.1:${p.rst}
  server r1 127.0.0.1:${be.rst.port}
listen dead
  bind 127.0.0.1:${p.dead}
  server d1 127.0.0.1:${be.dead}
listen nosrv
  bind 127.0.0.1:${p.nosrv}
  server n1 127.0.0.1:${be.echo.port} disabled
listen half
  bind 127.0.0.1:${p.half}
  server h1 127.0.0.1:${be.eof.port}
listen queue
  bind 127.0.0.1:${p.queue}
  timeout queue 3s
  server q1 127.0.0.1:${be.eof.port} maxconn 1
listen qto
  bind 127.0.0.1:${p.qto}
  timeout queue 150ms
  server t1 127.0.0.1:${be.echo.port} maxconn 1
listen redisp
  bind 127.0.0.1:${p.redisp}
  option redispatch
  server r1 127.0.0.1:${be.dead}
  server r2 127.0.0.1:${be.echo.port}
listen rr
  bind 127.0.0.1:${p.rr}
  balance roundrobin
  server a 127.0.0.1:${be.a.port}
  server b 127.0.0.1:${be.b.port}
listen first
  bind 127.0.0.1:${p.first}
  balance first
  server f1 127.0.0.1:${be.a.port} maxconn 1
  server f2 127.0.0.1:${be.b.port} maxconn 1
listen quiet
  bind 127.0.0.1:${p.quiet}
  option dontlognull
  server q1 127.0.0.1:${be.echo.port}
frontend fe
  bind 127.0.0.1:${p.fe}
  use_backend be_src if { src 127.0.0.0/8 }
  default_backend be_other
backend be_src
  server s1 127.0.0.1:${be.echo.port}
backend be_other
  server o1 127.0.0.1:${be.dead}
`;
}

interface Scenario {
  readonly name: string;
  readonly logs: number;
  run(p: Ports): Promise<TcpOutcome | TcpOutcome[]>;
  readonly loose?: boolean;
}

const write = (text: string, endAfterMs: number | null = 100) => (s: net.Socket) => {
  s.write(text);
  if (endAfterMs !== null) setTimeout(() => s.end(), endAfterMs);
};

const SCENARIOS: Scenario[] = [
  { name: 'echo, client closes first', logs: 1, run: (p) => tcpClient(p.echo, write('ping')) },
  { name: 'server banner, server closes first', logs: 1, run: (p) => tcpClient(p.banner, () => {}) },
  { name: 'server timeout', logs: 1, run: (p) => tcpClient(p.silent, write('x', null)) },
  // HAProxy logs the first event (cD), forwards the shutdown to the server and waits for it:
  // a server that closes on FIN ends the session at once, a silent one at its own timeout
  { name: 'client timeout, server closes on FIN', logs: 1, run: (p) => tcpClient(p.cto2, () => {}) },
  { name: 'client timeout, server ignores the FIN until timeout server', logs: 1, run: (p) => tcpClient(p.cto, () => {}) },
  { name: 'server resets', logs: 1, run: (p) => tcpClient(p.rst, write('x', null)) },
  { name: 'refused server after retries', logs: 1, run: (p) => tcpClient(p.dead, () => {}) },
  { name: 'no usable server', logs: 1, run: (p) => tcpClient(p.nosrv, () => {}) },
  { name: 'half-close: reply after the client FIN', logs: 1, run: (p) => tcpClient(p.half, write('abc', 0)) },
  {
    name: 'client resets during the transfer',
    logs: 1,
    run: (p) =>
      tcpClient(p.echo, (s) => {
        s.write('abc');
        setTimeout(() => s.resetAndDestroy(), 100);
      }),
  },
  {
    name: 'queueing at server maxconn',
    logs: 2,
    loose: true,
    run: async (p) => {
      const a = tcpClient(p.queue, (s) => {
        s.write('1');
        setTimeout(() => s.end(), 300);
      });
      await sleep(60);
      return Promise.all([a, tcpClient(p.queue, write('2', 0))]);
    },
  },
  {
    name: 'queue timeout',
    logs: 2,
    loose: true,
    run: async (p) => {
      const a = tcpClient(p.qto, write('1', 500));
      await sleep(60);
      return Promise.all([a, tcpClient(p.qto, write('2', null))]);
    },
  },
  { name: 'redispatch after a refused connection', logs: 1, run: (p) => tcpClient(p.redisp, write('r')) },
  {
    name: 'roundrobin over two servers',
    logs: 4,
    run: async (p) => {
      const out: TcpOutcome[] = [];
      for (let i = 0; i < 4; i++) out.push(await tcpClient(p.rr, write(`rr${i}`)));
      return out;
    },
  },
  {
    name: 'first: the second server only when the first is full',
    logs: 2,
    run: async (p) => {
      const a = tcpClient(p.first, write('f', 300));
      await sleep(60);
      return Promise.all([a, tcpClient(p.first, write('g'))]);
    },
  },
  {
    name: 'dontlognull: an empty connection is not logged, one with data is',
    logs: 1,
    run: async (p) => [await tcpClient(p.quiet, (s) => void s.end()), await tcpClient(p.quiet, write('data'))],
  },
  { name: 'frontend/backend: use_backend on src', logs: 1, run: (p) => tcpClient(p.fe, write('fe')) },
  {
    name: '1 MB upload and download, both directions at once',
    logs: 1,
    run: (p) =>
      tcpClient(p.echo, (s) => {
        s.write(Buffer.alloc(1 << 20, 'z'));
        s.end();
      }),
  },
];

/** Frontend, backend/server, bytes and termination state of each line of a halog output. */
const stable = (b: Buffer): string[] =>
  b
    .toString('latin1')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^.*?\] (\S+ \S+) \S+ (\S+ \S+) .*$/, '$1 $2'));

function timersClose(a: string, b: string, loose: boolean): boolean {
  const x = a.split('/').map(Number);
  const y = b.split('/').map(Number);
  return x.length === y.length && x.every((v, k) => {
    const w = y[k]!;
    if (v === -1 || w === -1) return v === w;
    return loose || Math.abs(v - w) <= Math.max(250, 0.5 * Math.max(v, w));
  });
}

/** Ports handed out in this file (both proxies' listeners and the dead server's port). */
const USED = new Set<number>();

interface RunResult {
  readonly lines: Buffer[][];
  readonly outcomes: string[];
}

async function runAll(start: (ports: Ports, text: string) => Promise<() => Promise<void>>, be: Backends): Promise<RunResult> {
  const syslog: SyslogReceiver = await startSyslog();
  const ports = {} as Ports;
  // freePort() may hand out a port twice (it closes its probe socket): HAProxy would then
  // bind two listeners on one port (SO_REUSEPORT) and share connections between them
  for (const l of LISTENS) {
    let port = await freePort();
    while (USED.has(port)) port = await freePort();
    USED.add(port);
    ports[l] = port;
  }
  const stop = await start(ports, cfg(ports, syslog.port, be));
  const isTraffic = (m: Buffer): boolean => {
    const s = m.toString('latin1');
    return LINE.test(s.slice(s.indexOf(']: ') + 3, -1)) && !s.includes('] probe probe/');
  };
  const lines: Buffer[][] = [];
  const outcomes: string[] = [];
  try {
    for (const s of SCENARIOS) {
      const before = syslog.messages.length;
      const got = await s.run(ports);
      outcomes.push(JSON.stringify([got].flat().map((o) => ({ len: o.data.length, head: o.data.subarray(0, 40).toString('latin1'), ended: o.ended }))));
      const traffic = (): Buffer[] => syslog.messages.slice(before).filter(isTraffic);
      while (traffic().length < s.logs) await syslog.waitFor(syslog.messages.length + 1);
      // an unexpected extra line would arrive now; and both proxies release the connection
      // before the next scenario, whose line counts active connections (HAProxy logged
      // actconn 2 once, the previous session not yet released after 30 ms)
      await sleep(120);
      lines.push(traffic());
    }
  } finally {
    await stop();
    syslog.close();
  }
  return { lines, outcomes };
}

test('mode tcp: our tcplog lines match real HAProxy 2.6 field by field, and halog reads them', { timeout: 25_000 }, async (t) => {
  if (!haproxyAvailable()) {
    if (process.env.CI) assert.fail('haproxy is required in CI (/usr/sbin/haproxy)');
    t.skip('haproxy not installed at /usr/sbin/haproxy');
    return;
  }
  const be: Backends = {
    echo: await startTcpBackend('echo'),
    banner: await startTcpBackend('banner'),
    silent: await startTcpBackend('silent'),
    rst: await startTcpBackend('rst'),
    eof: await startTcpBackend('reply-after-eof'),
    a: await startTcpBackend('named', 'A'),
    b: await startTcpBackend('named', 'B'),
    dead: await freePort(),
  };
  USED.add(be.dead);
  try {
    const [theirs, ours] = await Promise.all([
      runAll(async (ports, text) => {
        const h = await startHaproxy(text, ports.probe);
        return () => h.stop();
      }, be),
      runAll(async (_ports, text) => {
        const p = await startOurs(text);
        return async () => p.stop();
      }, be),
    ]);
    const problems: string[] = [];
    const names = ['ip', 'port', 'date', 'frontend', 'backend/server', 'timers', 'bytes', 'termination', 'connections', 'queues'];
    SCENARIOS.forEach((s, k) => {
      if (theirs.outcomes[k] !== ours.outcomes[k]) problems.push(`${s.name}: clients got ${theirs.outcomes[k]} through haproxy, ${ours.outcomes[k]} through ours`);
      const h = theirs.lines[k]!;
      const o = ours.lines[k]!;
      if (h.length !== s.logs || o.length !== s.logs) return problems.push(`${s.name}: expected ${s.logs} lines, haproxy ${h.length}, ours ${o.length}`);
      h.forEach((hm, j) => {
        const hs = hm.toString('latin1');
        const os = o[j]!.toString('latin1');
        assert.ok(os.endsWith('\n'), 'datagram ends with LF');
        const oi = os.indexOf(']: ');
        if (!HEADER.test(os.slice(0, oi + 3))) problems.push(`${s.name}: bad syslog header ${JSON.stringify(os.slice(0, oi + 3))}`);
        const hf = LINE.exec(hs.slice(hs.indexOf(']: ') + 3, -1))!.slice(1);
        const of = LINE.exec(os.slice(oi + 3, -1))!.slice(1);
        names.forEach((n, i) => {
          if (n === 'port' || n === 'date') return;
          const a = hf[i]!;
          const b = of[i]!;
          if (n === 'timers' ? !timersClose(a, b, s.loose ?? false) : a !== b) problems.push(`${s.name} [${j}] ${n}: haproxy ${JSON.stringify(a)} ours ${JSON.stringify(b)}`);
        });
      });
    });
    if (problems.length && process.env.HX_ORACLE_DEBUG)
      SCENARIOS.forEach((sc, k) => console.log(sc.name, '\n  H', theirs.lines[k]!.map((m) => m.toString('latin1')).join('  H '), '\n  O', ours.lines[k]!.map((m) => m.toString('latin1')).join('  O ')));
    assert.deepEqual(problems, []);

    // halog reads syslog files: strip <PRI> and add the host name as rsyslog would. It has no
    // TCP-aware report; these modes accept tcplog lines (the HTTP ones count them as errors).
    const file = (lines: Buffer[][]): Buffer =>
      Buffer.from(
        lines
          .flat()
          .map((m) => m.toString('latin1').replace(/^<\d+>(.{15}) /, '$1 localhost '))
          .join(''),
        'latin1',
      );
    for (const flag of [['-c'], ['-st'], ['-tc'], ['-e'], ['-E'], ['-cc'], ['-srv', '-H']]) {
      const ro = spawnSync('/usr/bin/halog', flag, { input: file(ours.lines) });
      const rt = spawnSync('/usr/bin/halog', flag, { input: file(theirs.lines) });
      assert.match(ro.stderr.toString(), / 0 parsing errors|^$/, `halog ${flag.join(' ')}: ${ro.stderr}`);
      // stderr: per-line notes (which quote whole lines, ports included), then the counts
      const summary = (b: Buffer): string => b.toString().split('\n').filter(Boolean).map((l) => l.replace(/:.*/, '')).join('\n');
      assert.equal(summary(ro.stderr), summary(rt.stderr), `halog ${flag.join(' ')}: same notes and counts`);
      if (flag[0] === '-e' || flag[0] === '-E')
        // filters print the selected lines themselves: the same ones (by their stable fields)
        assert.deepEqual(stable(ro.stdout), stable(rt.stdout), `halog ${flag.join(' ')}: same lines selected`);
      else if (flag[0] !== '-srv') assert.equal(ro.stdout.toString(), rt.stdout.toString(), `halog ${flag.join(' ')}: same report`);
    }
  } finally {
    for (const b of Object.values(be)) if (typeof b === 'object') await b.close();
  }
});
