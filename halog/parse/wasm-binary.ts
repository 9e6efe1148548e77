/**
 * The pieces of a WebAssembly binary that our hand-assembled SIMD modules need
 * (read/newline-counter.ts, parse/simd-scan.ts): LEB128 numbers, sections, names, value
 * types and the opcodes they use. Assembling a few dozen instructions here keeps a compiler
 * toolchain out of the build.
 */
export const PAGE = 65536;

/** Unsigned LEB128 (sizes, indices, memory arguments). */
export function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/** Signed LEB128 (i32.const and i64.const immediates). */
export function sleb(value: number | bigint): number[] {
  let n = BigInt(value);
  const out: number[] = [];
  for (;;) {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    if ((n === 0n && (b & 0x40) === 0) || (n === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** `i32.const k`. */
export const i32 = (k: number): number[] => [op.i32Const, ...sleb(k)];
/** `local.get l` and `local.set l`. */
export const get = (l: number): number[] => [op.get, l];
export const set = (l: number): number[] => [op.set, l];
/** Local `l` += `by`. */
export const inc = (l: number, by = 1): number[] => [op.get, l, ...i32(by), op.i32Add, op.set, l];
/** The byte at local `l` plus `offset`. */
export const byteAt = (l: number, offset = 0): number[] => [op.get, l, op.i32Load8u, 0, ...leb(offset)];

/** A function body as the code section holds it: its size, then its locals and instructions. */
export function codeEntry(body: number[]): number[] {
  return [...leb(body.length), ...body];
}

export function section(id: number, content: number[]): number[] {
  return [id, ...leb(content.length), ...content];
}

/** A length-prefixed name (exports). */
export function name(s: string): number[] {
  return [s.length, ...Buffer.from(s, 'latin1')];
}

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F64 = 0x7c;
export const V128 = 0x7b;
/** The empty block type. */
export const VOID = 0x40;
/** Prefix of the SIMD opcodes (each followed by its LEB128 number). */
export const SIMD = 0xfd;

/** Opcodes; `i32Const` takes a signed LEB128 (0x7f is -1), the SIMD ones follow SIMD. */
export const op = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d, return: 0x0f,
  else: 0x05, select: 0x1b, get: 0x20, set: 0x21, tee: 0x22, i32Const: 0x41,
  call: 0x10, i32Load: 0x28, i32Load8u: 0x2d, i32Load16u: 0x2f, f64Load: 0x2b,
  i32Store: 0x36, i64Store: 0x37, i32Store8: 0x3a, i32Store16: 0x3b, i64Const: 0x42, f64Const: 0x44,
  i32Eqz: 0x45, i32Eq: 0x46, i32Ne: 0x47, i32LtS: 0x48, i32LtU: 0x49, i32GtS: 0x4a, i32GtU: 0x4b, i32LeU: 0x4d, i32GeS: 0x4e, i32GeU: 0x4f,
  i64LtU: 0x54, i64Ne: 0x52, f64Ne: 0x62, f64Lt: 0x63, f64Ge: 0x66,
  i32Ctz: 0x68, i32Popcnt: 0x69, i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32DivU: 0x6e, i32And: 0x71, i32Or: 0x72, i32Xor: 0x73, i32Shl: 0x74, i32ShrU: 0x76,
  i64Sub: 0x7d, i64Mul: 0x7e, i64DivU: 0x80, f64Trunc: 0x9d, i32WrapI64: 0xa7, i64TruncF64U: 0xb1,
  v128Load: 0x00, i8x16Splat: 0x0f, i8x16Eq: 0x23, i8x16Bitmask: 0x64,
} as const;

/** Bitmask of the 16 bytes at local `p` equal to the splat in v128 local `splat`, into local `mask`. */
export const matchMask = (p: number, splat: number, mask: number): number[] => [
  op.get, p, SIMD, op.v128Load, 0, 0, op.get, splat, SIMD, op.i8x16Eq, SIMD, op.i8x16Bitmask, op.set, mask,
];

/**
 * Instructions that set local `dst` to the first byte in [local `from`, local `end`) equal to
 * the lanes of v128 local `splat`, or to -1; 16 bytes per compare, local `mask` is scratch.
 * A vector load may read up to 15 bytes past `end` (the modules keep a spare page for it).
 */
export function vectorFind(dst: number, from: number, end: number, splat: number, mask: number): number[] {
  return [
    op.get, from, op.set, dst,
    op.block, VOID, op.loop, VOID,
    op.get, dst, op.get, end, op.i32GeU, op.if, VOID, op.i32Const, 0x7f, op.set, dst, op.br, 2, op.end,
    ...matchMask(dst, splat, mask),
    op.get, mask, op.if, VOID,
    op.get, dst, op.get, mask, op.i32Ctz, op.i32Add, op.set, dst,
    // the first match is at or past `end`: none in range
    op.get, dst, op.get, end, op.i32GeU, op.if, VOID, op.i32Const, 0x7f, op.set, dst, op.end,
    op.br, 2,
    op.end,
    op.get, dst, op.i32Const, 16, op.i32Add, op.set, dst,
    op.br, 0,
    op.end, op.end,
  ];
}
