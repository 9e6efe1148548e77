/** `balance roundrobin`: weighted, dynamic (servers going down or up, and weight changes, are taken into account at once). */
import type { LbAlgorithm } from './types.js';
import { WeightedRr } from './weighted-rr.js';

export const roundrobin: LbAlgorithm = {
  name: 'roundrobin',
  hashBased: false,
  dynamicWeights: true,
  init(servers) {
    const rr = new WeightedRr(servers);
    return {
      pick: (_req, avoid) => rr.next(true, avoid),
      onTake() {},
      onRelease() {},
      onUp: (s) => rr.reset(s),
      onDown: (s) => rr.reset(s),
      onWeight: () => rr.rebuild(),
    };
  },
};
