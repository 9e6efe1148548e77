/**
 * One row per frontend, server and backend, keyed by `show stat` column names, built from the
 * live runtime (connections, queues, server states, checks) and the counters of finished
 * sessions. Both the CSV and the HTML page render these rows. `addr` and `algo` stay empty as
 * in HAProxy 2.6's HTTP stats export (test/proxy-stats/stats-page.test.ts).
 */
import type { BackendRuntime } from '../backend/backend.js';
import type { ServerState } from '../backend/server.js';
import type { HealthChecker } from '../checks/health-check.js';
import type { FrontendRuntime } from '../frontend/frontend.js';
import { canTake } from '../lb/types.js';
import type { StatsRegistry, Counters } from './counters.js';

export type StatsRow = Record<string, string | number>;

/** check_status codes of the stats page (HAProxy's HCHK_STATUS_* short names). */
const CHECK_CODES: Readonly<Record<string, string>> = {
  'Layer4 check passed': 'L4OK',
  'Layer4 connection problem': 'L4CON',
  'Layer4 timeout': 'L4TOUT',
  'Layer7 check passed': 'L7OK',
  'Layer7 wrong status': 'L7STS',
  'Layer7 invalid response': 'L7RSP',
  'Layer7 timeout': 'L7TOUT',
};

export interface StatsSources {
  readonly frontends: readonly FrontendRuntime[];
  readonly backends: ReadonlyMap<string, BackendRuntime>;
  readonly checkers: readonly HealthChecker[];
  readonly registry: StatsRegistry;
}

/**
 * A server's `status` as HAProxy 2.6 words it (stats.c, stats_fill_sv_stats_computestate):
 * `UP x/y` / `DOWN x/y` while the health counter moves between its bounds, `DRAIN` for a
 * draining UP server, `no check` for an UP server without checks.
 */
export function serverStatus(s: ServerState, hc: HealthChecker | null): string {
  if (s.maint) return 'MAINT';
  const rise = hc?.cfg.rise ?? 0;
  const fall = hc?.cfg.fall ?? 0;
  if (s.usable) {
    const going = hc !== null && hc.health < rise + fall - 1 ? ` ${hc.health - rise + 1}/${fall}` : '';
    if (s.drain) return 'DRAIN' + going;
    return hc === null ? 'no check' : 'UP' + going;
  }
  return hc !== null && hc.health > 0 ? `DOWN ${hc.health}/${rise}` : 'DOWN';
}

function traffic(c: Counters, row: StatsRow): void {
  row.stot = c.stot;
  row.bin = c.bin;
  row.bout = c.bout;
  row.hrsp_1xx = c.hrsp[0]!;
  row.hrsp_2xx = c.hrsp[1]!;
  row.hrsp_3xx = c.hrsp[2]!;
  row.hrsp_4xx = c.hrsp[3]!;
  row.hrsp_5xx = c.hrsp[4]!;
  row.hrsp_other = c.hrsp[5]!;
}

/**
 * HAProxy's proxy ids (`iid`, `be_id`): 1, 2, ... in declaration order over frontends,
 * backends and listen sections together (a listen counted once), after `iidOffset` ids taken
 * before them (1 when a `stats socket` exists: HAProxy's CLI proxy).
 */
export function proxyIds(src: Pick<StatsSources, 'frontends' | 'backends'>, iidOffset: number): Map<string, number> {
  const all = new Map<string, { readonly file: string; readonly line: number }>();
  for (const f of src.frontends) all.set(f.cfg.name, f.cfg);
  for (const [name, b] of src.backends) if (!all.has(name)) all.set(name, b.cfg);
  const files = [...new Set([...all.values()].map((p) => p.file))];
  const order = [...all].sort(([, a], [, b]) => files.indexOf(a.file) - files.indexOf(b.file) || a.line - b.line);
  return new Map(order.map(([name], i) => [name, i + 1 + iidOffset]));
}

