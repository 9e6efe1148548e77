/**
 * Health checks of one server, HAProxy's state machine (check.c): a health counter from 0 to
 * rise + fall - 1; the server is UP at start with the counter full; a failure decrements it
 * and below `rise` it drops to 0 (DOWN); a success increments it and reaching `rise` fills it
 * (UP). The next check comes after `inter` when the counter is full, `downinter` when it is 0
 * and the server DOWN, `fastinter` in between (srv_getinter).
 */
import type { BackendRuntime } from '../backend/backend.js';
import type { ServerState } from '../backend/server.js';
import type { ServerCheckConfig } from '../config/types.js';
import { LEVEL_ALERT, LEVEL_EMERG, LEVEL_NOTICE, downMessage, noServerMessage, upMessage, type FarmCounts } from './messages.js';
import { runCheck, type CheckResult } from './probe.js';

/** Where state changes go: the backend's loggers and the process's stderr. */
export type CheckReport = (level: number, message: string) => void;

export class HealthChecker {
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
  readonly #report: CheckReport;
  #health: number;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  /** Last result, for the stats page. */
  last: CheckResult | null = null;
  /** Checks that failed (HAProxy's chkfail) and UP->DOWN transitions (chkdown). */
  failed = 0;
  downs = 0;
  /** Wall-clock ms of the last state change. */
  lastChange = Date.now();

  constructor(be: BackendRuntime, srv: ServerState, cfg: ServerCheckConfig, report: CheckReport) {
    this.#be = be;
    this.#srv = srv;
    this.#cfg = cfg;
    this.#report = report;
    this.#health = cfg.rise + cfg.fall - 1;
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

  #interval(): number {
    const c = this.#cfg;
    if (this.#health === c.rise + c.fall - 1) return c.inter;
    if (!this.#srv.usable && this.#health === 0) return c.downinter;
    return c.fastinter;
  }

  async #run(): Promise<void> {
    const s = this.#srv;
    const r = await runCheck(s.host, this.#cfg.port || s.port, this.#cfg.inter, this.#be.cfg.httpCheck);
    if (this.#stopped) return;
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
    const counts: FarmCounts = {
      active: be.servers.filter((x) => !x.backup && x.usable).length,
      backup: be.servers.filter((x) => x.backup && x.usable).length,
      sessions: s.cur,
      queued: s.queue.length,
    };
    if (up) this.#report(LEVEL_NOTICE, upMessage(be.cfg.name, s.name, r, counts));
    else {
      this.#report(LEVEL_ALERT, downMessage(be.cfg.name, s.name, r, counts));
      if (counts.active === 0 && counts.backup === 0) this.#report(LEVEL_EMERG, noServerMessage(be.cfg.name));
    }
  }
}

/** Starts a checker for every server with `check` (not for `disabled` ones: they stay in maintenance). */
export function startHealthChecks(backends: Iterable<BackendRuntime>, reportFor: (be: BackendRuntime) => CheckReport): HealthChecker[] {
  const out: HealthChecker[] = [];
  for (const be of backends) {
    const withCheck = be.cfg.servers.filter((sc) => sc.check && !sc.disabled);
    withCheck.forEach((sc, i) => {
      const srv = be.servers.find((x) => x.name === sc.name)!;
      const hc = new HealthChecker(be, srv, sc.check!, reportFor(be));
      // spread the first checks over the interval, like HAProxy's start-up
      hc.start(Math.floor((sc.check!.inter * i) / withCheck.length) + 1);
      srv.checker = hc;
      out.push(hc);
    });
  }
  return out;
}
