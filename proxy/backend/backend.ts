/**
 * A backend at run time: servers, the balancer for active servers, backup selection, the
 * backend queue and per-server queues. `assign()` returns an outcome value, never throws:
 * `ok` (slot taken), `queued` (will be resolved later), `nosrv` (no usable server).
 */
import type { ProxyConfig } from '../config/types.js';
import { algorithm } from '../lb/index.js';
import { canTake, isFull, type Balancer, type LbAlgorithm, type LbRequest } from '../lb/types.js';
import type { Waiter } from './queue.js';
import { ServerState } from './server.js';
import { StickTable } from '../persist/stick-table.js';
import {
  LEVEL_ALERT,
  LEVEL_EMERG,
  LEVEL_NOTICE,
  downToMaintenanceMessage,
  drainMessage,
  leaveDrainMessage,
  leaveMaintenanceMessage,
  maintenanceMessage,
  noServerMessage,
  stillDrainingMessage,
  type FarmCounts,
  type ServerName,
  type ServerReport,
} from '../checks/messages.js';

export type Assignment =
  | { readonly kind: 'ok'; readonly server: ServerState }
  | {
      readonly kind: 'queued';
      readonly waiter: Promise<ServerState | null>;
      /** Which queue it waits in (the log shows the position in `%sq` or `%bq`). */
      readonly inServerQueue: boolean;
      /** Requests that left its queue while it waited, plus one (HAProxy's queue position). */
      position(): number;
      cancel(): void;
    }
  | { readonly kind: 'nosrv' };

export class BackendRuntime {
  readonly cfg: ProxyConfig;
  readonly servers: readonly ServerState[];
  readonly #active: ServerState[];
  readonly #backups: ServerState[];
  readonly #algorithm: LbAlgorithm;
  readonly #balancer: Balancer;
  readonly #queue: Waiter[] = [];
  /** Requests ever dequeued from the backend queue (positions are differences of this). */
  #dequeued = 0;
  /** Streams currently assigned to this backend (HAProxy's beconn). */
  beconn = 0;

  constructor(cfg: ProxyConfig) {
    this.cfg = cfg;
    this.servers = cfg.servers.map((s) => new ServerState(s));
    this.#active = this.servers.filter((s) => !s.backup);
    this.#backups = this.servers.filter((s) => s.backup);
    this.#algorithm = algorithm(cfg.balance.algorithm);
    this.#balancer = this.#algorithm.init(this.#active, cfg.balance.arg);
    this.#stick = cfg.stick ? new StickTable<ServerState>(cfg.stick.size, cfg.stick.expire) : null;
    // an immediate assignment is the same value every time for a server: one object each, not one per request
    this.#ok = new Map(this.servers.map((s) => [s, { kind: 'ok', server: s }]));
  }
  readonly #ok: ReadonlyMap<ServerState, Assignment>;
  readonly #stick: StickTable<ServerState> | null;

  /** Times the farm lost its last usable server (HAProxy's `chkdown` of the BACKEND row). */
  downs = 0;
  /** Wall-clock ms of the last time the farm went down or came back (`lastchg` of the BACKEND row). */
  lastChange = Date.now();

  /** A health check (proxy/checks/) marked `s` DOWN or UP: the balancer follows. */
  setServerUp(s: ServerState, up: boolean): void {
    if (up && s.maint) return;
    const before = this.farmUp;
    this.#setUsable(s, up);
    this.#farmChanged(before);
  }

  /**
   * Whether balancing has a server to give a request to (HAProxy: a non-zero total weight of
   * usable servers), which is what makes the backend UP in the stats.
   */
  get farmUp(): boolean {
    return this.servers.some(canTake);
  }

  /**
   * Whether the runtime API may set this weight: HAProxy's static algorithms (static-rr,
   * map-based hashing) only take 0 or the initial weight.
   */
  weightAllowed(s: ServerState, w: number): boolean {
    return w === 0 || w === s.initialWeight || this.#algorithm.dynamicWeights;
  }

