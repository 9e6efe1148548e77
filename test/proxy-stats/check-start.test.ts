/**
 * Checked servers before their first check result, against real HAProxy 2.6: a server starts
 * UP at health `rise` ("UP 1/3"), so its first failed check takes it DOWN even with `fall 3`;
 * until a result comes its check status is INI ("* INI" while the check is in flight) and its
 * description "Initializing".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { freePort, haproxyAvailable, raw, startHaproxy, startOurs } from '../proxy/helpers/proxy-harness.js';
import { parseCsv } from './stats-csv.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const COLUMNS = ['status', 'check_status', 'check_code', 'check_desc', 'last_chk', 'chkfail', 'chkdown', 'check_health'] as const;

function cfg(port: number, hang: number, refused: number): string {
  return `
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:${port}
  stats enable
  stats uri /stats
  default_backend b
backend b
  option httpchk GET /
  server refused 127.0.0.1:${refused} check inter 5000 fall 3
  server hangs1 127.0.0.1:${hang} check inter 5000
  server hangs2 127.0.0.1:${hang} check inter 5000
`;
}

/** The check columns of each server row of a `;csv` export, by server name. */
function checkColumns(response: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const row of parseCsv(response).rows) {
    if (row.svname === 'FRONTEND' || row.svname === 'BACKEND') continue;
    out.set(row.svname!, Object.fromEntries(COLUMNS.map((c) => [c, row[c] ?? ''])));
  }
  return out;
}

async function scrape(kind: 'haproxy' | 'ours', hang: number, refused: number): Promise<Map<string, Record<string, string>>> {
  const port = await freePort();
  const text = cfg(port, hang, refused);
  const stop = kind === 'haproxy' ? (await startHaproxy(text, port)).stop : (await startOurs(text)).stop;
  try {
    // first checks are spread over the interval in server order: the refused server's, at
    // once, has failed; the hanging servers' cannot end before their 5 s timeout
    await sleep(1000);
    return checkColumns((await raw(port, ['GET /stats;csv HTTP/1.0\r\n\r\n'])).text);
  } finally {
    await stop();
  }
}

test('servers before their first check result: UP 1/3, INI, and DOWN at the first failure, as in HAProxy 2.6', { timeout: 20_000 }, async (t) => {
  if (!haproxyAvailable()) {
    if (process.env.CI) assert.fail('haproxy is required in CI (/usr/sbin/haproxy)');
    t.skip('haproxy not installed at /usr/sbin/haproxy');
    return;
  }
  const holder = net.createServer((c) => c.on('data', () => {}));
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
  const hang = (holder.address() as net.AddressInfo).port;
  const refused = await freePort();
  try {
    const [h, o] = await Promise.all([scrape('haproxy', hang, refused), scrape('ours', hang, refused)]);
    // when each hanging check starts is spread over the interval: in flight or not yet is timing
    const timeless = (m: Map<string, Record<string, string>>): Map<string, Record<string, string>> =>
      new Map([...m].map(([k, v]) => [k, { ...v, check_status: v.check_status!.replace(/^\* /, '') }]));
    assert.deepEqual(timeless(o), timeless(h));
    assert.deepEqual(o.get('refused'), { status: 'DOWN', check_status: 'L4CON', check_code: '', check_desc: 'Layer4 connection problem', last_chk: 'Connection refused', chkfail: '1', chkdown: '1', check_health: '0' });
    assert.equal(o.get('hangs1')!.status, 'UP 1/3');
    assert.match(o.get('hangs1')!.check_status!, /^(\* )?INI$/);
    assert.equal(o.get('hangs1')!.check_desc, 'Initializing');
  } finally {
    holder.close();
  }
});
