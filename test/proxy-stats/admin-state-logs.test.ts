/**
 * What HAProxy 2.6 logs when the runtime API puts servers in maintenance or drain, or takes
 * them out: the same commands, over socat, to real haproxy and to ours, and the same syslog
 * lines (priority and message) in the same order. The sequence goes through every message of
 * server.c srv_update_status that a server without tracking can produce: entering and leaving
 * maintenance from UP, from DOWN (a failing check) and from drain, `drain` out of maintenance
 * (which also says the server remains draining), a backup server, a `disabled` one, commands
 * that change nothing, and a backend losing its last server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { requireTool, socat } from '../helpers/real-tools.js';
import { freePort, splitSyslog, startHaproxy, startOurs, startSyslog, type SyslogReceiver } from '../proxy/helpers/proxy-harness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Side {
  readonly sock: string;
  readonly syslog: SyslogReceiver;
  stop(): Promise<void>;
}

async function startSide(name: 'haproxy' | 'ours', dir: string, up: number, dead: number): Promise<Side> {
  const syslog = await startSyslog();
  const port = await freePort();
  const sock = path.join(dir, `${name}.sock`);
  const text = `
global
  nbthread 1
  stats socket ${sock} level admin
  log 127.0.0.1:${syslog.port} local0
defaults
  mode http
  log global
  option httplog
  timeout client 5s
  timeout server 5s
  timeout connect 1s
frontend fe
  bind 127.0.0.1:${port}
  default_backend app
backend app
  server a1 127.0.0.1:${up}
  server a2 127.0.0.1:${dead} check inter 200ms fall 1 rise 1
  server a3 127.0.0.1:${up} disabled
  server b1 127.0.0.1:${up} backup
backend solo
  server s1 127.0.0.1:${up}
`;
  const stop = name === 'haproxy' ? (await startHaproxy(text, port)).stop : ((p) => async () => p.stop())(await startOurs(text));
  return {
    sock,
    syslog,
    async stop() {
      await stop();
      syslog.close();
    },
  };
}

/**
 * `<pri>message` of every state-change line received so far, check durations masked (they are
 * timings); traffic lines (the harness's readiness probe) left out.
 */
const lines = (s: Side): string[] =>
  s.syslog.messages
    .map((m) => {
      const { header, message } = splitSyslog(m);
      return `${header.slice(0, header.indexOf('>') + 1)}${message.replace(/check duration: \d+ms/, 'check duration: Nms')}`;
    })
    .filter((l) => /^<\d+>(Backup )?Server |^<\d+>backend /.test(l));

/** Waits for the `n`th line matching `what`. */
async function until(s: Side, what: RegExp, n = 1, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (lines(s).filter((l) => what.test(l)).length < n) {
    if (Date.now() > end) throw new Error(`no line matching ${what} in:\n${lines(s).join('\n')}`);
    await sleep(20);
  }
}

test('set server state maint|drain|ready, disable/enable server: the log lines of real HAProxy 2.6', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'haproxy') || !requireTool(t, 'socat')) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-admlog-'));
  const backend = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
  const up = (backend.address() as net.AddressInfo).port;
  const dead = await freePort();
  const [h, o] = await Promise.all([startSide('haproxy', dir, up, dead), startSide('ours', dir, up, dead)]);
  try {
    // the failing check takes a2 down first, on both
    await Promise.all([until(h, /a2 is DOWN/), until(o, /a2 is DOWN/)]);
    const both = async (command: string): Promise<void> => {
      const [ha, oa] = await Promise.all([socat(h.sock, command + '\n'), socat(o.sock, command + '\n')]);
      assert.equal(oa, ha, `answer to '${command}'`);
      await sleep(120);
    };
    for (const c of [
      'set server app/a1 state drain',
      'set server app/a1 state ready',
      'set server app/a1 state maint',
      'set server app/a1 state maint',
      'set server app/a1 state drain',
      'set server app/a1 state drain',
      'set server app/a1 state ready',
      'set server app/a1 state ready',
      'set server app/a1 state drain',
      'set server app/a1 state maint',
      'set server app/a1 state ready',
      'set server app/a2 state drain',
      'set server app/a2 state ready',
      'set server app/a2 state maint',
      'set server app/a3 state drain',
      'set server app/b1 state maint',
      'set server app/b1 state ready',
      'disable server app/a1',
      'disable server app/a3',
      'set server app/b1 state drain',
      'set server app/b1 state ready',
      'set server solo/s1 state maint',
      'set server solo/s1 state drain',
      'set server solo/s1 state ready',
      'enable server app/a1',
      'enable server app/a3',
    ]) {
      await both(c);
    }
    // out of maintenance a2 is UP until its next check fails
    await both('set server app/a2 state ready');
    await Promise.all([until(h, /a2 is DOWN/, 2), until(o, /a2 is DOWN/, 2)]);
    await sleep(300);
    const theirs = lines(h);
    const ours = lines(o);
    assert.deepEqual(ours, theirs);
    // the sequence did reach every kind of message
    for (const m of ['enters drain state', 'is going DOWN for maintenance', 'was DOWN and now enters maintenance', 'UP/READY (leaving forced maintenance)', 'UP/DRAIN (leaving forced maintenance)', 'remains in forced drain mode', 'is UP (leaving forced drain)', 'is DOWN (leaving forced drain)', 'Backup Server app/b1', 'Running on backup', 'backend solo has no server available!']) {
      assert.ok(ours.some((l) => l.includes(m)), `no line with '${m}'`);
    }
  } finally {
    await Promise.all([h.stop(), o.stop()]);
    backend.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
