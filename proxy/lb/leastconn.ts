/**
 * `balance leastconn`: the server with the fewest requests relative to its weight
 * ((cur + 1) / weight); ties go round robin, starting after the last server picked.
 */
import { canTake, isFull, type LbAlgorithm, type LbServer } from './types.js';

export const leastconn: LbAlgorithm = {
  name: 'leastconn',
  hashBased: false,
  dynamicWeights: true,
  init(servers) {
    let last = -1;
    return {
      pick(_req, avoid) {
        for (const allowAvoid of [false, true]) {
          let best: LbServer | null = null;
          let bestLoad = Infinity;
          let bestIdx = -1;
          for (let k = 1; k <= servers.length; k++) {
            const i = (last + k) % servers.length;
            const s = servers[i]!;
            if (!canTake(s) || isFull(s) || (!allowAvoid && s === avoid)) continue;
            const load = (s.cur + 1) / s.weight;
            if (load < bestLoad) {
              best = s;
              bestLoad = load;
              bestIdx = i;
            }
          }
          if (best) {
            last = bestIdx;
            return best;
          }
          if (!avoid) break;
        }
        return null;
      },
      onTake() {},
      onRelease() {},
      onUp() {},
      onDown() {},
      // the weight is read at each pick
      onWeight() {},
    };
  },
};
