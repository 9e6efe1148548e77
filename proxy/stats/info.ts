/**
 * `show info`: HAProxy 2.6's field names, in its order (stats.c, info_fields), for the fields
 * haloscope has a value for; the others (memory pools, SSL, rates, tasks, ...) are left out
 * rather than reported as 0. `Name` says which program answers.
 */
import os from 'node:os';
import type { RuntimeView } from './runtime-view.js';

export interface CliTotals {
  /** Connections accepted by the stats sockets (HAProxy counts them in CumConns and CumReq). */
  readonly connections: number;
}

/** HAProxy's `Uptime`: `0d 0h00m05s`. */
export function uptime(sec: number): string {
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${Math.floor(sec / 86400)}d ${Math.floor((sec % 86400) / 3600)}h${p2(Math.floor((sec % 3600) / 60))}m${p2(sec % 60)}s`;
}

export function infoFields(v: RuntimeView, cli: CliTotals): [string, string | number][] {
  const up = Math.floor((Date.now() - v.registry.started) / 1000);
  let connections = cli.connections;
  let requests = cli.connections;
  for (const fe of v.frontends) {
    const c = v.registry.frontend(fe.cfg.name);
    connections += c.stot;
    // a tcp-mode connection is one stream, an HTTP connection one per request
    requests += fe.cfg.mode === 'tcp' ? c.stot : c.reqTot;
  }
  const listeners = v.frontends.reduce((n, fe) => n + fe.cfg.binds.length, 0) + v.global.statsSockets.length;
  return [
    ['Name', 'haloscope'],
    ['Version', '0.1.0'],
    ['Nbthread', v.global.nbthread],
    ['Nbproc', 1],
    ['Process_num', 1],
    ['Pid', v.pid],
    ['Uptime', uptime(up)],
    ['Uptime_sec', up],
    // no memory limit (HAProxy's -m)
    ['Memmax_MB', 0],
    ['Maxconn', v.global.maxconn],
    ['Hard_maxconn', v.global.maxconn],
    ['CurrConns', v.process.actconn],
    ['CumConns', connections],
    ['CumReq', requests],
    ['node', os.hostname()],
    ['Stopping', 0],
    ['Listeners', listeners],
    ['Memmax_bytes', 0],
    ['Start_time_sec', Math.floor(v.registry.started / 1000)],
  ];
}

export function showInfo(v: RuntimeView, cli: CliTotals): string {
  return infoFields(v, cli)
    .map(([k, val]) => `${k}: ${val}\n`)
    .join('');
}
