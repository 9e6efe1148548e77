import type { Analyzer } from '../analyze/report-job.js';
import type { KindSpec } from '../analyze/kinds.js';

export const HTML_KINDS: readonly KindSpec[] = [{ kind: 'timeline' }, { kind: 'urls' }, { kind: 'clients' }, { kind: 'status' }, { kind: 'termination' }, { kind: 'servers' }, { kind: 'total' }];

export interface HtmlContext {
  input: { lines: number; records: number; invalid: number; kept: number; filtered: number };
  sources: string[];
  top: number;
  sort: string | undefined;
}

export function renderHtml(_a: Analyzer, _k: KindSpec, _c: HtmlContext): string {
  return '<!doctype html><title>haloscope</title>';
}
