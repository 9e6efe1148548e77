/** Registry of load-balancing algorithms, by their `balance` keyword. */
import { first } from './first.js';
import { hdr } from './hdr.js';
import { leastconn } from './leastconn.js';
import { roundrobin } from './roundrobin.js';
import { source } from './source.js';
import { staticRr } from './static-rr.js';
import type { LbAlgorithm } from './types.js';
import { uri } from './uri.js';
import { urlParam } from './url-param.js';

export const ALGORITHMS: ReadonlyMap<string, LbAlgorithm> = new Map(
  [roundrobin, staticRr, leastconn, first, source, uri, urlParam, hdr].map((a) => [a.name, a]),
);

export function algorithm(name: string): LbAlgorithm {
  const a = ALGORITHMS.get(name);
  if (!a) throw new Error(`bug: no load-balancing algorithm '${name}' (the config parser should have refused it)`);
  return a;
}
