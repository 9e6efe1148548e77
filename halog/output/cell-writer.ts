/**
 * The numeric cells of a report row, written by a WebAssembly function made for one table's
 * columns. Every format writes the same fixed bytes before each number (JSON's `,"Ta_p99":`,
 * CSV's comma) and then its digits; in JavaScript that was one call per name and per number,
 * and JSON's names are most of its bytes (177 MB for the 1 GB log's 283 000 URLs, ~530 bytes
 * of names a row). Here the bytes before each cell are constant stores compiled into the
 * function, and the digits are written two at a time from a table: the JSON print of that
 * report fell from ~300 to ~130 ms beside the ~250 ms its percentiles take (docs/reports.md).
 *
 * A cell is written as String(v) would write it when v is an integer in [0, 2^53) (counts,
 * bytes, milliseconds: every cell of our tables) and as `nullText` when NaN. Anything else makes
 * `write` return -1 and the caller writes that row in JavaScript.
 */
import { F64, I32, I64, PAGE, VOID, codeEntry, get, i32, leb, name, op, section, set, sleb } from '../parse/wasm-binary.js';

export interface CellWriter {
  /** Where a row's numbers go before `write` (a ReportTable's fill target): cell k is nums[k]. */
  readonly nums: Float64Array;
  /** The output buffer, in the module's memory: ByteOut writes into it (ByteOut.adopt). */
  readonly out: Buffer;
  /** The most bytes one `write` adds. */
  readonly maxBytes: number;
  /** Writes every cell after its prefix, then the suffix, at out[at]; returns the end offset, or -1 (a cell that is not a plain integer or NaN). */
  write(at: number): number;
}

/** Digits of a value: at most 16 below 2^53. */
const MAX_DIGITS = 16;

/** Locals of `cell(p, v)`: params p (i32, offset in `out`), v (f64). */
const P = 0;
const V = 1;
const U = 2;
const END = 3;
const Q = 4;
const T = 5;
const X = 6;
const Y = 7;

const f64 = (x: number): number[] => [op.f64Const, ...new Uint8Array(Float64Array.of(x).buffer)];
/** A memory argument: no alignment promised, then the offset. */
const at = (offset: number): number[] => [0, ...leb(offset)];

/** Stores `bytes` at local `p` + `base` with constant 8-, 4-, 2- and 1-byte stores. */
function storeConstant(p: number, base: number, bytes: Uint8Array): number[] {
  const le = (from: number, n: number): bigint => {
    let v = 0n;
    for (let j = n - 1; j >= 0; j--) v = (v << 8n) | BigInt(bytes[from + j]!);
    return v;
  };
  const code: number[] = [];
  let i = 0;
  for (; bytes.length - i >= 8; i += 8) code.push(...get(p), op.i64Const, ...sleb(BigInt.asIntN(64, le(i, 8))), op.i64Store, ...at(base + i));
  if (bytes.length - i >= 4) {
    code.push(...get(p), ...i32(Number(BigInt.asIntN(32, le(i, 4)))), op.i32Store, ...at(base + i));
    i += 4;
  }
  if (bytes.length - i >= 2) {
    code.push(...get(p), ...i32(Number(le(i, 2))), op.i32Store16, ...at(base + i));
    i += 2;
  }
  if (bytes.length - i >= 1) code.push(...get(p), ...i32(bytes[i]!), op.i32Store8, ...at(base + i));
  return code;
}

/**
 * `cell(p, v) -> end`: v's text at out[p], or -1. `out` and `pairs` (the 200 bytes "00".."99")
 * are memory offsets.
 */
