/**
 * The runtime API against real HAProxy 2.6, both driven with `socat - UNIX-CONNECT:<sock>` as
 * an operator would: the same configuration (stats sockets at levels admin, operator and user
 * in a temporary directory), the same commands in the same order, and the answers compared
 * byte for byte after normalizing only what legitimately differs:
 * - `srv_time_since_last_change` of `show servers state`: seconds since a change, which the
 *   two processes see a few milliseconds apart (it can straddle a second);
 * - `show sess`: stream ids (HAProxy prints addresses), client ports (each proxy has its own
 *   clients), the age (a second boundary apart), and what HAProxy prints after `age=`
 *   (scheduler and buffer internals haloscope does not have; the line stops there);
 * - `show info`: Name/Version (which program answers), Pid, Uptime*, Start_time_sec, and
 *   CumConns (HAProxy also counts the harness's readiness probe); haloscope leaves out the
 *   fields it has no value for, so its names must be HAProxy's, in HAProxy's order;
 * - `help` and unknown commands: haloscope lists its own commands only, each with HAProxy's
 *   exact usage line, under HAProxy's exact first and last lines.
 * Then drain, weight and maintenance must move real requests the same way on both, counted by
 * the backend servers themselves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { requireTool, socat } from '../helpers/real-tools.js';
import { freePort, startHaproxy, startOurs } from '../proxy/helpers/proxy-harness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A backend server that counts the requests it gets and answers its name; `?d=<ms>` delays. */
interface CountingServer {
  readonly port: number;
  hits: number;
  close(): void;
}
async function countingServer(name: string): Promise<CountingServer> {
  const state = { hits: 0 };
  const srv = http.createServer((req, res) => {
    state.hits++;
    const d = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('d') ?? 0);
    setTimeout(() => res.end(name), d);
  });
  srv.keepAliveTimeout = 100;
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return {
    port: (srv.address() as net.AddressInfo).port,
    get hits() {
      return state.hits;
    },
    set hits(v: number) {
      state.hits = v;
    },
    close: () => srv.close(),
  };
}

/** A GET with its own connection; resolves with the body and the client port used. */
function get(port: number, pathname: string, cookie?: string): { port: Promise<number>; body: Promise<string> } {
  let setPort!: (p: number) => void;
  const portP = new Promise<number>((r) => (setPort = r));
  const body = new Promise<string>((res, rej) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathname, agent: false, headers: { Connection: 'close', ...(cookie ? { Cookie: cookie } : {}) } }, (r) => {
      let b = '';
      r.on('data', (d: Buffer) => (b += d.toString()));
      r.on('end', () => res(b));
    });
    req.on('socket', (s) => s.on('connect', () => setPort(s.localPort!)));
    req.on('error', rej);
    req.end();
  });
  return { port: portP, body };
}

const LEVELS = ['admin', 'oper', 'user'] as const;
type Level = (typeof LEVELS)[number];

interface Side {
  readonly name: 'haproxy' | 'ours';
  readonly port: number;
  readonly listenPort: number;
  readonly sock: Record<Level, string>;
  readonly a: CountingServer;
  readonly b: CountingServer;
  readonly c: CountingServer;
  stop(): Promise<void>;
}

async function startSide(name: Side['name'], dir: string): Promise<Side> {
  const [a, b, c] = await Promise.all([countingServer('a'), countingServer('b'), countingServer('c')]);
  const port = await freePort();
  const listenPort = await freePort();
  const sock = { admin: path.join(dir, `${name}-admin.sock`), oper: path.join(dir, `${name}-oper.sock`), user: path.join(dir, `${name}-user.sock`) };
  const text = `
global
  nbthread 1
  maxconn 1000
  stats socket ${sock.admin} mode 600 level admin
  stats socket ${sock.oper} level operator
  stats socket ${sock.user} level user
defaults
  mode http
  timeout client 5s
  timeout server 5s
  timeout connect 1s
frontend fe
  bind 127.0.0.1:${port}
  default_backend app
backend app
  balance roundrobin
  cookie SRV insert indirect
  server a 127.0.0.1:${a.port} cookie a check inter 300ms
  server b 127.0.0.1:${b.port} cookie b
  server c 127.0.0.1:${c.port} cookie c disabled
listen st
  bind 127.0.0.1:${listenPort}
  balance static-rr
  server s1 127.0.0.1:${c.port} weight 5
`;
  const stopProxy = name === 'haproxy' ? (await startHaproxy(text, port)).stop : ((p) => async () => p.stop())(await startOurs(text));
  return {
    name,
    port,
    listenPort,
    sock,
    a,
    b,
    c,
    async stop() {
      await stopProxy();
      for (const s of [a, b, c]) s.close();
    },
  };
}

