/**
 * HAProxy 2.6's health-check state-change messages (server.c srv_update_status,
 * backend.c: "has no server available!"), and the syslog levels it sends them at.
 */
import type { CheckResult } from './probe.js';

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

export function downMessage(backend: string, server: string, r: CheckResult, c: FarmCounts): string {
  const backupNote = c.active === 0 && c.backup > 0 ? ' Running on backup.' : '';
  return (
    `Server ${backend}/${server} is DOWN, ${checkPart(r)}. ${c.active} active and ${c.backup} backup servers left.${backupNote} ` +
    `${c.sessions} sessions active, 0 requeued, ${c.queued} remaining in queue.`
  );
}

export function upMessage(backend: string, server: string, r: CheckResult, c: FarmCounts): string {
  return `Server ${backend}/${server} is UP, ${checkPart(r)}. ${c.active} active and ${c.backup} backup servers online. 0 sessions requeued, ${c.queued} total in queue.`;
}

export const noServerMessage = (backend: string): string => `backend ${backend} has no server available!`;
