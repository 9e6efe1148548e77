/**
 * One request/response exchange on a server connection: writes the request, parses the
 * response head, streams the body back through hooks, and reports how it ended. It knows
 * nothing of logs: the session turns its outcomes into statuses and termination states.
 */
import type net from 'node:net';
import type { ConnReader, ServerConn } from '../backend/connect.js';
import { ChunkedScanner, MAX_HEAD, headEnd, parseResponseHead, responseFraming, type Framing, type ResponseHead } from './parser.js';
import { rawFraming, scanResponseHead, type RawHeadScan } from './raw-head.js';

export type ExchangeFailure =
  /** connection closed or reset before any response byte */
  | 'closed-before-head'
  /** `timeout server` expired before complete headers */
  | 'timeout-head'
  /** the response head is invalid or too large */
  | 'bad-head'
  /** `timeout server` expired during the body */
  | 'timeout-data'
  /** connection closed or reset during the body */
  | 'aborted-data';

export interface ExchangeHooks {
  /** An interim 1xx response (wire bytes as received). */
  onInterim(head: ResponseHead): void;
  /**
   * The final response head. `more`: this same read goes on with onData or onEnd before the
   * exchange returns (body bytes follow the head, or there is no body).
   */
  onHead(head: ResponseHead, framing: Framing, more: boolean): void;
  /**
   * The final response head as bytes, buf[0, end), read by raw-head.ts (only for an exchange
   * made with `rawHeads`; a head it declines comes to onHead). `scan` is valid during the
   * call only. Returns true when a reference to `buf` outlives the call, as onData.
   */
  onRawHead(buf: Buffer, end: number, scan: RawHeadScan, framing: Framing, more: boolean): boolean;
  /** `101 Switching Protocols`: the exchange lets go of the socket; `rest` = bytes after the head. */
  onUpgrade?(head: ResponseHead, rest: Buffer): void;
  /**
   * Body bytes to forward as they are; `payload` is the data they carry (chunk framing
   * excluded). Returns true when a reference to `chunk` outlives the call (ConnReader.data).
   */
  onData(chunk: Buffer, payload: number): boolean;
  /** Response complete; `reusable` says whether the connection may serve another request. */
  onEnd(reusable: boolean): void;
  onFail(kind: ExchangeFailure, gotBytes: boolean): void;
}

/** `timeout server` of an exchange: one function for all (proxy/deadline.ts), set below. */
let onExchangeTimeout: (ex: Exchange) => void;

export class Exchange implements ConnReader {
  readonly sock: net.Socket;
  readonly #conn: ServerConn;
  readonly #hooks: ExchangeHooks;
  readonly #method: string;
  readonly #serverTimeout: number;
  #buf: Buffer | null = null;
  /** The final response head has been read; whether the server closes after it. */
  #gotHead = false;
  #serverCloses = false;
  /** Response heads may be handed over as bytes (onRawHead). */
  readonly #rawHeads: boolean;
  #framing: Framing | null = null;
  #remaining = 0;
  #chunked: ChunkedScanner | null = null;
  #done = false;
  #gotBytes = false;
  /** The current read's chunk is referenced after data() returns. */
  #kept = false;
  /** Set when the request body has been fully written (a reusable connection needs it). */
  requestComplete = false;

  constructor(conn: ServerConn, method: string, serverTimeout: number, hooks: ExchangeHooks, rawHeads = false) {
    this.#conn = conn;
    this.#rawHeads = rawHeads;
    this.sock = conn.sock;
    this.#method = method;
    this.#hooks = hooks;
    this.#serverTimeout = serverTimeout;
    conn.reader = this;
    // `timeout server`: the connection's one timer, moved on server activity (ms resolution)
    if (serverTimeout > 0) conn.deadline.set(serverTimeout, onExchangeTimeout, this);
  }

  get gotBytes(): boolean {
    return this.#gotBytes;
  }

  write(buf: Buffer): boolean {
    return this.sock.write(buf);
  }

  /** Stop reading and free the timer; the caller decides what to do with the socket. */
  detach(): void {
    this.#done = true;
    this.#conn.deadline.clear();
  }

  #finish(reusable: boolean): void {
    if (this.#done) return;
    this.detach();
    this.#hooks.onEnd(reusable && this.requestComplete && this.#buf === null);
  }

  #fail(kind: ExchangeFailure): void {
    if (this.#done) return;
    this.detach();
    this.sock.destroy();
    this.#hooks.onFail(kind, this.#gotBytes);
  }

