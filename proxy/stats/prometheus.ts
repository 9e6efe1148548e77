/**
 * `http-request use-service prometheus-exporter`: HAProxy 2.6's Prometheus exporter
 * (addons/promex), text exposition format 0.0.4. Metric names, HELP texts, types, labels and
 * order are HAProxy's for the values haloscope has (test/proxy-stats/prometheus.test.ts
 * compares them with haproxy's own exporter); the others are left out rather than reported
 * as 0. Like HAProxy, a value that does not apply is `NaN` (a server's limit without maxconn,
 * check counters without checks), check status/code/duration exist only for checked servers,
 * and `?scope=<global|frontend|backend|server>` (repeatable) and `?no-maint` filter.
 *
 * haloscope addition: latency histograms per backend and per server,
 * `haproxy_{backend,server}_{response,total}_time_seconds` (Tr and Tt of the logs), with
 * `_bucket{le=...}`, `_sum` and `_count`.
 */
import type { BackendRuntime } from '../backend/backend.js';
import type { ServerState } from '../backend/server.js';
import type { HealthChecker } from '../checks/health-check.js';
import { errorResponse } from '../http/responses.js';
import type { CliState } from './cli-commands.js';
import type { Counters } from './counters.js';
import { BUCKETS_MS, type Histogram } from './histogram.js';
import { infoFields } from './info.js';
import type { StatsAnswer } from './page.js';
import { iidOffset } from './runtime-view.js';
import { snapshot, type StatsRow } from './snapshot.js';

type Scope = 'global' | 'frontend' | 'backend' | 'server';
/** Labels as written between the braces (`proxy="be",server="s1"`), built once per object. */
type Labels = string;
type Value = number | string;
type MetricType = 'gauge' | 'counter' | 'histogram';

/**
 * The text being built, one string per line, joined once at the end: 1000 servers make some
 * 70k lines, and one object per sample or a `+=` per line spent most of a scrape in GC
 * (1.9 s, then 0.5 s, for 1000 servers; see docs/operations.md). A family's HELP/TYPE lines
 * are written with its first sample, so a family without samples does not appear.
 */
