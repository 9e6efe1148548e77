/**
 * Date text for log lines, built once per second and cached: the `[dd/Mon/yyyy:HH:MM:SS.`
 * prefix of the accept date and the syslog header of each format. HAProxy itself rebuilds its
 * header once per second (log.c, `build_log_header`); a 2 GB log spans hours, so a per-second
 * cache turns ~7 M date formats into ~20 k.
 */
import { ByteWriter } from './byte-writer.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Accept dates within a window of 64 s around the emission time share one ring of prefixes. */
const RING = 64;

export class AcceptDates {
  readonly #secs = new Float64Array(RING).fill(-1);
  readonly #texts: Buffer[] = new Array<Buffer>(RING);

  /** Writes `[dd/Mon/yyyy:HH:MM:SS.mmm]` for a time in ms since the epoch (UTC). */
  write(out: ByteWriter, ms: number): void {
    const sec = Math.floor(ms / 1000);
    const slot = sec & (RING - 1);
    let text = this.#texts[slot];
    if (this.#secs[slot] !== sec || text === undefined) {
      const d = new Date(sec * 1000);
      text = Buffer.from(
        `[${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
          `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.`,
        'latin1',
      );
      this.#texts[slot] = text;
      this.#secs[slot] = sec;
    }
    out.put(text);
    out.ms3(ms - sec * 1000);
    out.byte(0x5d);
  }
}

export type SyslogFormat = 'local' | 'rfc3164' | 'rfc5424' | 'raw';

export const SYSLOG_FORMATS: readonly SyslogFormat[] = ['local', 'rfc3164', 'rfc5424', 'raw'];

/**
 * halog's `-s` value for each header shape. halog's field offsets assume a 5-field file
 * prefix `Mmm dd hh:mm:ss host tag[pid]:` at its default `-s 1`; each field more or less moves it
 * by one (checked against /usr/bin/halog 2.6 in test/samples/generator.test.ts).
 */
export const HALOG_SKIP: Readonly<Record<SyslogFormat, number>> = {
  local: 0,
  rfc3164: 1,
  rfc5424: 3,
  raw: -4,
};

/** Writes the syslog header HAProxy puts before a message, as of the emission time. */
export interface HeaderWriter {
  /** `pri` is the full `<PRI>` value (134 = local0.info). */
  write(out: ByteWriter, pri: number, usec: number): void;
}

export interface HeaderOptions {
  readonly format: SyslogFormat;
  readonly hostname: string;
  readonly tag: string;
  readonly pid: number;
}

/** Picks the header writer once; the line loop never tests the format. */
export function headerWriter(o: HeaderOptions): HeaderWriter {
  switch (o.format) {
    case 'raw':
      return { write() {} };
    case 'local':
      return legacyHeader(`${o.tag}[${o.pid}]: `);
    case 'rfc3164':
      return legacyHeader(`${o.hostname} ${o.tag}[${o.pid}]: `);
    case 'rfc5424':
      return rfc5424Header(` ${o.hostname} ${o.tag} ${o.pid} - - `);
  }
}

/** Cache of `<PRI>` prefixes: a handful of priorities are ever used. */
function priBytes(): (pri: number) => Buffer {
  const cache = new Map<number, Buffer>();
  return (pri) => {
    let b = cache.get(pri);
    if (b === undefined) {
      b = Buffer.from(`<${pri}>`, 'latin1');
      cache.set(pri, b);
    }
    return b;
  };
}

/** `<PRI>Mmm dd HH:MM:SS <rest>` with the day space-padded (`Nov  3`). */
function legacyHeader(rest: string): HeaderWriter {
  const pri = priBytes();
  let sec = -1;
  let text = Buffer.alloc(0);
  return {
    write(out, p, usec) {
      const s = Math.floor(usec / 1e6);
      if (s !== sec) {
        const d = new Date(s * 1000);
        const day = d.getUTCDate();
        text = Buffer.from(
          `${MONTHS[d.getUTCMonth()]} ${day < 10 ? ` ${day}` : day} ` +
            `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${rest}`,
          'latin1',
        );
        sec = s;
      }
      out.put(pri(p));
      out.put(text);
    },
  };
}

/** `<PRI>1 YYYY-MM-DDTHH:MM:SS.uuuuuu+00:00 host tag pid - - ` (MSGID and SD are `-`). */
function rfc5424Header(rest: string): HeaderWriter {
  const pri = priBytes();
  const one = Buffer.from('1 ', 'latin1');
  const tail = Buffer.from(`+00:00${rest}`, 'latin1');
  let sec = -1;
  let text = Buffer.alloc(0);
  return {
    write(out, p, usec) {
      const s = Math.floor(usec / 1e6);
      if (s !== sec) {
        text = Buffer.from(new Date(s * 1000).toISOString().slice(0, 20), 'latin1');
        sec = s;
      }
      out.put(pri(p));
      out.put(one);
      out.put(text);
      out.padded(usec - s * 1e6, 6);
      out.put(tail);
    },
  };
}
