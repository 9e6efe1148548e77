import type { KeyBytes } from '../analyze/result.js';

/**
 * Spreadsheet formula guard for CSV and TSV cells. Keys come from the log (URLs, captured
 * headers such as User-Agent, cookies), so a client can make a key like `=HYPERLINK(...)` or
 * `+cmd|' /C calc'!A0` that a spreadsheet would evaluate when the file is opened (CSV
 * injection, OWASP). Such a cell gets a leading `'`, which spreadsheets read as "text follows".
 *
 * Triggers: a first character of `=`, `+`, `@`, TAB or CR, or `-` followed by anything but
 * more dashes. Termination states like `----` and the `-` of a missing capture stay as they
 * are: a run of dashes is not a formula. Numbers are never touched (they are not strings).
 * `--raw-cells` turns the guard off for tools that want the bytes as logged.
 */
export function guardCell(s: string): string {
  if (s.length === 0) return s;
  const c = s.charCodeAt(0);
  if (c === 0x3d /* = */ || c === 0x2b /* + */ || c === 0x40 /* @ */ || c === 0x09 || c === 0x0d) return "'" + s;
  if (c === 0x2d /* - */) {
    for (let i = 1; i < s.length; i++) if (s.charCodeAt(i) !== 0x2d) return "'" + s;
  }
  return s;
}

export interface CellOptions {
  /** Leave cells as logged instead of neutralizing spreadsheet formulas. */
  readonly rawCells?: boolean;
}

/** A 256-entry table marking the bytes of `chars` (latin1), for plainKeyBytes. */
export function byteSet(chars: string): Uint8Array {
  const set = new Uint8Array(256);
  for (let i = 0; i < chars.length; i++) set[chars.charCodeAt(i)] = 1;
  return set;
}

/**
 * Whether key bytes can be written as they are, without making a string: no byte of theirs
 * is in `special` (what the format quotes or escapes) and, unless `raw` (`--raw-cells`, or JSON,
 * which no spreadsheet runs), the first byte cannot start a formula. A leading '-' is left to
 * guardCell, which tells a run of dashes from one.
 */
export function plainKeyBytes(k: KeyBytes, raw: boolean, special: Uint8Array): boolean {
  const { buf, start, end } = k;
  if (!raw && start < end) {
    const c = buf[start]!;
    if (c === 0x3d || c === 0x2b || c === 0x40 || c === 0x09 || c === 0x0d || c === 0x2d) return false;
  }
  for (let i = start; i < end; i++) if (special[buf[i]!] === 1) return false;
  return true;
}
