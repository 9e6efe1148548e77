/**
 * What the runtime API and the Prometheus exporter read of a running proxy: the live
 * frontends, backends, checks and sessions, and the counters of finished sessions. Built once
 * by proxy/runtime.ts; everything in it is read at the time of each command or scrape.
 */
import type { GlobalConfig } from '../config/types.js';
import type { ProcessCounters } from '../frontend/frontend.js';
import type { Session } from '../frontend/listeners.js';
import type { StatsSources } from './snapshot.js';

export interface RuntimeView extends StatsSources {
  readonly global: GlobalConfig;
  readonly process: ProcessCounters;
  /** The pid the logs carry (the primary's with `nbthread` > 1). */
  readonly pid: number;
  /** Client sessions of every frontend. */
  sessions(): Iterable<Session>;
}

/** HAProxy's ids for the runtime API: 1 when a `stats socket` exists (its CLI proxy takes the first). */
export const iidOffset = (v: RuntimeView): number => (v.global.statsSockets.length ? 1 : 0);
