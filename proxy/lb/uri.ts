/** `balance uri`: hash of the path (the part before '?'), for cache affinity. */
import { hashBalancer } from './hash.js';
import type { LbAlgorithm } from './types.js';

export const uri: LbAlgorithm = {
  name: 'uri',
  hashBased: true,
  dynamicWeights: false,
  init: (servers) => hashBalancer(servers, (req) => req.path),
};
