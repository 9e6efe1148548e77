/**
 * One interface for every rule family (HAProxy's "one algorithm, one file" habit): the
 * detector calls `onRecord` for each line of a client and `decide` once per client at the
 * end, without knowing which family it is talking to.
 */
import type { DetectRules, RuleId } from '../rules.js';
import type { ClientState, LineContext } from '../state.js';

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
  onRecord(ctx: LineContext, st: ClientState): void;
  decide(st: ClientState): Decision[];
}

export type FamilyFactory = (rules: Readonly<DetectRules>) => Family;

export function ratio(n: number, d: number): number {
  return d > 0 ? n / d : 0;
}

export function pct(x: number): string {
  return `${(x * 100).toFixed(0)}%`;
}
