import type { HalogOptions } from '../cli/options.js';
import { httpOnlyFilter } from './http-only.js';
import { queueFilter } from './queue.js';
import { responseTimeFilter } from './response-time.js';
import { statusFilter } from './status.js';
import { termCodeFilter } from './term-code.js';
import { timestampFilter } from './timestamp.js';
import type { LineFilter } from './types.js';

/**
 * The input filters the options ask for, in halog's evaluation order (which matters: a
 * filter that abandons a line stops the later ones, and `-H`/`-rt` locate the timer field
 * that the others then start from).
 */
export function buildFilters(o: HalogOptions): LineFilter[] {
  const filters: LineFilter[] = [];
  if (o.timestamp) filters.push(timestampFilter(o.timestampLow, o.timestampHigh));
  if (o.httpOnly) filters.push(httpOnlyFilter);
  if (o.timeResp) filters.push(responseTimeFilter(o.timeRespMs, o.invertTimeResp));
  if (o.errorsOnly || o.httpStatus) filters.push(statusFilter(o));
  if (o.queueOnly || o.queueSrvOnly) filters.push(queueFilter(o.queueSrvOnly));
  if (o.termCode) filters.push(termCodeFilter(o.termCodeName, o.invertTermCode));
  return filters;
}
