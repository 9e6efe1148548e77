/** `balance source`: hash of the client address, so a client keeps its server while the farm is stable. */
import { hashBalancer } from './hash.js';
import type { LbAlgorithm } from './types.js';

export const source: LbAlgorithm = {
  name: 'source',
  hashBased: true,
  dynamicWeights: false,
  init: (servers) => hashBalancer(servers, (req) => req.src),
};
