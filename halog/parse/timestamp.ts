import { at } from './bytes.js';

/**
 * halog's `-time` conversion: the accept date `[dd/Mon/yyyy:HH:MM:SS...` to a Unix
 * timestamp in the local time zone of the machine running the analyzer (halog calls
 * mktime, so `TZ=UTC` must be set for logs written in UTC). Returns the value as the
 * unsigned 32-bit number halog compares, 0xFFFFFFFF for an unparsable date.
 *
 * The minute is cached: consecutive lines almost always share it.
 */
export class TimestampConverter {
  #key = -1;
  #minuteStart = 0;

  convert(buf: Uint8Array, p: number, end: number): number {
    let e = p + 1;
    let d = 0;
    for (;;) {
      const c = (at(buf, e++, end) - 0x30) & 0xff;
      if (c > 9) break;
      d = (d * 10 + c) >>> 0;
    }
    let mo = 0;
    let c = at(buf, e++, end);
    switch (c) {
      case 0x46: mo = 2; e += 3; break; // F
      case 0x53: mo = 9; e += 3; break; // S
      case 0x4f: mo = 10; e += 3; break; // O
      case 0x4e: mo = 11; e += 3; break; // N
      case 0x44: mo = 12; e += 3; break; // D
      case 0x41: // A
        c = at(buf, e++, end);
        if (c === 0x70) { mo = 4; e += 2; } else if (c === 0x75) { mo = 8; e += 2; } else return 0xffffffff;
        break;
      case 0x4a: // J
        c = at(buf, e++, end);
        if (c === 0x61) { mo = 1; e += 2; } else if (c === 0x75) {
          c = at(buf, e++, end);
          // halog leaves the month at 0 for "Ju?" other than Jun/Jul and goes on.
          if (c === 0x6e) { mo = 6; e += 1; } else if (c === 0x6c) { mo = 7; e += 1; }
        } else return 0xffffffff;
        break;
      case 0x4d: // M
        e++;
        c = at(buf, e++, end);
        if (c === 0x72) { mo = 3; e += 1; } else if (c === 0x79) { mo = 5; e += 1; } else return 0xffffffff;
        break;
      default:
        return 0xffffffff;
    }
    const nums = [0, 0, 0, 0];
    for (let k = 0; k < 4; k++) {
      let v = 0;
      let ch: number;
      for (;;) {
        ch = (at(buf, e++, end) - 0x30) & 0xff;
        if (ch > 9) break;
        v = (v * 10 + ch) >>> 0;
      }
      // A NUL right after the hour or the minute is an error; after the year or seconds it is not.
      if ((k === 1 || k === 2) && ch === 0xd0) return 0xffffffff;
      nums[k] = v;
    }
    const [y, h, m, s] = nums as [number, number, number, number];
    const key = ((((y * 13 + mo) * 32 + d) * 24 + h) * 60 + m);
    if (key !== this.#key) {
      const date = new Date(2000, 0, 1, 0, 0, 0, 0);
      date.setFullYear(y, mo - 1, d);
      date.setHours(h, m, 0, 0);
      const t = date.getTime();
      this.#minuteStart = Number.isNaN(t) ? -1 : Math.floor(t / 1000);
      this.#key = key;
    }
    return ((this.#minuteStart + s) | 0) >>> 0;
  }
}
