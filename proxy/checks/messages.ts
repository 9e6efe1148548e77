/**
 * HAProxy 2.6's server state-change messages (server.c srv_update_status and
 * srv_append_status, backend.c: "has no server available!"), and the syslog levels it sends
 * them at: health checks taking a server DOWN or UP, and the runtime API's maintenance and
 * drain (`set server <b>/<s> state maint|drain|ready`, `disable server`, `enable server`).
 */
import type { CheckResult } from './probe.js';

/** Where a state change is told: the backend's loggers and the process's stderr. */
export type ServerReport = (level: number, message: string) => void;

export const LEVEL_EMERG = 0;
export const LEVEL_ALERT = 1;
export const LEVEL_NOTICE = 5;

export interface FarmCounts {
  /** Non-backup servers UP after the change. */
  readonly active: number;
  readonly backup: number;
  /** Sessions on the server that changed. */
  readonly sessions: number;
  /** Requests still waiting in its queue. */
  readonly queued: number;
}

function checkPart(r: CheckResult): string {
  let s = `reason: ${r.reason}`;
  if (r.code !== null) s += `, code: ${r.code}`;
  if (r.info !== null) s += `, info: "${r.info}"`;
  return `${s}, check duration: ${r.durationMs}ms`;
}

/** Who changed: HAProxy names a backup server "Backup Server". */
export interface ServerName {
  readonly backend: string;
  readonly server: string;
  readonly backup: boolean;
}

const who = (n: ServerName): string => `${n.backup ? 'Backup ' : ''}Server ${n.backend}/${n.server}`;

/** srv_append_status's tail for a server that is now DOWN (nothing was requeued: we do not requeue). */
function leftPart(c: FarmCounts): string {
  const backupNote = c.active === 0 && c.backup > 0 ? ' Running on backup.' : '';
  return `${c.active} active and ${c.backup} backup servers left.${backupNote} ${c.sessions} sessions active, 0 requeued, ${c.queued} remaining in queue.`;
}

/** The same for a server that is still UP. */
function onlinePart(c: FarmCounts): string {
  const backupNote = c.active === 0 && c.backup > 0 ? ' Running on backup.' : '';
  return `${c.active} active and ${c.backup} backup servers online.${backupNote} 0 sessions requeued, ${c.queued} total in queue.`;
}

export function downMessage(n: ServerName, r: CheckResult, c: FarmCounts): string {
  return `${who(n)} is DOWN, ${checkPart(r)}. ${leftPart(c)}`;
}

export function upMessage(n: ServerName, r: CheckResult, c: FarmCounts): string {
  return `${who(n)} is UP, ${checkPart(r)}. ${onlinePart(c)}`;
}

/** Entering maintenance; at NOTICE when the server was draining, else at ALERT. */
export const maintenanceMessage = (n: ServerName, c: FarmCounts): string => `${who(n)} is going DOWN for maintenance. ${leftPart(c)}`;

/** Entering maintenance when a check had already taken it DOWN (NOTICE). */
export const downToMaintenanceMessage = (n: ServerName): string => `${who(n)} was DOWN and now enters maintenance.`;

/** Leaving maintenance (NOTICE): its checks start again from UP, so it is always UP here. */
export const leaveMaintenanceMessage = (n: ServerName, draining: boolean): string =>
  `${who(n)} is UP/${draining ? 'DRAIN' : 'READY'} (leaving forced maintenance).`;

/** Entering drain (NOTICE), with the tail of a DOWN server when a check took it down. */
export const drainMessage = (n: ServerName, up: boolean, c: FarmCounts): string => `${who(n)} enters drain state. ${up ? onlinePart(c) : leftPart(c)}`;

/** Leaving drain (NOTICE). */
export const leaveDrainMessage = (n: ServerName, up: boolean): string => `${who(n)} is ${up ? 'UP' : 'DOWN'} (leaving forced drain).`;

/** Leaving maintenance while still draining, right after leaveMaintenanceMessage (NOTICE). */
export const stillDrainingMessage = (n: ServerName): string => `${who(n)} remains in forced drain mode.`;

export const noServerMessage = (backend: string): string => `backend ${backend} has no server available!`;
