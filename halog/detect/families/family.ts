/**
 * One interface for every rule family (HAProxy's "one algorithm, one file" habit): the
 * detector calls `onRecord` for each line of a client and `decide` once per client at the
 * end, without knowing which family it is talking to. A client is a slot of the detector's
 * ClientTable (state.ts).
 */
import type { BusyGate } from '../heat.js';
import type { DetectRules, RuleId } from '../rules.js';
import type { ClientTable, LineContext } from '../state.js';

export interface Decision {
  readonly id: RuleId;
  readonly fired: boolean;
  /** Human-readable reason with the measured value and the threshold (for --explain). */
  readonly why: () => string;
  /** What `rules[].count` reports; default: the lines counted for the rule. */
  readonly count?: number;
}

export interface Family {
  readonly name: string;
  readonly ids: readonly RuleId[];
  /** Rules of other families this one counts lines for (the User-Agent family counts probe.cve's exploits in User-Agents). */
  readonly feeds?: readonly RuleId[];
  /** A rule of the family that counts a client's lines only once it is busy (heat.ts). */
  readonly busy?: BusyGate;
  /**
   * The longest span of a client's lines (seconds) that one of the family's enabled rules
   * counts together (a sliding window); none when they count whole histories. A client idle
   * for less may still have lines in one, so the detector never evicts it sooner.
   */
  readonly windowSeconds?: number;
  /**
   * Counts a line of the client. Called without `this`: the detector calls each family's from
   * an array of these functions, not as a method of family objects that all have their own
   * shape (that property load was megamorphic on every line: ~0.8 % of a run in `perf`).
   */
  readonly onRecord: (ctx: LineContext, t: ClientTable, slot: number) => void;
  decide(t: ClientTable, slot: number): Decision[];
  /** The scores of the rules that fire for the client, added: what decide() gives, without the objects. Called without `this`, as onRecord. */
  readonly score: (t: ClientTable, slot: number) => number;
}

export type FamilyFactory = (rules: Readonly<DetectRules>) => Family;

export function ratio(n: number, d: number): number {
  return d > 0 ? n / d : 0;
}

export function pct(x: number): string {
  return `${(x * 100).toFixed(0)}%`;
}

/** A set of HTTP statuses: a byte table for 0-999, a Set for anything else a rules file lists. */
export class StatusSet {
  readonly #table = new Uint8Array(1000);
  readonly #other: Set<number>;
  constructor(statuses: readonly number[]) {
    for (const s of statuses) if (Number.isInteger(s) && s >= 0 && s < 1000) this.#table[s] = 1;
    this.#other = new Set(statuses.filter((s) => !(Number.isInteger(s) && s >= 0 && s < 1000)));
  }
  has(status: number): boolean {
    return status >= 0 && status < 1000 ? this.#table[status] === 1 : this.#other.size > 0 && this.#other.has(status);
  }
}
