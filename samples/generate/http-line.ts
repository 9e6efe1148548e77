/**
 * One `option httplog` line (HAProxy 2.6, log.c L197-206), written from a mutable record that a
 * scenario fills. Field order follows proxy/log/format/fields.ts (HttpField). Constant runs of
 * the line (route, capture heads, content-type tails) are precomputed in catalog.ts, so a line
 * is ~25 copies and integer writes.
 */
import { BAD_REQUEST } from '../../proxy/log/format/fields.js';
import { bytes, ByteWriter } from './byte-writer.js';
import { CAPTURE_HEADS, REFERER_TAILS, routeBytes, type Frontend, type Server } from './catalog.js';
import type { AcceptDates } from './clock.js';

const HTTP_VERSIONS = [bytes(' HTTP/1.1"'), bytes(' HTTP/1.0"'), bytes(' HTTP/2.0"')] as const;
const BADREQ_FIELD = bytes(` "${BAD_REQUEST}"`);
const NO_COOKIE = bytes(' -');

/** Everything a line needs; reused for every line to keep the hot path allocation-free. */
export class HttpRecord {
  /** `address:` */
  client: Buffer = Buffer.alloc(0);
  port = 0;
  /** Accept (request) date in ms since the epoch. */
  dateMs = 0;
  frontend!: Frontend;
  server!: Server;
  TR = 0;
  Tw = 0;
  Tc = 0;
  Tr = 0;
  Ta = 0;
  status = 200;
  bytesRead = 0;
  /** `SESSIONID=...` of this client, for `%CC` (client sent it) / `%CS` (server set it). */
  session: Buffer = Buffer.alloc(0);
  requestCookie = false;
  responseCookie = false;
  /** ` XXXX ` (`%tsc` with its spaces). */
  termination: Buffer = Buffer.alloc(0);
  ac = 0;
  fc = 0;
  bc = 0;
  sc = 0;
  rc = 0;
  sq = 0;
  bq = 0;
  /** False for connections that never produced a request: no `{...}` blocks at all. */
  captures = true;
  host = 0;
  userAgent = 0;
  referer = 0;
  /** A CONTENT_TYPES entry (value + `} "`). */
  contentType: Buffer = Buffer.alloc(0);
  /** True: the request field is `"<BADREQ>"`. */
  badRequest = false;
  /** `GET ` (with its space). */
  method: Buffer = Buffer.alloc(0);
  /** The URL, written by the scenario (already `#XX`-encoded). */
  readonly url = new ByteWriter(4096);
  /** Index into HTTP_VERSIONS. */
  version = 0;
}

export function writeHttpLine(out: ByteWriter, r: HttpRecord, dates: AcceptDates): void {
  out.put(r.client);
  out.uint(r.port);
  out.byte(0x20);
  dates.write(out, r.dateMs);
  out.put(routeBytes(r.frontend, r.server));
  out.int(r.TR);
  out.byte(0x2f);
  out.int(r.Tw);
  out.byte(0x2f);
  out.int(r.Tc);
  out.byte(0x2f);
  out.int(r.Tr);
  out.byte(0x2f);
  out.uint(r.Ta);
  out.byte(0x20);
  out.int(r.status);
  out.byte(0x20);
  out.uint(r.bytesRead);
  if (r.requestCookie) {
    out.byte(0x20);
    out.put(r.session);
  } else {
    out.put(NO_COOKIE);
  }
  if (r.responseCookie) {
    out.byte(0x20);
    out.put(r.session);
  } else {
    out.put(NO_COOKIE);
  }
  out.put(r.termination);
  out.uint(r.ac);
  out.byte(0x2f);
  out.uint(r.fc);
  out.byte(0x2f);
  out.uint(r.bc);
  out.byte(0x2f);
  out.uint(r.sc);
  out.byte(0x2f);
  out.uint(r.rc);
  out.byte(0x20);
  out.uint(r.sq);
  out.byte(0x2f);
  out.uint(r.bq);
  if (r.badRequest) {
    out.put(BADREQ_FIELD);
    return;
  }
  out.byte(0x20);
  if (r.captures) {
    out.put(CAPTURE_HEADS[r.host]![r.userAgent]!);
    out.put(REFERER_TAILS[r.referer]!);
    out.put(r.contentType);
  } else {
    out.byte(0x22);
  }
  out.put(r.method);
  out.putRange(r.url.buf, 0, r.url.pos);
  out.put(HTTP_VERSIONS[r.version]!);
}