function cellBody(out: number, pairs: number, nullBytes: Uint8Array): number[] {
  // Digits of the uint32 in U: 1 + (U >= 10) + ... + (U >= 10^9).
  const digits32 = [...i32(1), ...[1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9].flatMap((t) => [...get(U), ...i32(t), op.i32GeU, op.i32Add])];
  return [
    2, 4, I32, 2, I64,
    // NaN: the null text.
    ...get(V), ...get(V), op.f64Ne, op.if, VOID,
    ...storeConstant(P, out, nullBytes), ...get(P), ...i32(nullBytes.length), op.i32Add, op.return,
    op.end,
    // Not in [0, 2^53) or not an integer: -1.
    ...get(V), ...f64(0), op.f64Ge, ...get(V), ...f64(2 ** 53), op.f64Lt, op.i32And, op.i32Eqz, op.if, VOID, ...i32(-1), op.return, op.end,
    ...get(V), op.f64Trunc, ...get(V), op.f64Ne, op.if, VOID, ...i32(-1), op.return, op.end,
    ...get(V), op.i64TruncF64U, ...set(X),
    ...get(X), op.i64Const, ...sleb(2n ** 32n), op.i64LtU, op.if, VOID,
    // Below 2^32: two digits per division by 100, from the end.
    ...get(X), op.i32WrapI64, ...set(U),
    ...get(P), ...digits32, op.i32Add, op.tee, END, ...set(Q),
    op.block, VOID, op.loop, VOID,
    ...get(U), ...i32(100), op.i32LtU, op.brIf, 1,
    ...get(U), ...i32(100), op.i32DivU, ...set(T),
    ...get(Q), ...i32(2), op.i32Sub, op.tee, Q,
    ...get(U), ...get(T), ...i32(100), op.i32Mul, op.i32Sub, ...i32(2), op.i32Mul, op.i32Load16u, ...at(pairs),
    op.i32Store16, ...at(out),
    ...get(T), ...set(U),
    op.br, 0,
    op.end, op.end,
    ...get(U), ...i32(10), op.i32GeU, op.if, VOID,
    ...get(Q), ...i32(2), op.i32Sub, ...get(U), ...i32(2), op.i32Mul, op.i32Load16u, ...at(pairs), op.i32Store16, ...at(out),
    op.else,
    ...get(Q), ...i32(1), op.i32Sub, ...get(U), ...i32(0x30), op.i32Add, op.i32Store8, ...at(out),
    op.end,
    ...get(END), op.return,
    op.end,
    // 2^32 <= x < 2^53 (a bytes total): count the digits, then write them one at a time.
    ...get(X), ...set(Y), ...i32(0), ...set(T),
    op.loop, VOID,
    ...get(T), ...i32(1), op.i32Add, ...set(T),
    ...get(Y), op.i64Const, 10, op.i64DivU, op.tee, Y, op.i64Const, 0, op.i64Ne, op.brIf, 0,
    op.end,
    ...get(P), ...get(T), op.i32Add, op.tee, END, ...set(Q),
    op.loop, VOID,
    ...get(Q), ...i32(1), op.i32Sub, op.tee, Q,
    ...get(X), ...get(X), op.i64Const, 10, op.i64DivU, op.tee, Y, op.i64Const, 10, op.i64Mul, op.i64Sub, op.i32WrapI64, ...i32(0x30), op.i32Add,
    op.i32Store8, ...at(out),
    ...get(Y), op.tee, X, op.i64Const, 0, op.i64Ne, op.brIf, 0,
    op.end,
    ...get(END),
    op.end,
  ];
}

/** `write(p) -> end`: each prefix, then cell k from nums[k]; then the suffix. */
function writeBody(out: number, prefixes: readonly Uint8Array[], suffix: Uint8Array): number[] {
  const code: number[] = [0];
  prefixes.forEach((prefix, k) => {
    code.push(...storeConstant(P, out, prefix));
    code.push(...get(P), ...i32(prefix.length), op.i32Add, ...i32(0), op.f64Load, 3, ...leb(8 * k), op.call, 0);
    code.push(op.tee, P, ...i32(0), op.i32LtS, op.if, VOID, ...i32(-1), op.return, op.end);
  });
  code.push(...storeConstant(P, out, suffix), ...get(P), ...i32(suffix.length), op.i32Add, op.end);
  return code;
}

/**
 * A writer of cells each after its prefix (`prefixes[k]` before cell k), NaN as `nullText`, and
 * `suffix` after the last, into an output buffer of `outBytes`; null where WebAssembly is not
 * available (the caller writes cells in JavaScript).
 */
export function cellWriter(prefixes: readonly string[], nullText: string, suffix: string, outBytes: number): CellWriter | null {
  const prefixBytes = prefixes.map((p) => Buffer.from(p, 'utf8'));
  const nullBytes = Buffer.from(nullText, 'utf8');
  const suffixBytes = Buffer.from(suffix, 'utf8');
  const maxBytes = prefixBytes.reduce((n, p) => n + p.length + Math.max(MAX_DIGITS, nullBytes.length), suffixBytes.length);
  const pairs = 8 * prefixes.length;
  const out = Math.ceil((pairs + 200) / PAGE) * PAGE;
  const pages = Math.ceil((out + outBytes) / PAGE);
  try {
    const binary = new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      // (i32 f64) -> i32 for cell, (i32) -> i32 for write
      ...section(1, [2, 0x60, 2, I32, F64, 1, I32, 0x60, 1, I32, 1, I32]),
      ...section(3, [2, 0, 1]),
      ...section(5, [1, 0, ...leb(pages)]),
      ...section(7, [2, ...name('write'), 0x00, 1, ...name('mem'), 0x02, 0]),
      ...section(10, [2, ...codeEntry(cellBody(out, pairs, nullBytes)), ...codeEntry(writeBody(out, prefixBytes, suffixBytes))]),
    ]);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(binary));
    const memory = instance.exports.mem as WebAssembly.Memory;
    const table = Buffer.from(memory.buffer, pairs, 200);
    for (let v = 0; v < 100; v++) table.write(String(v).padStart(2, '0'), 2 * v, 'latin1');
    return {
      nums: new Float64Array(memory.buffer, 0, prefixes.length),
      out: Buffer.from(memory.buffer, out, outBytes),
      maxBytes,
      write: instance.exports.write as (at: number) => number,
    };
  } catch {
    return null;
  }
}
