/**
 * Common part of the map-based hashing algorithms (source, uri, url_param, hdr): a weighted
 * map of usable servers rebuilt on up/down, `sdbm(key) % map.length`, and round robin when the
 * request has no key (HAProxy does the same for url_param and hdr).
 */
import type { Balancer, LbRequest, LbServer } from './types.js';
import { WeightedRr, buildMap, sdbm } from './weighted-rr.js';

export function hashBalancer(servers: readonly LbServer[], key: (req: LbRequest) => string | undefined): Balancer {
  let map = buildMap(servers);
  const rr = new WeightedRr(servers);
  const rebuild = (): void => {
    map = buildMap(servers);
  };
  return {
    pick(req, avoid) {
      const k = key(req);
      if (k === undefined || map.length === 0) return rr.next(true, avoid);
      const s = map[sdbm(k) % map.length]!;
      if (s === avoid) return rr.next(true, avoid);
      return s;
    },
    onTake() {},
    onRelease() {},
    onUp: rebuild,
    onDown: rebuild,
    onWeight: rebuild,
  };
}