  #onTimeout(): void {
    this.#fail(this.#gotHead ? 'timeout-data' : 'timeout-head');
  }

  static {
    onExchangeTimeout = (ex: Exchange): void => ex.#onTimeout();
  }

  end(): void {
    this.#onClose();
  }

  error(): void {
    this.#onClose();
  }

  close(): void {
    this.#onClose();
  }

  #onClose(): void {
    if (this.#done) return;
    if (this.#gotHead && this.#framing?.kind === 'close') return this.#finish(false);
    this.#fail(this.#gotHead ? 'aborted-data' : 'closed-before-head');
  }

  data(chunk: Buffer): boolean {
    if (this.#done) return false;
    this.#gotBytes = true;
    if (this.#serverTimeout > 0) this.#conn.deadline.refresh(this.#serverTimeout);
    this.#kept = false;
    if (!this.#gotHead) {
      const buf = this.#buf ? Buffer.concat([this.#buf, chunk]) : chunk;
      this.#buf = null;
      this.#parseHeads(buf);
    } else this.#body(chunk);
    return this.#kept;
  }

  /** Keeps the rest of a read for later (a partial head, bytes after the response). */
  #keep(b: Buffer): void {
    this.#buf = b;
    this.#kept = true;
  }

  #parseHeads(buf: Buffer): void {
    let b = buf;
    for (;;) {
      const end = headEnd(b);
      if (end < 0) {
        if (b.length > MAX_HEAD) return this.#fail('bad-head');
        return this.#keep(b);
      }
      if (this.#rawHeads && scanResponseHead(b, end, SCAN)) return this.#rawHead(b, end);
      const head = parseResponseHead(b.toString('latin1', 0, end));
      if (!head) return this.#fail('bad-head');
      b = b.subarray(end);
      if (head.status < 200) {
        if (head.status === 101) {
          if (!this.#hooks.onUpgrade) return this.#fail('bad-head');
          this.detach();
          // the tunnel writes these bytes to the client, maybe later: a copy, not a view of the read
          return this.#hooks.onUpgrade(head, Buffer.from(b));
        }
        this.#hooks.onInterim(head);
        continue;
      }
      const framing = responseFraming(this.#method, head);
      if (!framing) return this.#fail('bad-head');
      this.#gotHead = true;
      this.#framing = framing;
      this.#serverCloses = head.close;
      this.#hooks.onHead(head, framing, b.length > 0 || framing.kind === 'none');
      return this.#afterHead(b, framing);
    }
  }

  /** A final head the hooks take as bytes: no head string, no header objects. */
  #rawHead(buf: Buffer, end: number): void {
    const framing = rawFraming(this.#method, SCAN);
    const b = buf.subarray(end);
    this.#gotHead = true;
    this.#framing = framing;
    this.#serverCloses = SCAN.close;
    if (this.#hooks.onRawHead(buf, end, SCAN, framing, b.length > 0 || framing.kind === 'none')) this.#kept = true;
    this.#afterHead(b, framing);
  }

  /** The body after the final head: `b` holds the bytes of this read after the head. */
  #afterHead(b: Buffer, framing: Framing): void {
    if (this.#done) return;
    if (framing.kind === 'none') {
      if (b.length > 0) this.#keep(b); // garbage after a bodyless response: not reusable
      return this.#finish(!this.#serverCloses);
    }
    if (framing.kind === 'length') this.#remaining = framing.length;
    if (framing.kind === 'chunked') this.#chunked = new ChunkedScanner();
    if (b.length > 0) this.#body(b);
  }

  #body(chunk: Buffer): void {
    const f = this.#framing!;
    if (f.kind === 'close') {
      if (this.#hooks.onData(chunk, chunk.length)) this.#kept = true;
      return;
    }
    if (f.kind === 'length') {
      const take = Math.min(this.#remaining, chunk.length);
      this.#remaining -= take;
      if (this.#hooks.onData(take === chunk.length ? chunk : chunk.subarray(0, take), take)) this.#kept = true;
      if (this.#remaining === 0) {
        if (take < chunk.length) this.#keep(chunk.subarray(take));
        this.#finish(!this.#serverCloses);
      }
      return;
    }
    const sc = this.#chunked!;
    const before = sc.payload;
    const end = sc.feed(chunk);
    if (sc.error) return this.#fail('aborted-data');
    const part = end < 0 || end === chunk.length ? chunk : chunk.subarray(0, end);
    if (this.#hooks.onData(part, sc.payload - before)) this.#kept = true;
    if (end >= 0) {
      if (end < chunk.length) this.#keep(chunk.subarray(end));
      this.#finish(!this.#serverCloses);
    }
  }
}

/** One scan result for every exchange: it is read during onRawHead only, before any other head is scanned. */
const SCAN: RawHeadScan = { status: 0, v11: true, close: false, length: -1, htx: 0, size: 0 };
