/** `balance url_param <name>`: hash of a query-string parameter's value; round robin without it. */
import { hashBalancer } from './hash.js';
import type { LbAlgorithm } from './types.js';

export const urlParam: LbAlgorithm = {
  name: 'url_param',
  hashBased: true,
  dynamicWeights: false,
  init(servers, arg) {
    const prefix = `${arg ?? ''}=`;
    return hashBalancer(servers, (req) => {
      for (const part of req.query.split('&')) if (part.startsWith(prefix)) return part.slice(prefix.length);
      return undefined;
    });
  },
};
