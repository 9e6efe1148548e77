/**
 * printf-compatible number formatting. JS `toFixed` breaks exact ties upwards while glibc's
 * printf rounds them to even (12.25 -> "12.2"); halog's `%.1f` and `%f` columns must match
 * glibc to the byte, so ties are resolved on the exact binary value here.
 */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return String(x);
  const s = x.toFixed(digits);
  if (!isExactTie(x, digits)) return s;
  const neg = x < 0;
  const scale = 10n ** BigInt(digits);
  const [num, den] = exactRational(Math.abs(x));
  const scaled = num * scale;
  let q = scaled / den;
  // An exact tie: round the half to the even neighbour.
  if (q % 2n === 1n) q += 1n;
  const intPart = q / scale;
  const frac = (q % scale).toString().padStart(digits, '0');
  return `${neg ? '-' : ''}${intPart}${digits ? '.' + frac : ''}`;
}

/** x = num / den exactly, den a power of two. */
function exactRational(x: number): [bigint, bigint] {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (exp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = exp - 1075;
  }
  return e >= 0 ? [mant << BigInt(e), 1n] : [mant, 1n << BigInt(-e)];
}

function isExactTie(x: number, digits: number): boolean {
  const [num, den] = exactRational(Math.abs(x));
  const scaled = num * 10n ** BigInt(digits) * 2n;
  // x * 10^digits has a fractional part of exactly one half.
  return scaled % den === 0n && (scaled / den) % 2n === 1n;
}

/** printf("%02u") and friends. */
export function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
