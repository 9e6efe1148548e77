import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAcceptDate } from '../../halog/parse/record.js';
import { randomInts } from '../helpers/random.js';

/**
 * parseAcceptDate keeps the last valid minute (`dd/Mon/yyyy:HH:MM`) and parses only the
 * seconds when the next date starts with the same bytes. Every date of a sequence must still
 * read as the plain definition says, whatever came before it: runs of one minute, a minute
 * that differs in one byte, invalid minutes and seconds between valid ones.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The definition: NaN unless every part is in range (separators are not read), else Date.UTC. */
function expected(s: string): number {
  if (s.length < 22 || s[0] !== '[') return Number.NaN;
  const two = (i: number): number => (/^\d\d$/.test(s.slice(i, i + 2)) ? Number(s.slice(i, i + 2)) : -1000);
  const day = two(1);
  const mon = MONTHS.indexOf(s.slice(4, 7));
  const year = two(8) * 100 + two(10);
  const h = two(13);
  const m = two(16);
  const sec = two(19);
  let ms = 0;
  if (s[21] === '.' && s.length >= 25) ms = /^\d$/.test(s[24]!) ? two(22) * 10 + Number(s[24]) : -1;
  if (mon < 0 || year < 0 || day < 1 || day > 31 || h > 23 || h < 0 || m < 0 || m > 59 || sec < 0 || sec > 60 || ms < 0) return Number.NaN;
  // Date rolls day 31 of a short month and second 60 over, as the arithmetic does (setUTCFullYear: years below 100 too).
  const d = new Date(0);
  d.setUTCFullYear(year, mon, day);
  d.setUTCHours(h, m, sec, ms);
  return d.getTime();
}

function check(s: string): void {
  const got = parseAcceptDate(Buffer.from(s, 'latin1'), 0, s.length);
  const want = expected(s);
  assert.ok(Object.is(got, want), `${s}: ${got} instead of ${want}`);
}

test('a run of dates in one minute reads each date, seconds and milliseconds included', () => {
  for (let sec = 0; sec <= 61; sec++) {
    for (const ms of ['000', '001', '999', '5x7']) check(`[24/Nov/2026:17:05:${String(sec).padStart(2, '0')}.${ms}]`);
  }
  check('[24/Nov/2026:17:05:07]');
  check('[24/Nov/2026:17:05:0x.123]');
});

test('a date whose minute differs from the one before in any single byte reads as itself', () => {
  const base = '[29/Feb/2024:23:59:30.250]';
  const swaps = '0123456789/:x JanFebDec';
  for (let i = 1; i <= 17; i++) {
    for (const c of swaps) {
      check(base);
      check(base.slice(0, i) + c + base.slice(i + 1));
      // The same changed minute again (a cached minute, valid or not), then other seconds.
      check(base.slice(0, i) + c + base.slice(i + 1, 19) + '41.999]');
    }
  }
});

test('random sequences with repeated minutes, invalid parts and short lines match the definition', () => {
  const r = randomInts(6);
  let prev = '[01/Jan/2026:00:00:00.000]';
  for (let i = 0; i < 20_000; i++) {
    let s = prev;
    const what = r(6);
    const pad = (n: number): string => String(n).padStart(2, '0');
    if (what === 0) s = `[${pad(r(33))}/${MONTHS[r(12)]}/${1960 + r(120)}:${pad(r(25))}:${pad(r(61))}:${pad(r(62))}.${String(r(1000)).padStart(3, '0')}]`;
    else if (what <= 3) s = `${prev.slice(0, 19)}${pad(r(62))}.${String(r(1000)).padStart(3, '0')}]`;
    else if (what === 4) s = prev.slice(0, 1 + r(prev.length));
    else {
      const at = r(prev.length);
      s = prev.slice(0, at) + String.fromCharCode(0x2d + r(0x50)) + prev.slice(at + 1);
    }
    check(s);
    if (!Number.isNaN(expected(s)) || r(4) === 0) prev = s.length >= 26 ? s : prev;
  }
});