/** `cli`: the runtime API's `show stat`, which also fills `addr` and `algo` (HAProxy hides them on the page). */
/** `iidOffset`: 1 when a `stats socket` exists (HAProxy's CLI proxy takes the first id). */
export function snapshot(src: StatsSources, globalMaxconn: number, cli = false, iidOffset = 0): StatsRow[] {
  const rows: StatsRow[] = [];
  const now = Date.now();
  const iids = proxyIds(src, iidOffset);
  for (const fe of src.frontends) {
    const c = src.registry.frontend(fe.cfg.name);
    const row: StatsRow = { pxname: fe.cfg.name, svname: 'FRONTEND', scur: fe.feconn, smax: Math.max(c.smax, fe.feconn), slim: fe.cfg.maxconn || globalMaxconn };
    traffic(c, row);
    Object.assign(row, { dreq: c.dreq, dresp: 0, ereq: c.ereq, status: 'OPEN', pid: 1, iid: iids.get(fe.cfg.name)!, sid: 0, type: 0, rate: 0, rate_lim: 0, rate_max: 0 });
    Object.assign(row, { req_rate: 0, req_rate_max: 0, req_tot: c.reqTot, mode: fe.cfg.mode, conn_rate: 0, conn_rate_max: 0, conn_tot: c.stot, intercepted: 0 });
    rows.push(row);
  }
  for (const [name, be] of src.backends) {
    const iid = iids.get(name)!;
    for (const s of be.servers) {
      const c = src.registry.server(name, s.name);
      const hc = src.checkers.find((h) => h.server === s) ?? null;
      const row: StatsRow = { pxname: name, svname: s.name, qcur: s.queue.length, qmax: 0, scur: s.cur, smax: c.smax, slim: s.maxconn || '' };
      traffic(c, row);
      // `weight` is the server's own (HAProxy's eweight): draining does not change it, only the BACKEND sum
      Object.assign(row, { dresp: 0, econ: c.econ, eresp: c.eresp, wretr: c.wretr, wredis: c.wredis, status: serverStatus(s, hc), weight: s.userWeight, act: s.backup ? 0 : 1, bck: s.backup ? 1 : 0 });
      Object.assign(row, { lastchg: Math.floor((now - s.lastChange) / 1000), downtime: 0, pid: 1, iid, sid: s.id, lbtot: c.stot, type: 2, rate: 0, rate_max: 0 });
      if (hc) {
        Object.assign(row, { chkfail: hc.failed, chkdown: s.downs, check_rise: hc.cfg.rise, check_fall: hc.cfg.fall, check_health: hc.health });
        // `* ` while a check is in flight, as HAProxy's stats.c writes it (CHK_ST_INPROGRESS)
        const flight = hc.running ? '* ' : '';
        const l = hc.last;
        if (l) Object.assign(row, { check_status: flight + (CHECK_CODES[l.reason] ?? ''), check_code: l.code ?? '', check_duration: l.durationMs, check_desc: l.reason, last_chk: l.info ?? '' });
        else Object.assign(row, { check_status: `${flight}INI`, check_desc: 'Initializing' });
      }
      Object.assign(row, { cli_abrt: c.cliAbrt, srv_abrt: c.srvAbrt, lastsess: c.lastSess < 0 ? -1 : Math.floor((now - c.lastSess) / 1000), mode: be.cfg.mode, uweight: s.userWeight });
      if (cli) row.addr = `${s.host}:${s.port}`;
      rows.push(row);
    }
    const c = src.registry.backend(name);
    // HAProxy's srv_act/srv_bck: servers balancing may pick (UP, not draining, weight > 0)
    const up = be.servers.filter(canTake);
    const act = up.filter((s) => !s.backup);
    // the total weight is the active servers', or the first backup's when none is left
    const lb = act.length ? act : up.slice(0, 1);
    const row: StatsRow = { pxname: name, svname: 'BACKEND', qcur: be.queueLength, qmax: 0, scur: be.beconn, smax: c.smax };
    traffic(c, row);
    Object.assign(row, { dreq: 0, dresp: 0, econ: c.econ, eresp: c.eresp, wretr: c.wretr, wredis: c.wredis, status: be.farmUp || be.servers.length === 0 ? 'UP' : 'DOWN' });
    Object.assign(row, { weight: lb.reduce((a, s) => a + s.weight, 0), act: act.length, bck: up.length - act.length, chkdown: be.downs, lastchg: Math.floor((now - be.lastChange) / 1000), downtime: 0 });
    Object.assign(row, { pid: 1, iid, sid: 0, lbtot: c.stot, type: 1, rate: 0, rate_max: 0, req_tot: c.stot, cli_abrt: c.cliAbrt, srv_abrt: c.srvAbrt });
    Object.assign(row, { lastsess: c.lastSess < 0 ? -1 : Math.floor((now - c.lastSess) / 1000), mode: be.cfg.mode, uweight: lb.reduce((a, s) => a + s.userWeight, 0) });
    if (cli) row.algo = be.cfg.balance.algorithm;
    rows.push(row);
  }
  // HAProxy lists proxies in declaration order, a listen section's FRONTEND row before its servers (stable sort)
  return rows.sort((a, b) => Number(a.iid) - Number(b.iid));
}
