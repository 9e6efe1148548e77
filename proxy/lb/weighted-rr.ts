/**
 * Smooth weighted round robin (each pick adds every weight to its server's score and takes the
 * highest, then subtracts the total): spreads a server's turns evenly, e.g. weights 3,1 give
 * A A B A... rather than A A A B. Shared by roundrobin, static-rr and the hash fallbacks.
 */
import { canTake, isFull, type LbServer } from './types.js';

export class WeightedRr {
  readonly #servers: readonly LbServer[];
  readonly #score: Map<LbServer, number> = new Map();
  constructor(servers: readonly LbServer[]) {
    this.#servers = servers;
    for (const s of servers) this.#score.set(s, 0);
  }
  next(skipFull: boolean, avoid?: LbServer): LbServer | null {
    let best: LbServer | null = null;
    let total = 0;
    const pass = (allowAvoid: boolean): void => {
      for (const s of this.#servers) {
        if (!canTake(s) || (skipFull && isFull(s)) || (!allowAvoid && s === avoid)) continue;
        const sc = this.#score.get(s)! + s.weight;
        this.#score.set(s, sc);
        total += s.weight;
        if (best === null || sc > this.#score.get(best)!) best = s;
      }
    };
    pass(false);
    if (best === null && avoid) pass(true);
    if (best !== null) this.#score.set(best, this.#score.get(best)! - total);
    return best;
  }
  reset(s: LbServer): void {
    this.#score.set(s, 0);
  }
  /** A weight changed: every score restarts at 0, so the new weights give their exact sequence from the next pick. */
  rebuild(): void {
    for (const s of this.#servers) this.#score.set(s, 0);
  }
}

/** Weighted map of usable servers, for hash-based selection (`hash % map.length`). */
export function buildMap(servers: readonly LbServer[]): LbServer[] {
  const rr = new WeightedRr(servers);
  let total = 0;
  for (const s of servers) if (canTake(s)) total += s.weight;
  const map: LbServer[] = [];
  for (let i = 0; i < total; i++) map.push(rr.next(false)!);
  return map;
}

/** sdbm, HAProxy's default hash function for map-based hashing. */
export function sdbm(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (key.charCodeAt(i) + (h << 6) + (h << 16) - h) >>> 0;
  return h;
}
