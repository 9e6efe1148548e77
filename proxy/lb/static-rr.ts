/**
 * `balance static-rr`: a fixed weighted map walked in order; like HAProxy's lb_map, the map is
 * rebuilt only when a server goes up or down.
 */
import { isFull, type LbAlgorithm, type LbServer } from './types.js';
import { buildMap } from './weighted-rr.js';

export const staticRr: LbAlgorithm = {
  name: 'static-rr',
  hashBased: false,
  dynamicWeights: false,
  init(servers) {
    let map: LbServer[] = buildMap(servers);
    let pos = 0;
    const rebuild = (): void => {
      map = buildMap(servers);
      pos = 0;
    };
    return {
      pick(_req, avoid) {
        for (const allowAvoid of [false, true]) {
          for (let i = 0; i < map.length; i++) {
            const s = map[(pos + i) % map.length]!;
            if (isFull(s) || (!allowAvoid && s === avoid)) continue;
            pos = (pos + i + 1) % map.length;
            return s;
          }
          if (!avoid) break;
        }
        return null;
      },
      onTake() {},
      onRelease() {},
      onUp: rebuild,
      onDown: rebuild,
      // the runtime API only allows 0% or 100% of the initial weight here, as HAProxy's static algorithms
      onWeight: rebuild,
    };
  },
};
