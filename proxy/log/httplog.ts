/**
 * Formats one request as HAProxy 2.6's `option httplog` line:
 * `%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r`
 * Field order follows proxy/log/format/fields.ts; timers follow log.c: TR = t_request -
 * first byte, Tw = t_queue - t_request, Tc = t_connect - t_queue, Tr = t_data - t_connect,
 * Ta = close - first byte; each is -1 when its events did not both happen.
 */
import { BAD_REQUEST, NO_SERVER } from './format/fields.js';
import type { RequestRecord } from '../session/record.js';
import { logDatePrefix } from './dates.js';
import { putHeader, putRequest } from './escape.js';
import { maxBytes, putInt, putStr } from './line-bytes.js';

const span = (from: number, to: number): number => (from >= 0 && to >= 0 ? Math.max(0, to - from) : -1);

/** Room for everything of a line but its strings: the date, numbers, letters, separators. */
const FIXED_BYTES = 256;

/** Bytes the line of `r` may take at most: what httplogInto needs from its offset. */
export function httplogRoom(r: RequestRecord): number {
  let room = FIXED_BYTES + r.clientIp.length + r.frontend.length + r.backend.length + (r.server ?? NO_SERVER).length;
  room += (r.reqCookie ?? '-').length + (r.resCookie ?? '-').length;
  room += r.requestLine === null ? BAD_REQUEST.length : maxBytes(r.requestLine);
  if (r.tlsFields !== null) room += r.tlsFields.length;
  if (r.reqCaptures) room += capturesBytes(r.reqCaptures);
  if (r.resCaptures) room += capturesBytes(r.resCaptures);
  return room;
}

/** Returns the line as a latin1 string (one char per byte). */
export function formatHttplog(r: RequestRecord): string {
  const out = Buffer.allocUnsafe(httplogRoom(r));
  return out.toString('latin1', 0, httplogInto(r, out, 0));
}

/**
 * The line of `r` written as bytes into `out` from `at` (no string built: the emitter writes
 * it straight into the buffer the UDP sink copies); returns the end offset, or -1 when the
 * line might not fit (httplogRoom).
 */
export function httplogInto(r: RequestRecord, out: Buffer, at: number): number {
  if (at + httplogRoom(r) > out.length) return -1;
  const server = r.server ?? NO_SERVER;
  const reqCookie = r.reqCookie ?? '-';
  const resCookie = r.resCookie ?? '-';
  const start = r.tFirstByte >= 0 ? r.tFirstByte : r.tStart;
  let p = putStr(out, at, r.clientIp);
  out[p++] = 0x3a; // :
  p = putInt(out, p, r.clientPort);
  out[p++] = 0x20;
  out[p++] = 0x5b; // [
  p = putStr(out, p, logDatePrefix(r.dateMs));
  const ms = r.dateMs - Math.floor(r.dateMs / 1000) * 1000;
  out[p++] = 0x30 + Math.floor(ms / 100);
  out[p++] = 0x30 + (Math.floor(ms / 10) % 10);
  out[p++] = 0x30 + (ms % 10);
  out[p++] = 0x5d; // ]
  out[p++] = 0x20;
  p = putStr(out, p, r.frontend);
  out[p++] = 0x20;
  p = putStr(out, p, r.backend);
  out[p++] = 0x2f; // /
  p = putStr(out, p, server);
  out[p++] = 0x20;
  p = putInt(out, p, span(r.tFirstByte, r.tRequest));
  out[p++] = 0x2f;
  p = putInt(out, p, span(r.tRequest, r.tQueue));
  out[p++] = 0x2f;
  p = putInt(out, p, span(r.tQueue, r.tConnect));
  out[p++] = 0x2f;
  p = putInt(out, p, span(r.tConnect, r.tResponse));
  out[p++] = 0x2f;
  p = putInt(out, p, Math.max(0, r.tClose - start));
  out[p++] = 0x20;
  p = putInt(out, p, r.status);
  out[p++] = 0x20;
  p = putInt(out, p, r.bytesOut);
  out[p++] = 0x20;
  p = putStr(out, p, reqCookie);
  out[p++] = 0x20;
  p = putStr(out, p, resCookie);
  out[p++] = 0x20;
  out[p++] = r.cause.charCodeAt(0);
  out[p++] = r.state.charCodeAt(0);
  out[p++] = r.cookieIn.charCodeAt(0);
  out[p++] = r.cookieOut.charCodeAt(0);
  out[p++] = 0x20;
  p = putInt(out, p, r.actconn);
  out[p++] = 0x2f;
  p = putInt(out, p, r.feconn);
  out[p++] = 0x2f;
  p = putInt(out, p, r.beconn);
  out[p++] = 0x2f;
  p = putInt(out, p, r.srvConn);
  out[p++] = 0x2f;
  if (r.redispatched) out[p++] = 0x2b; // +
  p = putInt(out, p, r.retries);
  out[p++] = 0x20;
  p = putInt(out, p, r.srvQueue);
  out[p++] = 0x2f;
  p = putInt(out, p, r.bkQueue);
  out[p++] = 0x20;
  if (r.reqCaptures) p = putBlock(out, p, r.reqCaptures);
  if (r.resCaptures) p = putBlock(out, p, r.resCaptures);
  out[p++] = 0x22; // "
  p = r.requestLine === null ? putStr(out, p, BAD_REQUEST) : putRequest(out, p, r.requestLine);
  out[p++] = 0x22;
  if (r.tlsFields !== null) {
    out[p++] = 0x20;
    p = putStr(out, p, r.tlsFields);
  }
  return p;
}

function capturesBytes(values: (string | null)[]): number {
  let n = 3 + values.length;
  for (const v of values) if (v) n += maxBytes(v);
  return n;
}

/** block(values) and its trailing space, written. */
function putBlock(out: Buffer, at: number, values: (string | null)[]): number {
  out[at++] = 0x7b; // {
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out[at++] = 0x7c; // |
    const v = values[i];
    if (v) at = putHeader(out, at, v);
  }
  out[at++] = 0x7d; // }
  out[at++] = 0x20;
  return at;
}