  /** `set server <b>/<s> weight <w>`: `w` already checked with `weightAllowed`. */
  setServerWeight(s: ServerState, w: number): void {
    const before = this.farmUp;
    s.userWeight = w;
    if (!s.backup) this.#balancer.onWeight(s);
    this.#farmChanged(before);
  }

  /**
   * `set server <b>/<s> state ready|drain|maint` (and `enable`/`disable server`), as HAProxy's
   * srv_adm_set_*: maintenance takes the server out whatever its checks say and pauses them
   * (health 0); leaving it puts a checked server back UP at health `rise`, and checks resume.
   * Draining keeps the server UP for persistent requests and out of balancing.
   *
   * One forced flag is set, then the other cleared, each change a status update of its own
   * with its own messages (server.c srv_update_status), so that `drain` out of maintenance
   * says both that the server leaves maintenance and that it remains draining.
   */
  setServerAdmin(s: ServerState, state: 'ready' | 'drain' | 'maint'): void {
    if (state === 'maint') {
      this.#setMaintenance(s, true);
      this.#setDrain(s, false);
    } else if (state === 'drain') {
      this.#setDrain(s, true);
      this.#setMaintenance(s, false);
    } else {
      this.#setDrain(s, false);
      this.#setMaintenance(s, false);
    }
  }

  /** Where server state changes are told, by checks, maintenance and drain (the backend's loggers and stderr); set by the runtime. */
  report: ServerReport | null = null;

  serverName(s: ServerState): ServerName {
    return { backend: this.cfg.name, server: s.name, backup: s.backup };
  }

  /** What a state-change message says of the farm: HAProxy's srv_act/srv_bck leave out draining servers and weight 0. */
  farmCounts(s: ServerState): FarmCounts {
    let active = 0;
    let backup = 0;
    for (const x of this.servers) if (canTake(x)) x.backup ? backup++ : active++;
    return { active, backup, sessions: s.cur, queued: s.queue.length };
  }

