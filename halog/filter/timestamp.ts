import { TimestampConverter } from '../parse/timestamp.js';
import type { LineFilter } from './types.js';

/** `-time [min][:max]`: accept date, as a local-time Unix timestamp, within the bounds. */
export function timestampFilter(low: number, high: number): LineFilter {
  const conv = new TimestampConverter();
  return (ctx) => {
    const ts = conv.convert(ctx.buf, ctx.accept, ctx.end);
    return ts >= low && ts <= high ? 1 : 0;
  };
}
