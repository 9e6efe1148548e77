/**
 * One row per frontend, server and backend, keyed by `show stat` column names, built from the
 * live runtime (connections, queues, server states, checks) and the counters of finished
 * sessions. Both the CSV and the HTML page render these rows. `addr` and `algo` stay empty as
 * in HAProxy 2.6's HTTP stats export (test/proxy-stats/stats-page.test.ts).
 */
import type { BackendRuntime } from '../backend/backend.js';
import type { HealthChecker } from '../checks/health-check.js';
import type { FrontendRuntime } from '../frontend/frontend.js';
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

/** `cli`: the runtime API's `show stat`, which also fills `addr` and `algo` (HAProxy hides them on the page). */
/** `iidOffset`: 1 when a `stats socket` exists (HAProxy's CLI proxy takes the first id). */
export function snapshot(src: StatsSources, globalMaxconn: number, cli = false, iidOffset = 0): StatsRow[] {
  const rows: StatsRow[] = [];
  const now = Date.now();
  const since = Math.floor((now - src.registry.started) / 1000);
  // proxy ids (iid) in declaration order, a listen counted once
  const iids = new Map<string, number>();
  for (const f of src.frontends) if (!iids.has(f.cfg.name)) iids.set(f.cfg.name, iids.size + 1 + iidOffset);
  for (const b of src.backends.keys()) if (!iids.has(b)) iids.set(b, iids.size + 1 + iidOffset);
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
    let lastChange = src.registry.started;
    for (const s of be.servers) {
      const c = src.registry.server(name, s.name);
      const hc = src.checkers.find((h) => h.server === s) ?? null;
      const sc = be.cfg.servers.find((x) => x.name === s.name)!;
      const status = sc.disabled || s.maint ? 'MAINT' : hc ? (s.usable ? 'UP' : 'DOWN') : 'no check';
      if (hc && hc.lastChange > lastChange) lastChange = hc.lastChange;
      const row: StatsRow = { pxname: name, svname: s.name, qcur: s.queue.length, qmax: 0, scur: s.cur, smax: c.smax, slim: s.maxconn || '' };
      traffic(c, row);
      Object.assign(row, { dresp: 0, econ: c.econ, eresp: c.eresp, wretr: c.wretr, wredis: c.wredis, status, weight: s.weight, act: s.backup ? 0 : 1, bck: s.backup ? 1 : 0 });
      Object.assign(row, { lastchg: hc ? Math.floor((now - hc.lastChange) / 1000) : since, downtime: 0, pid: 1, iid, sid: s.id, lbtot: c.stot, type: 2, rate: 0, rate_max: 0 });
      if (hc) {
        Object.assign(row, { chkfail: hc.failed, chkdown: hc.downs, check_rise: hc.cfg.rise, check_fall: hc.cfg.fall, check_health: hc.health });
        if (hc.last) {
          const l = hc.last;
          Object.assign(row, { check_status: CHECK_CODES[l.reason] ?? '', check_code: l.code ?? '', check_duration: l.durationMs, check_desc: l.reason, last_chk: l.info ?? '' });
        }
      }
      Object.assign(row, { cli_abrt: c.cliAbrt, srv_abrt: c.srvAbrt, lastsess: c.lastSess < 0 ? -1 : Math.floor((now - c.lastSess) / 1000), mode: be.cfg.mode, uweight: s.weight });
      if (cli) row.addr = `${s.host}:${s.port}`;
      rows.push(row);
    }
    const c = src.registry.backend(name);
    const up = be.servers.filter((s) => s.usable);
    const act = up.filter((s) => !s.backup);
    const row: StatsRow = { pxname: name, svname: 'BACKEND', qcur: be.queueLength, qmax: 0, scur: be.beconn, smax: c.smax };
    traffic(c, row);
    Object.assign(row, { dreq: 0, dresp: 0, econ: c.econ, eresp: c.eresp, wretr: c.wretr, wredis: c.wredis, status: up.length ? 'UP' : 'DOWN' });
    Object.assign(row, { weight: act.reduce((a, s) => a + s.weight, 0), act: act.length, bck: up.length - act.length, chkdown: 0, lastchg: Math.floor((now - lastChange) / 1000), downtime: 0 });
    Object.assign(row, { pid: 1, iid, sid: 0, lbtot: c.stot, type: 1, rate: 0, rate_max: 0, req_tot: c.stot, cli_abrt: c.cliAbrt, srv_abrt: c.srvAbrt });
    Object.assign(row, { lastsess: c.lastSess < 0 ? -1 : Math.floor((now - c.lastSess) / 1000), mode: be.cfg.mode, uweight: act.reduce((a, s) => a + s.weight, 0) });
    if (cli) row.algo = be.cfg.balance.algorithm;
    rows.push(row);
  }
  return rows;
}
