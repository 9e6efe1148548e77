/**
 * `show sess`: one line per stream, as HAProxy 2.6 (stream.c, cli_io_handler_dump_sess) up to
 * its `age` field: `<id>: proto=tcpv4 src=<ip>:<port> fe=<fe> be=<be> srv=<srv> ts=00
 * epoch=<n> age=<t>`. HAProxy goes on with scheduler and buffer internals (calls, rate, cpu,
 * lat, rq[...], rp[...], scf/scb, exp) that haloscope does not have, so the line stops there.
 * Streams are listed by creation; like HAProxy, an HTTP connection between two requests has
 * no stream, and the CLI connection running the command is one (`fe=GLOBAL`). `ts` is the
 * task state: 00 for every stream, since nothing else runs while the CLI answers.
 */
import { nowMs } from '../clock.js';
import type { SessionView } from '../frontend/listeners.js';

/** HAProxy's human_time(): at most two units among d, h, m, s; `0s` for zero. */
export function humanTime(t: number): string {
  if (t < 0) return '?';
  let out = '';
  let cnt = 2;
  if (t >= 86400) {
    out += `${Math.floor(t / 86400)}d`;
    cnt--;
  }
  if (cnt && Math.floor((t % 86400) / 3600)) {
    out += `${Math.floor((t % 86400) / 3600)}h`;
    cnt--;
  }
  if (cnt && Math.floor((t % 3600) / 60)) {
    out += `${Math.floor((t % 3600) / 60)}m`;
    cnt--;
  }
  if ((cnt && t % 60) || !t) out += `${t % 60}s`;
  return out;
}

/** printf's `%#x`: `0` stays `0`, others get `0x`. */
const hexAlt = (n: number): string => (n === 0 ? '0' : '0x' + n.toString(16));

export interface StreamLine {
  /** What `show sess <id>` matches. */
  readonly id: string;
  readonly created: number;
  readonly text: string;
}

/** Epochs: `show sess` numbers itself, and a stream carries the number current at its creation. */
export class Epochs {
  /** Monotonic ms of the `show sess` commands still needed to date the live streams. */
  #times: number[] = [];
  /** Commands before the first of `#times`. */
  #base = 0;
  /** A `show sess` runs now: returns its epoch (the CLI stream's). */
  next(): number {
    this.#times.push(nowMs());
    return this.#base + this.#times.length - 1;
  }
  get current(): number {
    return this.#base + this.#times.length;
  }
  /** The epoch a stream created at `t` got. */
  at(t: number): number {
    let n = 0;
    while (n < this.#times.length && this.#times[n]! < t) n++;
    return this.#base + n;
  }
  /** Forgets the commands older than the oldest live stream (the list would grow forever). */
  prune(oldest: number): void {
    let n = 0;
    while (n < this.#times.length && this.#times[n]! < oldest) n++;
    this.#times = this.#times.slice(n);
    this.#base += n;
  }
}

export function streamLine(id: string, v: SessionView, epoch: number, now: number): StreamLine {
  const text =
    `${id}: proto=${v.proto} src=${v.src}:${v.port} fe=${v.frontend} be=${v.backend ?? '<NONE>'} srv=${v.server ?? '<none>'} ` +
    `ts=00 epoch=${hexAlt(epoch)} age=${humanTime(Math.floor(now / 1000) - Math.floor(v.since / 1000))}`;
  return { id, created: v.created, text };
}

/** The CLI's own stream: HAProxy shows the listener id of the stats socket (`unix:<n>`). */
export function cliStreamLine(id: string, luid: number, created: number, epoch: number, now: number): StreamLine {
  const text = `${id}: proto=unix_stream src=unix:${luid} fe=GLOBAL be=<NONE> srv=<none> ts=00 epoch=${hexAlt(epoch)} age=${humanTime(Math.floor(now / 1000) - Math.floor(created / 1000))}`;
  return { id, created, text };
}
