/**
 * A FLOOR, not a product: the least an HTTP/1 proxy on Node's public `net` API does per
 * request, for test/bench/proxy-vs-haproxy.ts. It accepts, reads until the end of the request
 * head, writes the head to an idle keep-alive server connection from a pool (a new one when
 * none is idle), forwards the response by its Content-Length and, when the client asked for
 * `Connection: close`, closes the client (close(2) alone once the response is written, as
 * haloscope does for a quiet client). No log, no timers, no header parsing beyond finding
 * the end of the head, the Content-Length and wrk's exact `Connection: close` line; no
 * chunked bodies, no request bodies, no errors handled beyond dropping the connection.
 * Whatever this costs per request on a machine, no Node proxy built on net.Socket can cost
 * less, so haproxy's figure over this one bounds what such a proxy can reach.
 *
 *   node dist/test/bench/proxy-floor.js <listen port> <backend port>
 */
import dgram from 'node:dgram';
import net from 'node:net';

const PORT = Number(process.argv[2]);
const BE = Number(process.argv[3]);
/** `log <udp port>`: also the log's unavoidable part, the peer address and one datagram per request. */
const LOG = process.argv[4] === 'log' ? Number(process.argv[5]) : 0;
const udp = LOG ? dgram.createSocket('udp4') : null;
if (udp) udp.on('error', () => {}).connect(LOG, '127.0.0.1');
const LINE = Buffer.alloc(180, 'x');

const CRLF2 = Buffer.from('\r\n\r\n');
/** wrk's header: removed upstream so that the server connection stays in the pool. */
const REQ_CLOSE = Buffer.from('\r\nConnection: close');
/** nginx's answer to a keep-alive request, changed so that the client sees why we close. */
const RES_KEEP = Buffer.from('\r\nConnection: keep-alive');
const RES_CLOSE = Buffer.from('\r\nConnection: close');
const CL = Buffer.from('\r\ncontent-length:');

const idle: Upstream[] = [];

/** A server connection and the client it currently answers. */
class Upstream {
  readonly sock: net.Socket;
  client: Client | null = null;
  /** Bytes of the current response left to forward; -1 while its head is incomplete. */
  left = -1;
  head: Buffer | null = null;

  constructor() {
    this.sock = net.connect({ port: BE, host: '127.0.0.1', noDelay: true });
    this.sock.on('data', (d: Buffer) => this.onData(d));
    this.sock.on('error', () => this.drop());
    this.sock.on('close', () => this.drop());
  }

  onData(d: Buffer): void {
    const c = this.client;
    if (!c) return;
    if (this.left < 0) {
      const b = this.head ? Buffer.concat([this.head, d]) : d;
      const end = b.indexOf(CRLF2);
      if (end < 0) {
        this.head = b;
        return;
      }
      this.head = null;
      this.left = contentLength(b, end) - (b.length - end - 4);
      d = c.close ? closeHead(b, end) : b;
    } else this.left -= d.length;
    if (this.left > 0) {
      c.sock.write(d);
      return;
    }
    this.client = null;
    this.left = -1;
    idle.push(this);
    c.done(d);
    if (udp) udp.send(LINE);
  }

  drop(): void {
    const i = idle.indexOf(this);
    if (i >= 0) idle.splice(i, 1);
    this.client?.sock.destroy();
    this.client = null;
  }
}

/** A client connection: one request at a time. */
class Client {
  readonly sock: net.Socket;
  close = false;
  head: Buffer | null = null;
  peer = '';

  constructor(sock: net.Socket) {
    this.sock = sock;
    if (udp) this.peer = `${sock.remoteAddress}:${sock.remotePort}`;
    sock.on('data', (d: Buffer) => this.onData(d));
    sock.on('error', () => sock.destroy());
  }

  onData(d: Buffer): void {
    const b = this.head ? Buffer.concat([this.head, d]) : d;
    const end = b.indexOf(CRLF2);
    if (end < 0) {
      this.head = b;
      return;
    }
    this.head = null;
    const at = b.indexOf(REQ_CLOSE);
    this.close = at >= 0 && at < end;
    const up = idle.pop() ?? new Upstream();
    up.client = this;
    up.sock.write(this.close ? Buffer.concat([b.subarray(0, at), b.subarray(at + REQ_CLOSE.length, end + 4)]) : b.subarray(0, end + 4));
  }

  done(last: Buffer): void {
    if (!this.close) {
      this.sock.write(last);
      return;
    }
    this.sock.write(last, () => this.sock.destroy());
  }
}

/** The value of the first Content-Length header (ASCII case-insensitive), 0 when none. */
function contentLength(b: Buffer, end: number): number {
  let i = 0;
  outer: for (; i < end; i++) {
    for (let k = 0; k < CL.length; k++) if ((b[i + k]! | (k > 1 ? 0x20 : 0)) !== (CL[k]! | (k > 1 ? 0x20 : 0))) continue outer;
    let n = 0;
    for (let j = i + CL.length; j < end; j++) {
      const c = b[j]!;
      if (c >= 0x30 && c <= 0x39) n = n * 10 + c - 0x30;
      else if (c !== 0x20) break;
    }
    return n;
  }
  return 0;
}

/** The response with nginx's `Connection: keep-alive` made `Connection: close`. */
function closeHead(b: Buffer, end: number): Buffer {
  const at = b.indexOf(RES_KEEP);
  if (at < 0 || at > end) return Buffer.concat([b.subarray(0, end), RES_CLOSE, b.subarray(end)]);
  return Buffer.concat([b.subarray(0, at), RES_CLOSE, b.subarray(at + RES_KEEP.length)]);
}

net.createServer({ noDelay: true }, (sock) => new Client(sock)).listen({ port: PORT, host: '127.0.0.1', backlog: 1024 });
process.on('SIGTERM', () => process.exit(0));
