/**
 * Deterministic pseudo-random numbers for tests (a 32-bit linear congruential generator), so
 * that a failing sequence reproduces from its seed.
 */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
}

/** Integers in [0, n), a new draw per call. */
export function randomInts(seed: number): (n: number) => number {
  const next = lcg(seed);
  return (n) => next() % n;
}

/** Numbers in [0, 1), a new draw per call. */
export function randomFloats(seed: number): () => number {
  const next = lcg(seed);
  return () => next() / 2 ** 32;
}

/** Bytes that delimit a log line's fields, for mutateLine. */
const DELIMITERS = ' :[]{}"/+-0123456789<>|?;.';

/** `line` with 1 to 3 edits: bytes that delimit fields removed, inserted or replaced, or the line cut. */
export function mutateLine(line: string, rand: (n: number) => number): string {
  let s = line;
  for (let k = 1 + rand(3); k > 0; k--) {
    const p = rand(s.length + 1);
    const byte = DELIMITERS[rand(DELIMITERS.length)]!;
    switch (rand(4)) {
      case 0: s = s.slice(0, p) + s.slice(p + 1 + rand(12)); break;
      case 1: s = s.slice(0, p) + byte + s.slice(p); break;
      case 2: s = s.slice(0, p) + byte + s.slice(p + 1); break;
      default: s = s.slice(0, p);
    }
  }
  return s;
}
