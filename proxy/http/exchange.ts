/**
 * One request/response exchange on a server connection: writes the request, parses the
 * response head, streams the body back through hooks, and reports how it ended. It knows
 * nothing of logs: the session turns its outcomes into statuses and termination states.
 */
import type net from 'node:net';
import { ChunkedScanner, MAX_HEAD, headEnd, parseResponseHead, responseFraming, type Framing, type ResponseHead } from './parser.js';

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
  onHead(head: ResponseHead, framing: Framing): void;
  /** `101 Switching Protocols`: the exchange lets go of the socket; `rest` = bytes after the head. */
  onUpgrade?(head: ResponseHead, rest: Buffer): void;
  /** Body bytes to forward as they are; `payload` is the data they carry (chunk framing excluded). */
  onData(chunk: Buffer, payload: number): void;
  /** Response complete; `reusable` says whether the connection may serve another request. */
  onEnd(reusable: boolean): void;
  onFail(kind: ExchangeFailure, gotBytes: boolean): void;
}

export class Exchange {
  readonly sock: net.Socket;
  readonly #hooks: ExchangeHooks;
  readonly #method: string;
  #buf: Buffer | null = null;
  #head: ResponseHead | null = null;
  #framing: Framing | null = null;
  #remaining = 0;
  #chunked: ChunkedScanner | null = null;
  #done = false;
  #gotBytes = false;
  #timer: NodeJS.Timeout | null = null;
  /** Set when the request body has been fully written (a reusable connection needs it). */
  requestComplete = false;

  constructor(sock: net.Socket, method: string, serverTimeout: number, hooks: ExchangeHooks) {
    this.sock = sock;
    this.#method = method;
    this.#hooks = hooks;
    sock.on('data', (c: Buffer) => this.#onData(c));
    sock.on('end', () => this.#onClose());
    sock.on('close', () => this.#onClose());
    sock.on('error', () => this.#onClose());
    if (serverTimeout > 0) {
      // One refreshable timer per exchange, refreshed on server activity (ms resolution).
      this.#timer = setTimeout(() => this.#onTimeout(), serverTimeout);
    }
  }

  get gotBytes(): boolean {
    return this.#gotBytes;
  }

  write(buf: Buffer): boolean {
    return this.sock.write(buf);
  }

  /** Stop listening and free the timer; the caller decides what to do with the socket. */
  detach(): void {
    this.#done = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
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
    this.#fail(this.#head ? 'timeout-data' : 'timeout-head');
  }

  #onClose(): void {
    if (this.#done) return;
    if (this.#head && this.#framing?.kind === 'close') return this.#finish(false);
    this.#fail(this.#head ? 'aborted-data' : 'closed-before-head');
  }

  #onData(chunk: Buffer): void {
    if (this.#done) return;
    this.#gotBytes = true;
    this.#timer?.refresh();
    if (this.#head === null) {
      const buf = this.#buf ? Buffer.concat([this.#buf, chunk]) : chunk;
      this.#buf = null;
      this.#parseHeads(buf);
      return;
    }
    this.#body(chunk);
  }

  #parseHeads(buf: Buffer): void {
    let b = buf;
    for (;;) {
      const end = headEnd(b);
      if (end < 0) {
        if (b.length > MAX_HEAD) return this.#fail('bad-head');
        this.#buf = b;
        return;
      }
      const head = parseResponseHead(b.toString('latin1', 0, end));
      if (!head) return this.#fail('bad-head');
      b = b.subarray(end);
      if (head.status < 200) {
        if (head.status === 101) {
          if (!this.#hooks.onUpgrade) return this.#fail('bad-head');
          this.detach();
          return this.#hooks.onUpgrade(head, b);
        }
        this.#hooks.onInterim(head);
        continue;
      }
      const framing = responseFraming(this.#method, head);
      if (!framing) return this.#fail('bad-head');
      this.#head = head;
      this.#framing = framing;
      this.#hooks.onHead(head, framing);
      if (this.#done) return;
      if (framing.kind === 'none') {
        if (b.length > 0) this.#buf = b; // garbage after a bodyless response: not reusable
        return this.#finish(!head.close);
      }
      if (framing.kind === 'length') this.#remaining = framing.length;
      if (framing.kind === 'chunked') this.#chunked = new ChunkedScanner();
      if (b.length > 0) this.#body(b);
      return;
    }
  }

  #body(chunk: Buffer): void {
    const f = this.#framing!;
    if (f.kind === 'close') {
      this.#hooks.onData(chunk, chunk.length);
      return;
    }
    if (f.kind === 'length') {
      const take = Math.min(this.#remaining, chunk.length);
      this.#remaining -= take;
      this.#hooks.onData(take === chunk.length ? chunk : chunk.subarray(0, take), take);
      if (this.#remaining === 0) {
        if (take < chunk.length) this.#buf = chunk.subarray(take);
        this.#finish(!this.#head!.close);
      }
      return;
    }
    const sc = this.#chunked!;
    const before = sc.payload;
    const end = sc.feed(chunk);
    if (sc.error) return this.#fail('aborted-data');
    const part = end < 0 || end === chunk.length ? chunk : chunk.subarray(0, end);
    this.#hooks.onData(part, sc.payload - before);
    if (end >= 0) {
      if (end < chunk.length) this.#buf = chunk.subarray(end);
      this.#finish(!this.#head!.close);
    }
  }
}
