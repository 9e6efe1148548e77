/**
 * Counters behind the stats page, derived from the finished-session records that the log
 * emitters receive (a session records events, everything else derives from them): no hook in
 * the session code beyond the connection count.
 */
import type { RequestRecord } from '../session/record.js';
import type { TcpRecord } from '../tcp/record.js';
import { Histogram } from './histogram.js';

export class Counters {
  /** Sessions (frontend: connections; backend/server: streams sent to it). */
  stot = 0;
  smax = 0;
  bin = 0;
  bout = 0;
  dreq = 0;
  ereq = 0;
  econ = 0;
  eresp = 0;
  wretr = 0;
  wredis = 0;
  cliAbrt = 0;
  srvAbrt = 0;
  reqTot = 0;
  /** hrsp_1xx .. hrsp_5xx, hrsp_other */
  readonly hrsp = [0, 0, 0, 0, 0, 0];
  /** Wall-clock ms of the last session (lastsess). */
  lastSess = -1;
  /** Backends and servers: Tr (response headers after connect) of requests that got one, and Tt. */
  readonly tr = new Histogram();
  readonly tt = new Histogram();
}

export class StatsRegistry {
  readonly fe = new Map<string, Counters>();
  readonly be = new Map<string, Counters>();
  /** `backend/server` */
  readonly srv = new Map<string, Counters>();
  readonly started = Date.now();

  #get(m: Map<string, Counters>, k: string): Counters {
    let c = m.get(k);
    if (!c) m.set(k, (c = new Counters()));
    return c;
  }

  frontend(name: string): Counters {
    return this.#get(this.fe, name);
  }
  backend(name: string): Counters {
    return this.#get(this.be, name);
  }
  server(be: string, name: string): Counters {
    return this.#get(this.srv, `${be}/${name}`);
  }

  /** A client connection was accepted by `fe` (`feconn` is the count including it). */
  connection(fe: string, feconn: number): void {
    const c = this.frontend(fe);
    c.stot++;
    if (feconn > c.smax) c.smax = feconn;
  }

  /** Backend and server counters by backend, then server name (no key string per request). */
  readonly #byServer = new Map<string, Map<string, [Counters, Counters]>>();

  #pair(be: string, srv: string): [Counters, Counters] {
    let m = this.#byServer.get(be);
    if (!m) this.#byServer.set(be, (m = new Map()));
    let p = m.get(srv);
    if (!p) m.set(srv, (p = [this.backend(be), this.server(be, srv)]));
    return p;
  }

  /** `%ft` of a TLS listener ends with `~`; the counters are the frontend's. */
  #frontendOf(name: string): Counters {
    return this.frontend(name.endsWith('~') ? name.slice(0, -1) : name);
  }

  observeHttp(r: RequestRecord): void {
    const fe = this.#frontendOf(r.frontend);
    fe.reqTot++;
    fe.bin += r.bytesIn;
    fe.bout += r.bytesOut;
    const k = r.status >= 100 && r.status < 600 ? Math.floor(r.status / 100) - 1 : 5;
    if (r.status > 0) fe.hrsp[k]!++;
    if (r.requestLine === null) fe.ereq++;
    else if (r.cause === 'P' && r.state === 'R') fe.dreq++;
    if (r.server === null || r.server.startsWith('<')) return;
    this.#toServer(r.backend, r.server, r, r.status > 0 ? k : -1);
  }

  observeTcp(r: TcpRecord): void {
    const fe = this.#frontendOf(r.frontend);
    fe.bin += r.bytesIn;
    fe.bout += r.bytesOut;
    if (r.server === null) return;
    this.#toServer(r.backend, r.server, r, -1);
  }

  #toServer(beName: string, srvName: string, r: RequestRecord | TcpRecord, hrsp: number): void {
    const now = Date.now();
    // HAProxy's Tr and Tt (log.c): headers received - connected; close - accept (or end of the previous request)
    const tr = 'tResponse' in r && r.tConnect >= 0 && r.tResponse >= 0 ? r.tResponse - r.tConnect : -1;
    const tt = Math.max(0, r.tClose - ('tStart' in r ? r.tStart : r.tAccept));
    for (const c of this.#pair(beName, srvName)) {
      if (tr >= 0) c.tr.observe(tr);
      c.tt.observe(tt);
      c.stot++;
      c.bin += r.bytesIn;
      c.bout += r.bytesOut;
      c.lastSess = now;
      if (hrsp >= 0) c.hrsp[hrsp]!++;
      c.wretr += r.retries;
      if (r.redispatched) c.wredis++;
      if ((r.cause === 'S' || r.cause === 's') && r.state === 'C') c.econ++;
      if ((r.cause === 'S' || r.cause === 's') && (r.state === 'H' || r.state === 'D')) c.eresp++;
      if ((r.cause === 'C' || r.cause === 'c') && (r.state === 'D' || r.state === 'H')) c.cliAbrt++;
      if ((r.cause === 'S' || r.cause === 's') && r.state === 'D') c.srvAbrt++;
    }
  }
}
