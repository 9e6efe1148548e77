/**
 * Lines a log analyzer must survive: what a UDP syslog file really contains besides traffic.
 * The generator writes them at `--malformed-rate`; halog counts them as parsing errors (or, for
 * truncated lines, as whatever prefix survived).
 */
import { bytes, type ByteWriter } from './byte-writer.js';
import { weightedTable, type Prng } from './prng.js';

export type MalformedKind = 'truncated' | 'garbage' | 'noHeader' | 'empty' | 'nonTraffic';

export const MALFORMED_KINDS = weightedTable<MalformedKind>([
  ['truncated', 35],
  ['garbage', 15],
  ['noHeader', 15],
  ['empty', 10],
  ['nonTraffic', 25],
]);

/** HAProxy's own messages, with their PRI (local0 + level: 128 emerg, 129 alert, 132 warning, 133 notice). */
export const NON_TRAFFIC: readonly { readonly pri: number; readonly text: Buffer }[] = [
  {
    pri: 129,
    text: bytes(
      'Server bk_app/app3 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 3 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    ),
  },
  {
    pri: 129,
    text: bytes(
      'Server bk_api/api2 is DOWN, reason: Layer7 timeout, check duration: 2001ms. 2 active and 0 backup servers left. 5 sessions active, 0 requeued, 0 remaining in queue.',
    ),
  },
  {
    pri: 133,
    text: bytes(
      'Server bk_app/app3 is UP, reason: Layer7 check passed, code: 200, check duration: 1ms. 4 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.',
    ),
  },
  { pri: 128, text: bytes('backend bk_old has no server available!') },
  { pri: 132, text: bytes('Proxy fe_web stopped (cumulated conns: FE: 3433, BE: 0).') },
  { pri: 133, text: bytes('Proxy bk_app started.') },
];

/** 1-300 random bytes, never LF; high bytes make it invalid UTF-8 most of the time. */
export function writeGarbage(out: ByteWriter, prng: Prng): void {
  const n = 1 + prng.below(300);
  for (let i = 0; i < n; i++) {
    let b = prng.below(256);
    if (b === 0x0a) b = 0xff;
    out.byte(b);
  }
}