  #setMaintenance(s: ServerState, on: boolean): void {
    if (s.maint === on) return;
    const before = this.farmUp;
    s.maint = on;
    s.lastChange = Date.now();
    if (on) {
      // not in maintenance until now, so only a check can have taken it down
      const wasDown = !s.usable;
      if (s.checker) {
        s.checker.pause();
        s.checkPaused = true;
      } else s.uncheckedHealth = 0;
      this.#setUsable(s, false);
      if (wasDown) this.report?.(LEVEL_NOTICE, downToMaintenanceMessage(this.serverName(s)));
      else this.report?.(s.drain ? LEVEL_NOTICE : LEVEL_ALERT, maintenanceMessage(this.serverName(s), this.farmCounts(s)));
      if (before && !this.farmUp) this.report?.(LEVEL_EMERG, noServerMessage(this.cfg.name));
    } else {
      if (s.checker) {
        s.checkPaused = false;
        s.checker.resume();
      }
      this.#setUsable(s, true);
      this.report?.(LEVEL_NOTICE, leaveMaintenanceMessage(this.serverName(s), s.drain));
      if (s.drain) this.report?.(LEVEL_NOTICE, stillDrainingMessage(this.serverName(s)));
    }
    this.#farmChanged(before);
  }

  #setDrain(s: ServerState, on: boolean): void {
    if (s.drain === on) return;
    const before = this.farmUp;
    s.drain = on;
    s.lastChange = Date.now();
    if (!s.backup) this.#balancer.onWeight(s);
    // HAProxy says nothing of drain while the server is in maintenance
    if (!s.maint) {
      if (on) {
        this.report?.(LEVEL_NOTICE, drainMessage(this.serverName(s), s.usable, this.farmCounts(s)));
        if (before && !this.farmUp) this.report?.(LEVEL_EMERG, noServerMessage(this.cfg.name));
      } else this.report?.(LEVEL_NOTICE, leaveDrainMessage(this.serverName(s), s.usable));
    }
    this.#farmChanged(before);
  }

  #setUsable(s: ServerState, up: boolean): void {
    if (s.usable === up) return;
    s.usable = up;
    s.lastChange = Date.now();
    if (!up) s.downs++;
    if (!s.backup) (up ? this.#balancer.onUp(s) : this.#balancer.onDown(s));
  }

  #farmChanged(before: boolean): void {
    const after = this.farmUp;
    if (before === after) return;
    this.lastChange = Date.now();
    if (!after) this.downs++;
  }

  get queueLength(): number {
    return this.#queue.length;
  }

  #take(s: ServerState): void {
    s.cur++;
    this.#balancer.onTake(s);
  }

  /** The server that should take `req` now, a full hashed server, or null when all are full. */
  #choose(req: LbRequest, avoid?: ServerState): ServerState | null | 'none' {
    if (this.#active.some(canTake)) return this.#balancer.pick(req, avoid) as ServerState | null;
    // Without `option allbackups`, HAProxy uses the first usable backup only.
    const b = this.#backups.find(canTake);
    if (!b) return 'none';
    return b;
  }

  /** `forced`: the server a persistence cookie designates (usable), instead of balancing. */
  assign(req: LbRequest, queueTimeout: number, avoid?: ServerState, forced?: ServerState): Assignment {
    // `stick on src`: a known client goes back to its server while that one is usable; a
    // retry elsewhere (`avoid`, redispatch) or a balanced pick updates the entry
    const now = this.#stick ? Date.now() : 0;
    const stuck = this.#stick && !avoid ? this.#stick.lookup(req.src, now) : undefined;
    // like HAProxy, a stuck client follows its server while that one is UP, even draining
    // or at weight 0 (stream.c: cur_state != SRV_ST_STOPPED)
    const s = forced ?? (stuck && stuck.usable ? stuck : this.#choose(req, avoid));
    if (s === 'none') return { kind: 'nosrv' };
    if (s !== null) this.#stick?.store(req.src, s, now);
    if (s !== null && !isFull(s)) {
      this.#take(s);
      return this.#ok.get(s) ?? { kind: 'ok', server: s };
    }
    const list = s === null ? this.#queue : s.queue;
    let waiter!: Waiter;
    const promise = new Promise<ServerState | null>((resolve) => {
      waiter = { resolve, timer: null, req, start: s === null ? this.#dequeued : s.dequeued, position: 0, inServerQueue: s !== null };
    });
    const remove = (): void => {
      const i = list.indexOf(waiter);
      if (i >= 0) list.splice(i, 1);
      if (waiter.timer) clearTimeout(waiter.timer);
    };
    const owner = s;
    if (queueTimeout > 0)
      waiter.timer = setTimeout(() => {
        remove();
        // position as HAProxy counts it: requests that left this queue meanwhile, plus one
        waiter.position = (owner === null ? this.#dequeued : owner.dequeued) - waiter.start + 1;
        waiter.resolve(null);
      }, queueTimeout);
    list.push(waiter);
    return { kind: 'queued', waiter: promise, cancel: remove, position: () => waiter.position, inServerQueue: s !== null };
  }

  /**
   * A request finished on `s`: free its slot and hand it to the next waiter, if any. Returns
   * true when the slot went to a waiter: HAProxy does not count that waiter as served until it
   * runs, so a log written right now must not count it in `srv_conn` either.
   */
  release(s: ServerState): boolean {
    s.cur--;
    this.#balancer.onRelease(s);
    if (!s.usable || isFull(s)) return false;
    const fromServer = s.queue.length > 0;
    const next = fromServer ? s.queue.shift() : this.#queue.shift();
    if (!next) return false;
    next.position = (fromServer ? s.dequeued : this.#dequeued) - next.start + 1;
    if (fromServer) s.dequeued++;
    else this.#dequeued++;
    if (next.timer) clearTimeout(next.timer);
    this.#take(s);
    next.resolve(s);
    return true;
  }
}