class Out {
  readonly parts: string[] = [];
  #name = '';
  #head = '';
  family(name: string, type: MetricType, help: string): void {
    this.#name = name;
    this.#head = `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
  }
  sample(labels: Labels, value: Value, suffix = ''): void {
    if (this.#head) {
      this.parts.push(this.#head);
      this.#head = '';
    }
    this.parts.push(labels ? `${this.#name}${suffix}{${labels}} ${value}\n` : `${this.#name}${suffix} ${value}\n`);
  }
  /** One metric over several objects, one sample each. */
  each<T extends { readonly labels: Labels }>(name: string, type: MetricType, help: string, objects: readonly T[], value: (o: T) => Value): void {
    this.family(name, type, help);
    for (const o of objects) this.sample(o.labels, value(o));
  }
  /** One metric with one more label, e.g. `state`: for each object, each label value. */
  states<T extends { readonly labels: Labels }>(name: string, help: string, objects: readonly T[], label: string, values: readonly string[], value: (o: T, v: string) => Value): void {
    this.family(name, 'gauge', help);
    for (const o of objects) for (const v of values) this.sample(`${o.labels},${label}="${v}"`, value(o, v));
  }
  /** `http_responses_total`: the six codes one after the other, each over every object (as HAProxy). */
  codes<T extends { readonly labels: Labels; readonly row: StatsRow }>(name: string, objects: readonly T[]): void {
    this.family(name, 'counter', H.hrsp);
    for (const code of CODES) for (const o of objects) this.sample(`${o.labels},code="${code}"`, num(o.row[`hrsp_${code}`]));
  }
  histogram(name: string, help: string, objects: readonly { readonly labels: Labels; readonly h: Histogram }[]): void {
    this.family(name, 'histogram', help);
    for (const { labels, h } of objects) {
      let cumulative = 0;
      for (let i = 0; i < BUCKETS_MS.length; i++) {
        cumulative += h.counts[i]!;
        this.sample(labels + LE[i], cumulative, '_bucket');
      }
      this.sample(labels + ',le="+Inf"', h.count, '_bucket');
      this.sample(labels, h.sumMs / 1000, '_sum');
      this.sample(labels, h.count, '_count');
    }
  }
}

const CODES = ['1xx', '2xx', '3xx', '4xx', '5xx', 'other'] as const;
const SERVER_STATES = ['DOWN', 'UP', 'MAINT', 'DRAIN', 'NOLB'] as const;
/** HCHK_STATUS_HANA .. HCHK_STATUS_PROCOK, the check_status labels. */
const CHECK_STATES = ['HANA', 'SOCKERR', 'L4OK', 'L4TOUT', 'L4CON', 'L6OK', 'L6TOUT', 'L6RSP', 'L7TOUT', 'L7RSP', 'L7OK', 'L7OKC', 'L7STS', 'PROCERR', 'PROCTOUT', 'PROCOK'] as const;
const CHECK_LABEL: Readonly<Record<string, string>> = {
  'Layer4 check passed': 'L4OK',
  'Layer4 timeout': 'L4TOUT',
  'Layer4 connection problem': 'L4CON',
  'Layer7 timeout': 'L7TOUT',
  'Layer7 invalid response': 'L7RSP',
  'Layer7 check passed': 'L7OK',
  'Layer7 wrong status': 'L7STS',
};

/** HELP texts, as haproxy 2.6's exporter prints them (several are shared by the three scopes). */
const H = {
  curSess: 'Number of current sessions on the frontend, backend or server',
  maxSess: 'Highest value of current sessions encountered since process started',
  limSess: "Frontend/listener/server's maxconn, backend's fullconn",
  sessTot: 'Total number of sessions since process started',
  bin: 'Total number of request bytes since process started',
  bout: 'Total number of response bytes since process started',
  status: 'Current status of the service, per state label value.',
  hrsp: 'Total number of HTTP responses with status 100-199 returned by this object since the worker process started',
  reqTot: 'Total number of HTTP requests processed by this object since the worker process started',
  curQueue: 'Number of current queued connections',
  econ: 'Total number of failed connections to server since the worker process started',
  eresp: 'Total number of invalid responses since the worker process started',
  wretr: 'Total number of server connection retries since the worker process started',
  wredis: 'Total number of server redispatches due to connection failures since the worker process started',
  weight: "Server's effective weight, or sum of active servers' effective weights for a backend",
  uweight: "Server's user weight, or sum of active servers' user weights for a backend",
  chkdown: 'Total number of failed checks causing UP to DOWN server transitions, per server/backend, since the worker process started',
  lastchg: 'How long ago the last server state changed, in seconds',
  lbtot: 'Total number of requests routed by load balancing since the worker process started (ignores queue pop and stickiness)',
  cliAbrt: 'Total number of requests or connections aborted by the client since the worker process started',
  srvAbrt: 'Total number of requests or connections aborted by the server since the worker process started',
  lastsess: 'How long ago some traffic was seen on this object on this worker process, in seconds',
};

const num = (v: string | number | undefined): Value => (v === undefined || v === '' ? 'NaN' : v);
const LE = BUCKETS_MS.map((ms) => `,le="${ms / 1000}"`);
const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
/** `name="value"`, the value escaped. */
const label = (name: string, value: string): string => `${name}="${escapeLabel(value)}"`;

/** HAProxy's promex_srv_status: 0 DOWN, 1 UP, 2 MAINT, 3 DRAIN (NOLB does not happen here). */
function serverState(s: ServerState): (typeof SERVER_STATES)[number] {
  if (s.maint) return 'MAINT';
  if (!s.usable) return 'DOWN';
  return s.drain ? 'DRAIN' : 'UP';
}

interface ServerObj {
  readonly be: BackendRuntime;
  readonly s: ServerState;
  readonly row: StatsRow;
  readonly hc: HealthChecker | null;
  readonly c: Counters;
  readonly labels: Labels;
}

export function metrics(state: CliState, scopes: ReadonlySet<Scope>, noMaint: boolean): string {
  const v = state.view;
  const rows = new Map(snapshot(v, v.global.maxconn, false, iidOffset(v)).map((r) => [`${r.pxname}/${r.svname}`, r]));
  const rowOf = (px: string, sv: string): StatsRow => rows.get(`${px}/${sv}`)!;
  const checkerOf = new Map(v.checkers.map((h) => [h.server, h]));
  const out = new Out();

  if (scopes.has('global')) {
    const info = new Map(infoFields(v, state));
    const g = (name: string, type: MetricType, help: string, value: Value): void => {
      out.family(`haproxy_process_${name}`, type, help);
      out.sample('', value);
    };
    g('nbthread', 'gauge', 'Number of started threads (global.nbthread)', v.global.nbthread);
    g('nbproc', 'gauge', 'Number of started worker processes (historical, always 1)', 1);
    g('relative_process_id', 'gauge', 'Relative worker process number (1)', 1);
    g('uptime_seconds', 'gauge', 'How long ago this worker process was started (seconds)', info.get('Uptime_sec')!);
    g('max_connections', 'gauge', 'Hard limit on the number of per-process connections (configured or imposed by Ulimit-n)', v.global.maxconn);
    g('hard_max_connections', 'gauge', 'Hard limit on the number of per-process connections (imposed by Memmax_MB or Ulimit-n)', v.global.maxconn);
    g('current_connections', 'gauge', 'Current number of connections on this worker process', v.process.actconn);
    g('connections_total', 'counter', 'Total number of connections on this worker process since started', info.get('CumConns')!);
    g('requests_total', 'counter', 'Total number of requests on this worker process since started', info.get('CumReq')!);
    g('stopping', 'gauge', '1 if the worker process is currently stopping, otherwise zero', 0);
    g('listeners', 'gauge', 'Current number of active listeners on the current worker process', info.get('Listeners')!);
    g('max_memory_bytes', 'gauge', "Worker process's hard limit on memory usage in byes (-m on command line)", 0);
    g('start_time_seconds', 'gauge', 'Start time in seconds', info.get('Start_time_sec')!);
  }

  if (scopes.has('frontend')) {
    const fes = v.frontends.map((fe) => ({ fe, row: rowOf(fe.cfg.name, 'FRONTEND'), labels: label('proxy', fe.cfg.name) }));
    const http = fes.filter((f) => f.fe.cfg.mode === 'http');
    const f = (name: string, type: MetricType, help: string, list: typeof fes, field: string): void => out.each(`haproxy_frontend_${name}`, type, help, list, (o) => num(o.row[field]));
    f('current_sessions', 'gauge', H.curSess, fes, 'scur');
    f('max_sessions', 'gauge', H.maxSess, fes, 'smax');
    f('limit_sessions', 'gauge', H.limSess, fes, 'slim');
    f('sessions_total', 'counter', H.sessTot, fes, 'stot');
    f('bytes_in_total', 'counter', H.bin, fes, 'bin');
    f('bytes_out_total', 'counter', H.bout, fes, 'bout');
    f('requests_denied_total', 'counter', 'Total number of denied requests since process started', fes, 'dreq');
    f('request_errors_total', 'counter', 'Total number of invalid requests since process started', fes, 'ereq');
    out.states('haproxy_frontend_status', H.status, fes, 'state', ['DOWN', 'UP'], (o, st) => ((o.row.status === 'OPEN') === (st === 'UP') ? 1 : 0));
    out.codes('haproxy_frontend_http_responses_total', http);
    f('http_requests_total', 'counter', H.reqTot, http, 'req_tot');
    f('connections_total', 'counter', 'Total number of new connections accepted on this frontend since the worker process started', fes, 'conn_tot');
  }

  const bes = [...v.backends].map(([name, be]) => ({ be, row: rowOf(name, 'BACKEND'), c: v.registry.backend(name), labels: label('proxy', name) }));
  if (scopes.has('backend')) {
    const http = bes.filter((o) => o.be.cfg.mode === 'http');
    const b = (name: string, type: MetricType, help: string, list: typeof bes, field: string): void => out.each(`haproxy_backend_${name}`, type, help, list, (o) => num(o.row[field]));
    b('current_queue', 'gauge', H.curQueue, bes, 'qcur');
    b('current_sessions', 'gauge', H.curSess, bes, 'scur');
    b('sessions_total', 'counter', H.sessTot, bes, 'stot');
    b('bytes_in_total', 'counter', H.bin, bes, 'bin');
    b('bytes_out_total', 'counter', H.bout, bes, 'bout');
    b('connection_errors_total', 'counter', H.econ, bes, 'econ');
    b('response_errors_total', 'counter', H.eresp, bes, 'eresp');
    b('retry_warnings_total', 'counter', H.wretr, bes, 'wretr');
    b('redispatch_warnings_total', 'counter', H.wredis, bes, 'wredis');
    out.states('haproxy_backend_status', H.status, bes, 'state', ['DOWN', 'UP'], (o, st) => ((o.row.status === 'UP') === (st === 'UP') ? 1 : 0));
    b('weight', 'gauge', H.weight, bes, 'weight');
    b('active_servers', 'gauge', 'Total number of active UP servers with a non-zero weight', bes, 'act');
    b('backup_servers', 'gauge', 'Total number of backup UP servers with a non-zero weight', bes, 'bck');
    b('check_up_down_total', 'counter', H.chkdown, bes, 'chkdown');
    b('check_last_change_seconds', 'gauge', H.lastchg, bes, 'lastchg');
    b('loadbalanced_total', 'counter', H.lbtot, bes, 'lbtot');
    out.codes('haproxy_backend_http_responses_total', http);
    b('http_requests_total', 'counter', H.reqTot, http, 'req_tot');
    b('client_aborts_total', 'counter', H.cliAbrt, bes, 'cli_abrt');
    b('server_aborts_total', 'counter', H.srvAbrt, bes, 'srv_abrt');
    b('last_session_seconds', 'gauge', H.lastsess, bes, 'lastsess');
    b('uweight', 'gauge', H.uweight, bes, 'uweight');
    out.states('haproxy_backend_agg_server_status', "Backend's aggregated gauge of servers' status", bes, 'state', SERVER_STATES, (o, st) => o.be.servers.filter((s) => serverState(s) === st).length);
    out.histogram('haproxy_backend_response_time_seconds', 'haloscope: distribution of the server response time (Tr: response headers after connect) of requests, in seconds', bes.map((o) => ({ labels: o.labels, h: o.c.tr })));
    out.histogram('haproxy_backend_total_time_seconds', 'haloscope: distribution of the total session time (Tt) of requests and connections, in seconds', bes.map((o) => ({ labels: o.labels, h: o.c.tt })));
  }

  if (scopes.has('server')) {
    const srvs: ServerObj[] = [];
    for (const { be } of bes)
      for (const s of be.servers) {
        if (noMaint && s.maint) continue;
        const name = be.cfg.name;
        srvs.push({ be, s, row: rowOf(name, s.name), hc: checkerOf.get(s) ?? null, c: v.registry.server(name, s.name), labels: `${label('proxy', name)},${label('server', s.name)}` });
      }
    const http = srvs.filter((o) => o.be.cfg.mode === 'http');
    // like HAProxy: check status, code and duration only for servers whose checks run, once they ran
    const checked = srvs.filter((o) => o.hc !== null && !o.s.checkPaused);
    const ran = checked.filter((o) => o.hc!.last !== null);
    const sv = (name: string, type: MetricType, help: string, field: string): void => out.each(`haproxy_server_${name}`, type, help, srvs, (o) => num(o.row[field]));
    sv('current_queue', 'gauge', H.curQueue, 'qcur');
    sv('current_sessions', 'gauge', H.curSess, 'scur');
    sv('limit_sessions', 'gauge', H.limSess, 'slim');
    sv('sessions_total', 'counter', H.sessTot, 'stot');
    sv('bytes_in_total', 'counter', H.bin, 'bin');
    sv('bytes_out_total', 'counter', H.bout, 'bout');
    sv('connection_errors_total', 'counter', H.econ, 'econ');
    sv('response_errors_total', 'counter', H.eresp, 'eresp');
    sv('retry_warnings_total', 'counter', H.wretr, 'wretr');
    sv('redispatch_warnings_total', 'counter', H.wredis, 'wredis');
    out.states('haproxy_server_status', H.status, srvs, 'state', SERVER_STATES, (o, st) => (serverState(o.s) === st ? 1 : 0));
    sv('weight', 'gauge', H.weight, 'weight');
    sv('check_failures_total', 'counter', 'Total number of failed individual health checks per server/backend, since the worker process started', 'chkfail');
    sv('check_up_down_total', 'counter', H.chkdown, 'chkdown');
    sv('check_last_change_seconds', 'gauge', H.lastchg, 'lastchg');
    sv('loadbalanced_total', 'counter', H.lbtot, 'lbtot');
    out.states('haproxy_server_check_status', 'Status of last health check, per state label value.', checked, 'state', CHECK_STATES, (o, st) => (o.hc!.last && CHECK_LABEL[o.hc!.last.reason] === st ? 1 : 0));
    out.each('haproxy_server_check_code', 'gauge', 'layer5-7 code, if available of the last health check.', ran, (o) => o.hc!.last!.code ?? 0);
    out.each('haproxy_server_check_duration_seconds', 'gauge', 'Total duration of the latest server health check, in seconds.', ran, (o) => (o.hc!.last!.durationMs / 1000).toFixed(6));
    out.codes('haproxy_server_http_responses_total', http);
    sv('client_aborts_total', 'counter', H.cliAbrt, 'cli_abrt');
    sv('server_aborts_total', 'counter', H.srvAbrt, 'srv_abrt');
    sv('last_session_seconds', 'gauge', H.lastsess, 'lastsess');
    out.each('haproxy_server_idle_connections_current', 'gauge', 'Current number of idle connections available for reuse on this server', srvs, (o) => o.s.idle.length);
    sv('uweight', 'gauge', H.uweight, 'uweight');
    out.histogram('haproxy_server_response_time_seconds', 'haloscope: distribution of the server response time (Tr: response headers after connect) of requests, in seconds', srvs.map((o) => ({ labels: o.labels, h: o.c.tr })));
    out.histogram('haproxy_server_total_time_seconds', 'haloscope: distribution of the total session time (Tt) of requests and connections, in seconds', srvs.map((o) => ({ labels: o.labels, h: o.c.tt })));
  }
  return out.parts.join('');
}

const ALL_SCOPES: readonly Scope[] = ['global', 'frontend', 'backend', 'server'];

/**
 * The query string as HAProxy's exporter reads it (promex_parse_uri): `scope=<s>` (repeatable;
 * `*` all, empty none; `listener` and `sticktable` are valid and have no metric here) and
 * `no-maint`; null (a 400) for a scope without value or an unknown one.
 */
export function parseQuery(uri: string): { scopes: Set<Scope>; noMaint: boolean } | null {
  const q = uri.indexOf('?');
  if (q < 0) return { scopes: new Set(ALL_SCOPES), noMaint: false };
  let scopes: Set<Scope> | null = null;
  let noMaint = false;
  for (const part of uri.slice(q + 1).split('#')[0]!.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    let key: string;
    let value: string | null;
    try {
      key = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
      value = eq < 0 ? null : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      return null;
    }
    if (value !== null && value.includes('=')) return null;
    if (key === 'no-maint') noMaint = true;
    if (key !== 'scope') continue;
    scopes ??= new Set();
    if (value === null) return null;
    if (value === '') scopes.clear();
    else if (value.startsWith('*')) for (const s of ALL_SCOPES) scopes.add(s);
    else if ((ALL_SCOPES as readonly string[]).includes(value)) scopes.add(value as Scope);
    else if (value !== 'listener' && value !== 'sticktable') return null;
  }
  return { scopes: scopes ?? new Set(ALL_SCOPES), noMaint };
}

/** The services `http-request use-service` may name; the answer is written and logged like the stats page's. */
export function serviceHandler(state: CliState): (service: string, uri: string) => StatsAnswer {
  return (_service, uri) => {
    const q = parseQuery(uri);
    if (!q) {
      // HAProxy answers its 400 page, logged 400, and closes
      const r = errorResponse(400, false);
      return { logStatus: 400, served: true, close: true, wire: () => r.wire };
    }
    return {
      logStatus: 200,
      served: true,
      wire(keepAlive) {
        const body = Buffer.from(metrics(state, q.scopes, q.noMaint), 'latin1');
        const head =
          `HTTP/1.1 200 OK\r\ncache-control: no-cache\r\ncontent-type: text/plain; version=0.0.4\r\ncontent-length: ${body.length}\r\n` +
          (keepAlive ? '' : 'connection: close\r\n') +
          '\r\n';
        return Buffer.concat([Buffer.from(head, 'latin1'), body]);
      },
    };
  };
}
