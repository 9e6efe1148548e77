/**
 * Formats one TCP session as HAProxy 2.6's `option tcplog` line (log.c, default_tcp_log_format):
 * `%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq`
 * Field order: proxy/log/format/fields.ts (TcpField). Tw = queue exit - accept, Tc = connect -
 * queue exit, Tt = close - accept; Tw and Tc are -1 when their events did not both happen
 * (checked against haproxy by test/proxy-tcp/oracle-tcplog.test.ts).
 */
import { NO_SERVER } from './format/fields.js';
import type { TcpRecord } from '../tcp/record.js';
import { logDate } from './dates.js';
import type { LogSink } from './udp-sender.js';

const span = (from: number, to: number): number => (from >= 0 && to >= 0 ? Math.max(0, to - from) : -1);

export function formatTcplog(r: TcpRecord): string {
  const Tw = span(r.tAccept, r.tQueue);
  const Tc = span(r.tQueue, r.tConnect);
  const Tt = Math.max(0, r.tClose - r.tAccept);
  return (
    `${r.clientIp}:${r.clientPort} [${logDate(r.dateMs)}] ${r.frontend} ${r.backend}/${r.server ?? NO_SERVER} ` +
    `${Tw}/${Tc}/${Tt} ${r.bytesOut} ${r.cause}${r.state} ` +
    `${r.actconn}/${r.feconn}/${r.beconn}/${r.srvConn}/${r.redispatched ? '+' : ''}${r.retries} ${r.srvQueue}/${r.bkQueue}`
  );
}

/** Traffic logs are sent at level info (6), as HAProxy does without log-separate-errors. */
const LEVEL_INFO = 6;

export type TcpEmit = (rec: TcpRecord) => void;

/** One per frontend; a no-op without loggers, the `dontlognull` test decided here once. */
export function buildTcpEmitter(sink: LogSink | null, dontlognull: boolean): TcpEmit {
  if (sink === null) return () => {};
  if (dontlognull)
    return (rec) => {
      if (rec.bytesIn === 0) return;
      sink.send(LEVEL_INFO, formatTcplog(rec));
    };
  return (rec) => sink.send(LEVEL_INFO, formatTcplog(rec));
}
