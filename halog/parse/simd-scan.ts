/**
 * halog's hottest walks, field starts and byte searches (line ends, field ends, quotes), in WebAssembly SIMD: 16 bytes
 * compared per instruction, the first match found with a count of trailing zeros. The bytes
 * must be in the module's memory, so a reader that wants them fast reads straight into
 * `buffer`; for any other buffer the JavaScript walkers of bytes.ts are used.
 *
 * The module is assembled here from the instructions below (the same way as
 * halog/read/newline-counter.ts). It exports `field(p, end, n)` and `find(p, end, byte)` with
 * exactly the results of bytes.ts `fieldStart` and of a byte search bounded by `end`,
 * `record(start, end)`, the walk of a whole traffic line (wasm-record.ts), `recordAt`, the same
 * walk from a client field and accept date `route` found, `route(from, to)`, the lines of a
 * read buffer with their client hashes (wasm-route.ts), and its memory.
 * Vector loads may read up to 15 bytes past `end`: the memory has a spare page after the part
 * `buffer` covers, and matches at or past `end` are ignored; `record`'s results take the page
 * after that, `route`'s the pages after.
 */
import { I32, PAGE, SIMD, V128, VOID, codeEntry, leb, matchMask, name, op, section, vectorFind } from './wasm-binary.js';
import { RECORD_OUT_SLOTS, recordAtBody, recordBody } from './wasm-record.js';
import { ROUTE_CELLS, ROUTE_LINES, ROUTE_OUT_BYTES, routeBody } from './wasm-route.js';

/** field(p, end, n): params 0 p, 1 end, 2 n; locals 3 mask (i32), 4 splat(' ') (v128). */
const FIELD_BODY = [
  2, 1, I32, 1, V128,
  op.i32Const, 0x20, SIMD, op.i8x16Splat, op.set, 4,
  op.loop, VOID,
  // runs of spaces count as one separator
  op.block, VOID, op.loop, VOID,
  op.get, 0, op.get, 1, op.i32GeU, op.brIf, 1,
  op.get, 0, op.i32Load8u, 0, 0, op.i32Const, 0x20, op.i32Ne, op.brIf, 1,
  op.get, 0, op.i32Const, 1, op.i32Add, op.set, 0,
  op.br, 0,
  op.end, op.end,
  op.get, 0, op.get, 1, op.i32GeU, op.if, VOID, op.get, 1, op.return, op.end,
  op.get, 2, op.i32Const, 1, op.i32Sub, op.set, 2,
  op.get, 2, op.i32Eqz, op.if, VOID, op.get, 0, op.return, op.end,
  // the word: the first space at or after p, 16 bytes at a time
  op.block, VOID, op.loop, VOID,
  ...matchMask(0, 4, 3),
  op.get, 3, op.brIf, 1,
  op.get, 0, op.i32Const, 16, op.i32Add, op.set, 0,
  op.get, 0, op.get, 1, op.i32LtU, op.brIf, 0,
  op.get, 1, op.return,
  op.end, op.end,
  op.get, 0, op.get, 3, op.i32Ctz, op.i32Add, op.set, 0,
  op.get, 0, op.get, 1, op.i32GeU, op.if, VOID, op.get, 1, op.return, op.end,
  op.br, 0,
  op.end,
  op.get, 1,
  op.end,
];

/** find(p, end, byte): params 0 p, 1 end, 2 byte; locals 3 mask (i32), 4 splat(byte) (v128). -1 when `byte` is not in [p, end). */
const FIND_BODY = [
  2, 1, I32, 1, V128,
  op.get, 2, SIMD, op.i8x16Splat, op.set, 4,
  ...vectorFind(0, 0, 1, 4, 3),
  op.get, 0,
  op.end,
];

/**
 * `pages`: the scanned bytes, a spare page for vector loads past them, then `record`'s output
 * at `out` and, from the next page, `route`'s at `routeOut`.
 */
function assemble(pages: number, out: number, routeOut: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // (i32 i32 i32) -> i32 for field and find, (i32 i32) -> i32 for record and route,
    // (i32 i32 i32 i32) -> i32 for recordAt
    ...section(1, [3, 0x60, 3, I32, I32, I32, 1, I32, 0x60, 2, I32, I32, 1, I32, 0x60, 4, I32, I32, I32, I32, 1, I32]),
    ...section(3, [5, 0, 0, 1, 1, 2]),
    ...section(5, [1, 0, ...leb(pages)]),
    ...section(7, [6, ...name('field'), 0x00, 0, ...name('find'), 0x00, 1, ...name('record'), 0x00, 2, ...name('route'), 0x00, 3, ...name('recordAt'), 0x00, 4, ...name('mem'), 0x02, 0]),
    ...section(10, [5, ...codeEntry(FIELD_BODY), ...codeEntry(FIND_BODY), ...codeEntry(recordBody(out)), ...codeEntry(routeBody(routeOut)), ...codeEntry(recordAtBody(out))]),
  ]);
}

export interface SimdScanner {
  /** The module's memory (less its spare page): bytes to scan must be here. */
  readonly buffer: Buffer;
  /** bytes.ts `fieldStart` on `buffer`. */
  readonly field: (p: number, end: number, n: number) => number;
  /** The first `byte` in `buffer[p, end)`, or -1. */
  readonly find: (p: number, end: number, byte: number) => number;
  /** wasm-record.ts: 1 (httplog) or 2 (tcplog) with the line's fields in `recordOut`, or 0 (ask record.ts). */
  readonly record: (start: number, end: number) => number;
  /** `record` for a line whose client field and accept date `route` found (wasm-record.ts). */
  readonly recordAt: (start: number, end: number, clientStart: number, accept: number) => number;
  readonly recordOut: Int32Array;
  /**
   * wasm-route.ts: the lines of `buffer[from, to)` (at most ROUTE_LINES) with their client
   * hashes into `routeOut` (the count, then ROUTE_CELLS cells for each); where the next line starts.
   */
  readonly route: (from: number, to: number) => number;
  readonly routeOut: Int32Array;
}

/** A scanner over `size` bytes of its own memory, or null where WebAssembly SIMD is unavailable. */
export function simdScanner(size: number): SimdScanner | null {
  try {
    const out = (Math.ceil(size / PAGE) + 1) * PAGE;
    const routeOut = out + PAGE;
    const pages = routeOut / PAGE + Math.ceil(ROUTE_OUT_BYTES / PAGE);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(assemble(pages, out, routeOut)));
    const memory = instance.exports.mem as WebAssembly.Memory;
    return {
      buffer: Buffer.from(memory.buffer, 0, size),
      field: instance.exports.field as (p: number, end: number, n: number) => number,
      find: instance.exports.find as (p: number, end: number, byte: number) => number,
      record: instance.exports.record as (start: number, end: number) => number,
      recordAt: instance.exports.recordAt as (start: number, end: number, clientStart: number, accept: number) => number,
      recordOut: new Int32Array(memory.buffer, out, RECORD_OUT_SLOTS),
      route: instance.exports.route as (from: number, to: number) => number,
      routeOut: new Int32Array(memory.buffer, routeOut, 1 + ROUTE_CELLS * ROUTE_LINES),
    };
  } catch {
    return null;
  }
}
