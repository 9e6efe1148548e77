/**
 * Health checks of one server, HAProxy's state machine (check.c): a health counter from 0 to
 * rise + fall - 1; the server is UP at start with the counter full; a failure decrements it
 * and below `rise` it drops to 0 (DOWN); a success increments it and reaching `rise` fills it
 * (UP). The next check comes after `inter` when the counter is full, `downinter` when it is 0
 * and the server DOWN, `fastinter` in between (srv_getinter).
 */
import type { BackendRuntime } from '../backend/backend.js';
import type { ServerChecker, ServerState } from '../backend/server.js';
import type { ServerCheckConfig } from '../config/types.js';
import { LEVEL_ALERT, LEVEL_EMERG, LEVEL_NOTICE, downMessage, noServerMessage, upMessage } from './messages.js';
import { runCheck, type CheckResult } from './probe.js';

export class HealthChecker implements ServerChecker {
  readonly #be: BackendRuntime;
  readonly #srv: ServerState;
  readonly #cfg: ServerCheckConfig;
  /** For the stats page. */
  get server(): ServerState {
    return this.#srv;
  }
  get cfg(): ServerCheckConfig {
    return this.#cfg;
  }
  get health(): number {
    return this.#health;
  }
  #health: number;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  /** Last result, for the stats page. */
  last: CheckResult | null = null;
  /** A check is in flight (HAProxy's CHK_ST_INPROGRESS, shown by `show servers state`). */
  running = false;
  /** Checks that failed (HAProxy's chkfail) and UP->DOWN transitions (chkdown). */
  failed = 0;
  downs = 0;
  /** Wall-clock ms of the last state change. */
  lastChange = Date.now();

  /** State changes are told through the backend's `report`, like maintenance and drain. */
  constructor(be: BackendRuntime, srv: ServerState, cfg: ServerCheckConfig) {
    this.#be = be;
    this.#srv = srv;
    this.#cfg = cfg;
    // HAProxy starts a checked server UP at health `rise`, not at full health: its first
    // failed check takes it down ("UP 1/3" on the stats page until a check passes)
    this.#health = cfg.rise;
  }

  get up(): boolean {
    return this.#srv.usable;
  }

  /** First check after `delay` ms (HAProxy spreads first checks over the interval). */
  start(delay: number): void {
    this.#timer = setTimeout(() => void this.#run(), delay);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  /** The server enters maintenance: no more checks until `resume`, health 0 (HAProxy pauses them). */
  pause(): void {
    this.#paused = true;
    this.#health = 0;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /**
   * The server leaves maintenance: UP at health `rise`, so that one failure takes it down. The
   * next check comes at the check's own pace (`fastinter` at that health), not at once: HAProxy's
   * check task keeps its schedule through maintenance.
   */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#health = this.#cfg.rise;
    if (this.#timer) clearTimeout(this.#timer);
    if (!this.#stopped) this.#timer = setTimeout(() => void this.#run(), this.#interval());
  }
  #paused = false;

  #interval(): number {
    const c = this.#cfg;
    if (this.#health === c.rise + c.fall - 1) return c.inter;
    if (!this.#srv.usable && this.#health === 0) return c.downinter;
    return c.fastinter;
  }

  async #run(): Promise<void> {
    const s = this.#srv;
    this.running = true;
    const r = await runCheck(s.host, this.#cfg.port || s.port, this.#cfg.inter, this.#be.cfg.httpCheck);
    this.running = false;
    // a check in flight when the server entered maintenance is forgotten
    if (this.#stopped || this.#paused) return;
    this.last = r;
    this.#apply(r);
    this.#timer = setTimeout(() => void this.#run(), this.#interval());
  }

  #apply(r: CheckResult): void {
    const c = this.#cfg;
    const max = c.rise + c.fall - 1;
    if (!r.ok) {
      this.failed++;
      if (this.#health > 0) {
        this.#health--;
        if (this.#health < c.rise) this.#health = 0;
      }
      if (this.#health === 0 && this.#srv.usable) this.#change(false, r);
    } else if (this.#health < max) {
      this.#health++;
      if (this.#health >= c.rise) {
        this.#health = max;
        if (!this.#srv.usable && !this.#srv.maint) this.#change(true, r);
      }
    }
  }

  #change(up: boolean, r: CheckResult): void {
    const be = this.#be;
    const s = this.#srv;
    be.setServerUp(s, up);
    this.lastChange = Date.now();
    if (!up) this.downs++;
    const counts = be.farmCounts(s);
    const name = be.serverName(s);
    if (up) be.report?.(LEVEL_NOTICE, upMessage(name, r, counts));
    else {
      be.report?.(LEVEL_ALERT, downMessage(name, r, counts));
      if (counts.active === 0 && counts.backup === 0) be.report?.(LEVEL_EMERG, noServerMessage(be.cfg.name));
    }
  }
}

/**
 * Starts a checker for every server with `check`. A `disabled` one gets its checker paused,
 * as in HAProxy: the runtime API may take it out of maintenance, and checks start then.
 */
export function startHealthChecks(backends: Iterable<BackendRuntime>): HealthChecker[] {
  const out: HealthChecker[] = [];
  for (const be of backends) {
    const withCheck = be.cfg.servers.filter((sc) => sc.check && !sc.disabled);
    for (const sc of be.cfg.servers) {
      if (!sc.check) continue;
      const srv = be.servers.find((x) => x.name === sc.name)!;
      const hc = new HealthChecker(be, srv, sc.check);
      // spread the first checks over the interval, like HAProxy's start-up
      if (sc.disabled) hc.pause();
      else hc.start(Math.floor((sc.check.inter * withCheck.indexOf(sc)) / withCheck.length) + 1);
      srv.checker = hc;
      out.push(hc);
    }
  }
  return out;
}
