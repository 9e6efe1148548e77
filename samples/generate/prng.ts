/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit state), seeded through
 * splitmix32 so that nearby seeds give unrelated streams. Period >= 2^32 per counter lap, far
 * more than a 2 GB log draws (~40 values a line, ~7 M lines). Pure 32-bit integer ops: the
 * same seed gives the same bytes on every platform and Node version.
 */
export class Prng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#a = next();
    this.#b = next();
    this.#c = next();
    this.#d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    const a = this.#a;
    const b = this.#b;
    const c = this.#c;
    const t = (((a + b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = b ^ (b >>> 9);
    this.#b = (c + (c << 3)) | 0;
    this.#c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n), n <= 2^21 keeps the product exact. */
  below(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() < p * 4294967296;
  }

  /** Skewed toward 0: index in [0, n) with density ~ x^(1/k - 1); k = 3 gives a Zipf-like head. */
  skewed(n: number, k: number): number {
    return Math.floor(Math.pow(this.float(), k) * n);
  }

  /** skewed(n, 2) without Math.pow. */
  skewed2(n: number): number {
    const f = this.float();
    return Math.floor(f * f * n);
  }

  /** skewed(n, 3) without Math.pow. */
  skewed3(n: number): number {
    const f = this.float();
    return Math.floor(f * f * f * n);
  }

  /** Exponential with the given mean. */
  exp(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  /** Log-normal-ish positive integer around `median` (spread 1 = factor e at one sigma). */
  lognormal(median: number, spread: number): number {
    // Irwin-Hall(4) approximation of a normal: 4 uniforms, no Math.sqrt/log on the hot path.
    const n = (this.float() + this.float() + this.float() + this.float() - 2) * 1.732;
    return Math.round(median * Math.exp(n * spread));
  }

  /** Picks from a weighted table built by `weightedTable`. */
  pick<T>(table: WeightedTable<T>): T {
    const r = this.u32();
    const cum = table.cumulative;
    let i = 0;
    while (r >= cum[i]!) i++;
    return table.items[i]!;
  }
}

export interface WeightedTable<T> {
  readonly items: readonly T[];
  /** Upper bounds in u32 space; the last is 2^32 so the scan always stops. */
  readonly cumulative: Float64Array;
}

export function weightedTable<T>(entries: readonly (readonly [T, number])[]): WeightedTable<T> {
  const total = entries.reduce((s, [, w]) => s + w, 0);
  const cumulative = new Float64Array(entries.length);
  let acc = 0;
  entries.forEach(([, w], i) => {
    acc += w;
    cumulative[i] = i === entries.length - 1 ? 4294967296 : Math.floor((acc / total) * 4294967296);
  });
  return { items: entries.map(([item]) => item), cumulative };
}
