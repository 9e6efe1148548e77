/** `balance hdr(<name>)`: hash of a request header's value; round robin when it is absent. */
import { hashBalancer } from './hash.js';
import type { LbAlgorithm } from './types.js';

export const hdr: LbAlgorithm = {
  name: 'hdr',
  hashBased: true,
  dynamicWeights: false,
  init: (servers, arg) => hashBalancer(servers, (req) => req.header(arg ?? '')),
};
