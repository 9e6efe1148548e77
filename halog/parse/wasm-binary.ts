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

export function section(id: number, content: number[]): number[] {
  return [id, ...leb(content.length), ...content];
}

/** A length-prefixed name (exports). */
export function name(s: string): number[] {
  return [s.length, ...Buffer.from(s, 'latin1')];
}

export const I32 = 0x7f;
export const V128 = 0x7b;
/** The empty block type. */
export const VOID = 0x40;
/** Prefix of the SIMD opcodes (each followed by its LEB128 number). */
export const SIMD = 0xfd;

/** Opcodes; `i32Const` takes a signed LEB128 (0x7f is -1), the SIMD ones follow SIMD. */
export const op = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d, return: 0x0f,
  else: 0x05, select: 0x1b, get: 0x20, set: 0x21, tee: 0x22, i32Const: 0x41,
  i32Load: 0x28, i32Load8u: 0x2d, i32Store: 0x36,
  i32Eqz: 0x45, i32Eq: 0x46, i32Ne: 0x47, i32LtS: 0x48, i32LtU: 0x49, i32GtU: 0x4b, i32LeU: 0x4d, i32GeS: 0x4e, i32GeU: 0x4f,
  i32Ctz: 0x68, i32Popcnt: 0x69, i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32And: 0x71, i32Or: 0x72, i32Shl: 0x74,
  v128Load: 0x00, i8x16Splat: 0x0f, i8x16Eq: 0x23, i8x16Bitmask: 0x64,
} as const;
