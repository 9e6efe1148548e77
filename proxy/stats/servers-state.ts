/**
 * `show servers state [<backend>]`: HAProxy 2.6's server-state file format, version 1
 * (proxy.c, dump_servers_state), the one `server-state-file` reads back: a `1` line, the
 * `# be_id be_name ...` header, then one line per server of each backend in declaration order.
 * Numbers are HAProxy's own codes (server-t.h, check-t.h), so tools that parse the file work.
 */
import type { BackendRuntime } from '../backend/backend.js';
import type { ServerState } from '../backend/server.js';
import type { HealthChecker } from '../checks/health-check.js';

export const SERVERS_STATE_HEADER =
  '1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n';

/** HCHK_STATUS_* of the last check result (HCHK_STATUS_INI, 1, before the first one). */
const CHECK_STATUS: Readonly<Record<string, number>> = {
  'Layer4 check passed': 6, // L4OK
  'Layer4 timeout': 7, // L4TOUT
  'Layer4 connection problem': 8, // L4CON
  'Layer7 timeout': 12, // L7TOUT
  'Layer7 invalid response': 13, // L7RSP
  'Layer7 check passed': 15, // L7OKD
  'Layer7 wrong status': 17, // L7STS
};

/** SRV_ADMF_*: FMAINT 0x01 (runtime maintenance), CMAINT 0x04 (`disabled`), FDRAIN 0x08. */
export function adminState(s: ServerState): number {
  return (s.maint ? 0x01 : 0) | (s.configDisabled ? 0x04 : 0) | (s.drain ? 0x08 : 0);
}

function serverLine(beId: number, be: BackendRuntime, s: ServerState, hc: HealthChecker | null, nowSec: number): string {
  const check = be.cfg.servers.find((x) => x.name === s.name)!.check;
  const last = hc?.last ?? null;
  // CHK_ST_INPROGRESS, CHK_ST_CONFIGURED|CHK_ST_ENABLED for a checked server, CHK_ST_PAUSED in maintenance
  const checkState = (hc?.running ? 0x01 : 0) | (hc ? 0x06 : 0) | (s.checkPaused ? 0x08 : 0);
  const fields = [
    beId,
    be.cfg.name,
    s.id,
    s.name,
    s.host,
    s.usable ? 2 : 0, // SRV_ST_RUNNING / SRV_ST_STOPPED
    adminState(s),
    s.userWeight,
    s.initialWeight,
    nowSec - Math.floor(s.lastChange / 1000),
    last ? (CHECK_STATUS[last.reason] ?? 0) : 1,
    // CHK_RES_PASSED / CHK_RES_FAILED / CHK_RES_UNKNOWN (also while a check runs, as HAProxy resets it)
    last && !hc?.running ? (last.ok ? 3 : 2) : 0,
    hc ? hc.health : s.uncheckedHealth,
    checkState,
    0, // no agent checks
    0, // no forced ids (`id` keyword)
    0,
    '-',
    s.port,
    '-',
    s.tls ? 1 : 0,
    check?.port ?? 0,
    '-',
    '-',
    // HAProxy 2.6 prints the `port` of `check port` here as well (checked against haproxy)
    check?.port ?? 0,
  ];
  return fields.join(' ') + '\n';
}

/** The whole answer, or HAProxy's error when `only` names no backend. */
export function serversState(backends: ReadonlyMap<string, BackendRuntime>, checkers: readonly HealthChecker[], ids: ReadonlyMap<string, number>, only: string): string {
  if (only && !backends.has(only)) return "Can't find backend.\n";
  const nowSec = Math.floor(Date.now() / 1000);
  let out = SERVERS_STATE_HEADER;
  for (const [name, be] of backends) {
    if (only && name !== only) continue;
    for (const s of be.servers) out += serverLine(ids.get(name)!, be, s, checkers.find((h) => h.server === s) ?? null, nowSec);
  }
  return out;
}
