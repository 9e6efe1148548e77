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
