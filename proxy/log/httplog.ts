/**
 * Formats one request as HAProxy 2.6's `option httplog` line:
 * `%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r`
 * Field order follows proxy/log/format/fields.ts; timers follow log.c: TR = t_request -
 * first byte, Tw = t_queue - t_request, Tc = t_connect - t_queue, Tr = t_data - t_connect,
 * Ta = close - first byte; each is -1 when its events did not both happen.
 */
import { BAD_REQUEST, NO_SERVER } from './format/fields.js';
import type { RequestRecord } from '../session/record.js';
import { logDate } from './dates.js';
import { escapeHeader, escapeRequest } from './escape.js';

const span = (from: number, to: number): number => (from >= 0 && to >= 0 ? Math.max(0, to - from) : -1);

function block(values: (string | null)[]): string {
  let s = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) s += '|';
    const v = values[i];
    if (v) s += escapeHeader(v);
  }
  return s + '}';
}

/** Returns the line as a latin1 string (one char per byte). */
export function formatHttplog(r: RequestRecord): string {
  const start = r.tFirstByte >= 0 ? r.tFirstByte : r.tStart;
  const TR = span(r.tFirstByte, r.tRequest);
  const Tw = span(r.tRequest, r.tQueue);
  const Tc = span(r.tQueue, r.tConnect);
  const Tr = span(r.tConnect, r.tResponse);
  const Ta = Math.max(0, r.tClose - start);
  let line =
    `${r.clientIp}:${r.clientPort} [${logDate(r.dateMs)}] ${r.frontend} ${r.backend}/${r.server ?? NO_SERVER} ` +
    `${TR}/${Tw}/${Tc}/${Tr}/${Ta} ${r.status} ${r.bytesOut} ${r.reqCookie ?? '-'} ${r.resCookie ?? '-'} ` +
    `${r.cause}${r.state}${r.cookieIn}${r.cookieOut} ${r.actconn}/${r.feconn}/${r.beconn}/${r.srvConn}/${r.redispatched ? '+' : ''}${r.retries} ${r.srvQueue}/${r.bkQueue} `;
  if (r.reqCaptures) line += block(r.reqCaptures) + ' ';
  if (r.resCaptures) line += block(r.resCaptures) + ' ';
  line += r.requestLine === null ? `"${BAD_REQUEST}"` : `"${escapeRequest(r.requestLine)}"`;
  if (r.tlsFields !== null) line += ' ' + r.tlsFields;
  return line;
}
