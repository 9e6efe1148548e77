/**
 * Per-frontend traffic logger: formats a finished request as an httplog line and hands it to
 * the UDP sink. Built once per frontend; a frontend without loggers gets a no-op.
 */
import type { RequestRecord } from '../session/record.js';
import { formatHttplog } from './httplog.js';
import type { LogSink } from './udp-sender.js';

/** Traffic logs are sent at level info (6), as HAProxy does without log-separate-errors. */
const LEVEL_INFO = 6;

export type Emit = (rec: RequestRecord) => void;

export function buildEmitter(sink: LogSink | null, dontlognull: boolean): Emit {
  if (sink === null) return () => {};
  if (dontlognull)
    return (rec) => {
      if (rec.bytesIn === 0) return;
      sink.send(LEVEL_INFO, formatHttplog(rec));
    };
  return (rec) => sink.send(LEVEL_INFO, formatHttplog(rec));
}
