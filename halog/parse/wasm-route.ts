/**
 * The reading thread's pass over a read buffer for `detect` on several threads
 * (halog/detect/dispatch.ts), as one WebAssembly function of the SIMD scanner (simd-scan.ts):
 * `route(from, to)` finds each line of the buffer, strips a `\r` before its newline, skips
 * empty lines, and writes for each line its start, its end and its client hash at RouteOut:
 * the FNV-1a hash of the client address's bytes as record.ts locateClientIp finds them, shifted
 * right by one (detect/detector.ts shardKey, which reads the same bytes in JavaScript), or -1
 * when the line has no client address; then the client field's start and the accept date's,
 * so that the line's parse need not walk the syslog header again (`recordAt`). It stops after
 * ROUTE_LINES lines and returns where the next line starts, to be called again from there.
 *
 * Why: in JavaScript, a call into WebAssembly for each line end, then the walk to the client
 * field and the hash, took ~0.6 s a GB on the reading thread (~0.2 s the line ends, ~0.37 s
 * the hash), which also judges its own share of the clients.
 */
import { I32, SIMD, V128, VOID, byteAt, get, i32, inc, leb, op, set, vectorFind } from './wasm-binary.js';
import { acceptLocals, findAcceptCode, RECORD_LOCALS } from './wasm-record.js';

/** Lines per call: each takes ROUTE_CELLS i32 at RouteOut. */
export const ROUTE_LINES = 1 << 14;
/** Per line: start, end, client hash, then where `recordAt` (wasm-record.ts) may start: the client field (-1: none) and the accept date. */
export const ROUTE_CELLS = 5;
/** Bytes of the output area: the line count, then the lines' cells. */
export const ROUTE_OUT_BYTES = 4 + 4 * ROUTE_CELLS * ROUTE_LINES;

const { START, END, P, PREV, PREV_END, COLON, FIRST_FREE } = acceptLocals;
// Locals after `record`'s: i32, the v128 splats of '\n' and '>', then i32 for recordAt's starts.
const FROM = 0;
const TO = 1;
const CUR = FIRST_FREE;
const LIMIT = FIRST_FREE + 1;
const NL = FIRST_FREE + 2;
const COUNT = FIRST_FREE + 3;
const HASH = FIRST_FREE + 4;
const C = FIRST_FREE + 5;
const GT = FIRST_FREE + 6;
const MASK2 = FIRST_FREE + 7;
const NEWLINES = FIRST_FREE + 8;
const GTS = FIRST_FREE + 9;
const CLIENT = FIRST_FREE + 10;
const ACCEPT = FIRST_FREE + 11;

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** The `route` function's body, for an output area at byte `out` of the memory. */
export function routeBody(out: number): number[] {
  const cell = (k: number, l: number): number[] => [...get(COUNT), ...i32(4 * ROUTE_CELLS), op.i32Mul, ...get(l), op.i32Store, 2, ...leb(out + 4 + 4 * k)];
  return [
    // record's local groups (findAcceptCode uses them), then this function's
    RECORD_LOCALS[0]! + 3, ...RECORD_LOCALS.slice(1), 8, I32, 2, V128, 2, I32,
    ...i32(0x0a), SIMD, op.i8x16Splat, ...set(NEWLINES),
    ...i32(0x3e), SIMD, op.i8x16Splat, ...set(GTS),
    ...i32(0x20), SIMD, op.i8x16Splat, ...set(acceptLocals.SPACES),
    ...get(FROM), ...set(CUR), ...get(TO), ...set(LIMIT),
    ...i32(0), ...set(COUNT),
    op.block, VOID, op.loop, VOID,
    ...get(CUR), ...get(LIMIT), op.i32GeU, op.brIf, 1,
    ...vectorFind(NL, CUR, LIMIT, NEWLINES, MASK2),
    ...get(NL), ...i32(0), op.i32LtS, op.if, VOID, ...get(LIMIT), ...set(NL), op.end,
    // The line [START, END), less a '\r' before its newline.
    ...get(CUR), ...set(START), ...get(NL), ...set(END),
    ...get(END), ...get(START), op.i32GtU, op.if, VOID,
    ...get(END), ...i32(1), op.i32Sub, op.i32Load8u, 0, 0, ...i32(0x0d), op.i32Eq, op.if, VOID,
    ...get(END), ...i32(1), op.i32Sub, ...set(END),
    op.end,
    op.end,
    ...get(END), ...get(START), op.i32GtU, op.if, VOID,
    ...i32(-1), ...set(HASH), ...i32(-1), ...set(CLIENT),
    op.block, VOID,
    // No client field: from inside findAcceptCode's if, loop and block, out of this block.
    ...findAcceptCode([op.br, 3]),
    // record.ts clientSpans: a `<PRI>` glued to the client is not part of it.
    ...get(PREV), ...set(C),
    ...byteAt(C), ...i32(0x3c), op.i32Eq, op.if, VOID,
    ...vectorFind(GT, C, PREV_END, GTS, MASK2),
    ...get(GT), ...get(C), op.i32GtS, op.if, VOID, ...get(GT), ...i32(1), op.i32Add, ...set(C), op.end,
    op.end,
    ...get(COLON), ...get(C), op.i32LtS, op.brIf, 0,
    ...get(PREV), ...set(CLIENT), ...get(P), ...set(ACCEPT),
    ...i32(FNV_OFFSET), ...set(HASH),
    op.block, VOID, op.loop, VOID,
    ...get(C), ...get(COLON), op.i32GeU, op.brIf, 1,
    ...get(HASH), ...byteAt(C), op.i32Xor, ...i32(FNV_PRIME), op.i32Mul, ...set(HASH),
    ...inc(C),
    op.br, 0,
    op.end, op.end,
    ...get(HASH), ...i32(1), op.i32ShrU, ...set(HASH),
    op.end,
    // The line's cells at out + 4 + 4 * ROUTE_CELLS * COUNT.
    ...cell(0, START), ...cell(1, END), ...cell(2, HASH), ...cell(3, CLIENT), ...cell(4, ACCEPT),
    ...inc(COUNT),
    op.end,
    ...get(NL), ...i32(1), op.i32Add, ...set(CUR),
    ...get(COUNT), ...i32(ROUTE_LINES), op.i32LtU, op.brIf, 0,
    op.end, op.end,
    ...i32(0), ...get(COUNT), op.i32Store, 2, ...leb(out),
    ...get(CUR),
    op.end,
  ];
}
