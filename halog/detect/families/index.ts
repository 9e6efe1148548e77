/** The registry of rule families, in report order. */
import type { DetectRules } from '../rules.js';
import { createAuthFamily } from './auth.js';
import { createDeniedFamily } from './denied.js';
import type { Family, FamilyFactory } from './family.js';
import { createFloodFamily } from './flood.js';
import { createProbeFamily } from './probe.js';
import { createProtoFamily } from './proto.js';
import { createScanFamily } from './scan.js';
import { createSlowFamily } from './slow.js';
import { createUaFamily } from './ua.js';

export const FAMILIES: readonly FamilyFactory[] = [
  createScanFamily,
  createProbeFamily,
  createAuthFamily,
  createFloodFamily,
  createSlowFamily,
  createProtoFamily,
  createUaFamily,
  createDeniedFamily,
];

/** The families with at least one enabled rule, of their own or one they count lines for. */
export function buildFamilies(rules: Readonly<DetectRules>): Family[] {
  return FAMILIES.map((f) => f(rules)).filter((f) => f.ids.length > 0 || (f.feeds?.length ?? 0) > 0);
}
