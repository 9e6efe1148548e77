/**
 * One `option httplog` line (HAProxy 2.6, log.c L197-206), written from a mutable record that a
 * scenario fills. Field order follows proxy/log/format/fields.ts (HttpField).
 */
import { BAD_REQUEST } from '../../proxy/log/format/fields.js';
import { bytes, ByteWriter } from './byte-writer.js';
import type { AcceptDates } from './clock.js';

const SESSION_COOKIE = bytes('SESSIONID=');
const HTTP_VERSIONS = [bytes(' HTTP/1.1"'), bytes(' HTTP/1.0"'), bytes(' HTTP/2.0"')] as const;
const BADREQ_FIELD = bytes(`"${BAD_REQUEST}"`);
const CAPTURE_SEP = bytes('} {');

/** Everything a line needs; reused for every line to keep the hot path allocation-free. */
export class HttpRecord {
  client: Buffer = Buffer.alloc(0);
  port = 0;
  /** Accept (request) date in ms since the epoch. */
  dateMs = 0;
  frontend: Buffer = Buffer.alloc(0);
  backend: Buffer = Buffer.alloc(0);
  server: Buffer = Buffer.alloc(0);
  TR = 0;
  Tw = 0;
  Tc = 0;
  Tr = 0;
  Ta = 0;
  status = 200;
  bytesRead = 0;
  /** Client sent `SESSIONID=...` (the `%CC` field) / server set it (`%CS`). */
  requestCookie = false;
  responseCookie = false;
  /** Three 32-bit words from which the 22 hex digits of the session id are printed. */
  session0 = 0;
  session1 = 0;
  session2 = 0;
  /** 4 bytes, `%tsc`. */
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
  host: Buffer = Buffer.alloc(0);
  userAgent: Buffer = Buffer.alloc(0);
  referer: Buffer = Buffer.alloc(0);
  contentType: Buffer = Buffer.alloc(0);
  /** True: the request field is `"<BADREQ>"`. */
  badRequest = false;
  method: Buffer = Buffer.alloc(0);
  /** The URL, written by the scenario (already `#XX`-encoded). */
  readonly url = new ByteWriter(4096);
  /** Index into HTTP_VERSIONS. */
  version = 0;
}

function sessionCookie(out: ByteWriter, r: HttpRecord): void {
  out.put(SESSION_COOKIE);
  out.hex(r.session0, 8);
  out.hex(r.session1, 8);
  out.hex(r.session2, 6);
}

export function writeHttpLine(out: ByteWriter, r: HttpRecord, dates: AcceptDates): void {
  out.put(r.client);
  out.byte(0x3a);
  out.uint(r.port);
  out.byte(0x20);
  dates.write(out, r.dateMs);
  out.byte(0x20);
  out.put(r.frontend);
  out.byte(0x20);
  out.put(r.backend);
  out.byte(0x2f);
  out.put(r.server);
  out.byte(0x20);
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
  out.byte(0x20);
  if (r.requestCookie) sessionCookie(out, r);
  else out.byte(0x2d);
  out.byte(0x20);
  if (r.responseCookie) sessionCookie(out, r);
  else out.byte(0x2d);
  out.byte(0x20);
  out.put(r.termination);
  out.byte(0x20);
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
  out.byte(0x20);
  if (r.badRequest) {
    out.put(BADREQ_FIELD);
    return;
  }
  if (r.captures) {
    out.byte(0x7b);
    out.put(r.host);
    out.byte(0x7c);
    out.put(r.userAgent);
    out.byte(0x7c);
    out.put(r.referer);
    out.put(CAPTURE_SEP);
    out.put(r.contentType);
    out.byte(0x7d);
    out.byte(0x20);
  }
  out.byte(0x22);
  out.put(r.method);
  out.byte(0x20);
  out.putRange(r.url.buf, 0, r.url.pos);
  out.put(HTTP_VERSIONS[r.version]!);
}
