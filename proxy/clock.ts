/**
 * One clock for every session event: wall-clock milliseconds that never go backwards
 * (performance.timeOrigin + performance.now(), floored). Timers in logs are differences of
 * these integer values, like HAProxy's `now_ms` ticks.
 */
const origin = performance.timeOrigin;
export const nowMs = (): number => Math.floor(origin + performance.now());