/**
 * `srv_time_since_last_change` (10th field of each server line) depends on when each process
 * looked; `srv_port` (19th) is the port of each side's own backend servers.
 */
const normServersState = (s: string): string => s.replace(/^((?:\S+ ){9})\d+ ((?:\S+ ){8})\d+ /gm, '$1T $2P ');

test('runtime API: same answers as haproxy 2.6 over socat, and drain/weight/maint steer real requests alike', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'haproxy') || !requireTool(t, 'socat')) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-rtapi-'));
  const [h, o] = await Promise.all([startSide('haproxy', dir), startSide('ours', dir)]);
  try {
    // one command line on both, haproxy first (the same order on both keeps their state alike)
    const both = async (line: string, level: Level = 'admin'): Promise<[string, string]> => [await socat(h.sock[level], line + '\n'), await socat(o.sock[level], line + '\n')];
    const same = async (line: string, level: Level = 'admin', norm: (s: string) => string = (s) => s): Promise<string> => {
      const [hs, os_] = await both(line, level);
      assert.equal(norm(os_), norm(hs), `answer to '${line}' at level ${level}`);
      return os_;
    };
    /**
     * The same, once both agree: right after a change the next health check of server a (every
     * 300ms) runs at each process's own time, and a line read while a check is in flight says
     * so (check result 0, state +1), on both.
     */
    const settled = async (line: string, norm: (s: string) => string): Promise<void> => {
      for (let i = 0; ; i++) {
        const [hs, os_] = await both(line);
        if (norm(os_) === norm(hs) || i === 20) return assert.equal(norm(os_), norm(hs), `answer to '${line}'`);
        await sleep(100);
      }
    };
    // the first checks of server a have run on both
    await sleep(700);

    await t.test('messages and formats, byte for byte', async () => {
      await same('show cli level');
      await settled('show servers state', normServersState);
      await settled('show servers state app', normServersState);
      for (const line of [
        'show servers state zz',
        'show servers state fe',
        'get weight app/a',
        'set server app/a weight',
        'set server app/a weight abc; get weight app/a',
        'set server app/a weight 3x',
        'set server app/a weight 300',
        'set server app/a weight -1',
        'set server app/a weight -5%',
        'set server app/a weight 50%; get weight app/a',
        'set server app/a weight 200%; get weight app/a',
        'set server st/s1 weight 2',
        'set server st/s1 weight 0; get weight st/s1',
        'set server st/s1 weight 100%; get weight st/s1',
        'set weight app/a 7; get weight app/a',
        'set weight app/a 1',
        'set server app/a state bogus',
        'set server app/zz state maint',
        'set server zz/a state maint',
        'set server app state maint',
        'set server app/a',
        'set server app/a foo',
        'get weight app',
        'get weight zz/a',
        'get weight app/zz',
        'get weight /a',
        'get weight #3/#2',
        'disable server app/zz',
        'enable server',
        'operator; show cli level; set server app/a weight 1; user; show cli level; show sess; operator',
        'operator -;show cli level',
        'show cli level;quit;show cli level',
        'show sess 0x123456',
        'show stat desc',
      ]) {
        // haloscope rejects the show stat/info options it lacks instead of ignoring them
        if (line === 'show stat desc') {
          const [hs, os_] = await both(line);
          assert.match(hs, /^# pxname/);
          assert.equal(os_, "'show stat desc' is not supported by haloscope; use 'show stat'.\n\n");
          continue;
        }
        await same(line);
      }
      // an empty command after `;`, an escaped `;`: the same answers up to the command list
      // (haproxy lists its own commands, haloscope its own: see the help test)
      const untilList = (a: string): string => a.slice(0, a.indexOf('\n', a.indexOf('Unknown command')) + 1);
      for (const line of ['show cli level;', 'show cli level\\;x']) {
        const [hs, os_] = await both(line);
        assert.equal(untilList(os_), untilList(hs), line);
        assert.ok(untilList(hs).includes('Unknown command'));
      }
      // maintenance, drain and back, with a checked server (health and check state follow)
      await same('set server app/b state drain; set server app/a state maint');
      await settled('show servers state', normServersState);
      await same('set server app/a state drain; set server app/b state ready; set server app/c state ready');
      // out of maintenance a checked server is UP at health `rise` until its next check, which
      // each process runs at its own time: compare once it ran on both (inter 300ms)
      await sleep(700);
      await settled('show servers state', normServersState);
      await same('set server app/c state maint; set server app/a state ready');
      await settled('show servers state', normServersState);
      await same('set server app/c state ready; disable server app/b; enable server app/b');
      await settled('show servers state', normServersState);
      // a prompt session: `> ` after each answer until quit
      await same('prompt\nshow cli level\nget weight app/b; show cli level\nquit');
    });

    await t.test('permissions per level, as haproxy', async () => {
      const denied = (s: string): string => (s === 'Permission denied\n\n' ? 'denied' : 'allowed');
      const commands = [
        'show info',
        'show stat',
        'show servers state',
        'show sess',
        'get weight app/b',
        'show cli level',
        'set server app/b weight 1',
        'set weight app/b 1',
        'set server app/b state ready',
        'disable server app/c',
        'enable server app/c',
        'operator',
        'user',
      ];
      for (const level of LEVELS)
        for (const c of commands) {
          const [hs, os_] = await both(c, level);
          assert.equal(denied(os_), denied(hs), `'${c}' at level ${level}`);
          if (c === 'show cli level' || hs === 'Permission denied\n\n') assert.equal(os_, hs);
        }
    });

    await t.test('help and unknown commands: HAProxy usage lines, the same list at every level', async () => {
      const split = (s: string): { head: string; lines: string[]; tail: string } => {
        const l = s.split('\n');
        return { head: l[0]!, lines: l.slice(1, -5), tail: l.slice(-5).join('\n') };
      };
      let ourList: string[] | null = null;
      for (const level of LEVELS) {
        const [hs, os_] = await both('help', level);
        const hh = split(hs);
        const oo = split(os_);
        assert.equal(oo.head, hh.head);
        assert.equal(oo.tail, hh.tail);
        for (const line of oo.lines) assert.ok(hh.lines.includes(line), `'${line}' is one of haproxy's usage lines`);
        assert.deepEqual(oo.lines, [...oo.lines].sort(), 'sorted like haproxy');
        ourList ??= oo.lines;
        assert.deepEqual(oo.lines, ourList, 'haproxy lists the same commands at every level');
        assert.ok(oo.lines.length >= 12);
      }
      // haproxy compares the unknown word with its own (longer) command list, so the proposals
      // may differ; each one proposed must be one of haproxy's usage lines
      const all = split((await both('help'))[0]).lines;
      for (const line of ['help show', 'help set server', 'bogus', 'show', 'set', 'get', '', 'show cli levle', 'set servr app/a state ready']) {
        const [hs, os_] = await both(line);
        const hh = split(hs);
        const oo = split(os_);
        assert.equal(oo.head, hh.head, `first line for '${line}'`);
        assert.equal(oo.tail, hh.tail);
        for (const l of oo.lines) assert.ok(all.includes(l), `'${l}' is a haproxy usage line`);
        if (line.startsWith('help')) for (const l of oo.lines) assert.ok(hh.lines.includes(l), `'${l}' listed by haproxy for '${line}'`);
      }
      // an exact keyword set gives exactly HAProxy's list
      assert.equal((await both('help set server'))[1], (await both('help set server'))[0]);
      assert.equal((await both('help get weight'))[1], (await both('help get weight'))[0]);
    });

    await t.test('show info: HAProxy field names in its order, same values where they do not depend on the process', async () => {
      const fields = (s: string): [string, string][] =>
        s
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]);
      const [hs, os_] = await both('show info');
      const hf = fields(hs);
      const of = fields(os_);
      const hNames = hf.map(([k]) => k);
      let at = -1;
      for (const [k] of of) {
        const i = hNames.indexOf(k);
        assert.ok(i > at, `'${k}' is a haproxy field, after the previous one`);
        at = i;
      }
      const hv = new Map(hf);
      const differs = new Set(['Name', 'Version', 'Pid', 'Uptime', 'Uptime_sec', 'Start_time_sec', 'CumConns']);
      for (const [k, v] of of) if (!differs.has(k)) assert.equal(v, hv.get(k), `show info ${k}`);
      assert.equal(new Map(of).get('Name'), 'haloscope');
      assert.match(new Map(of).get('Uptime')!, /^0d 0h00m\d\ds$/);
      assert.ok(os_.endsWith('\n\n'));
    });

    await t.test('show sess: one line per stream, HAProxy fields up to age=', async () => {
      await both('set server app/b state ready; set server app/a state ready');
      const slow = async (side: Side): Promise<number[]> => {
        const r1 = get(side.port, '/?d=1500', 'SRV=b');
        const p1 = await r1.port;
        await sleep(50);
        const r2 = get(side.listenPort, '/?d=1500');
        const p2 = await r2.port;
        void r1.body.catch(() => {});
        void r2.body.catch(() => {});
        return [p1, p2];
      };
      const hp = await slow(h);
      const op = await slow(o);
      await sleep(300);
      const [hs, os_] = await both('show sess', 'oper');
      const norm = (s: string, ports: number[]): string[][] =>
        s
          .split('\n')
          .filter(Boolean)
          .map((l) => {
            const w = l.split(' ');
            w[0] = '<id>:';
            const src = w[2]!.match(/^src=127\.0\.0\.1:(\d+)$/);
            if (src) w[2] = `src=127.0.0.1:<client ${ports.indexOf(Number(src[1]))}>`;
            assert.match(w[8]!, /^age=\d+s$/);
            w[8] = 'age=<t>';
            return w;
          });
      const hl = norm(hs, hp);
      const ol = norm(os_, op);
      assert.equal(ol.length, 3, 'two requests in flight and the CLI itself');
      assert.equal(ol.length, hl.length);
      // haloscope's line is HAProxy's up to age=
      for (let i = 0; i < ol.length; i++) assert.deepEqual(ol[i], hl[i]!.slice(0, ol[i]!.length));
      assert.deepEqual(ol.map((w) => w.length), [9, 9, 9]);
      // a second listing: the CLI's epoch moved, the streams' did not
      const [hs2, os2] = await both('show sess', 'admin');
      assert.deepEqual(norm(os2, op).map((w) => w.slice(0, 8)), norm(hs2, hp).map((w) => w.slice(0, 8)));
      assert.match(os2, /fe=GLOBAL be=<NONE> srv=<none> ts=00 epoch=0x\d+ /);
      await sleep(1500);
    });

    await t.test('drain, weight and maintenance steer real requests the same way', async () => {
      await same('set server app/c state maint; set server app/a state ready; set server app/b state ready; set server app/a weight 3; set server app/b weight 1');
      const run = async (side: Side, n: number, cookie?: string): Promise<string> => {
        let out = '';
        for (let i = 0; i < n; i++) out += await get(side.port, '/', cookie).body;
        return out;
      };
      const count = (side: Side): string => `a=${side.a.hits} b=${side.b.hits}`;
      const reset = (): void => {
        for (const s of [h, o]) for (const x of [s.a, s.b]) x.hits = 0;
      };
      const stat = async (): Promise<void> => {
        const cols = ['pxname', 'svname', 'status', 'weight', 'act', 'bck', 'chkdown', 'uweight'];
        const pick = (csv: string): string[] => {
          const lines = csv.split('\n').filter(Boolean);
          const names = lines[0]!.slice(2).split(',');
          return lines.slice(1).map((l) => cols.map((c) => l.split(',')[names.indexOf(c)]).join(','));
        };
        const [hs, os_] = await both('show stat');
        assert.deepEqual(pick(os_), pick(hs));
      };

      // weights 3:1
      reset();
      const [hw, ow] = [await run(h, 8), await run(o, 8)];
      assert.equal(count(o), count(h));
      assert.equal(count(o), 'a=6 b=2');
      assert.equal([...ow].sort().join(''), [...hw].sort().join(''));
      await stat();

      // drain b: no new traffic, except a client whose cookie names b
      await same('set server app/b state drain');
      await stat();
      reset();
      await run(h, 4);
      await run(o, 4);
      assert.equal(count(o), count(h));
      assert.equal(count(o), 'a=4 b=0');
      assert.deepEqual([await run(h, 2, 'SRV=b'), await run(o, 2, 'SRV=b')], ['bb', 'bb'], 'persistent requests still reach a draining server');

      // a request in flight on a server that starts draining completes there
      await same('set server app/b state ready');
      const inflight = [get(h.port, '/?d=400', 'SRV=b').body, get(o.port, '/?d=400', 'SRV=b').body];
      await sleep(100);
      await same('set server app/b state drain');
      assert.deepEqual(await Promise.all(inflight), ['b', 'b']);

      // maintenance: even the persistent client goes elsewhere
      await same('set server app/b state maint');
      await stat();
      assert.deepEqual([await run(h, 2, 'SRV=b'), await run(o, 2, 'SRV=b')], ['aa', 'aa']);

      // weight 0 on a, b ready: everything to b; then 50% of a's initial weight back
      await same('set server app/b state ready; set server app/a weight 0');
      await stat();
      reset();
      await run(h, 3);
      await run(o, 3);
      assert.equal(count(o), count(h));
      assert.equal(count(o), 'a=0 b=3');
      await same('set server app/a weight 100%; set server app/b weight 1');
      reset();
      await run(h, 4);
      await run(o, 4);
      assert.equal(count(o), count(h));
      assert.equal(count(o), 'a=2 b=2');
      await stat();
    });
  } finally {
    await Promise.all([h.stop(), o.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
