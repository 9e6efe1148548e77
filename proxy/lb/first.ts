/**
 * `balance first`: the usable server with the lowest id that still has a free slot
 * (`maxconn`); servers without maxconn are never considered full, so they take everything.
 */
import { canTake, isFull, type LbAlgorithm } from './types.js';

export const first: LbAlgorithm = {
  name: 'first',
  hashBased: false,
  dynamicWeights: true,
  init(servers) {
    const byId = [...servers].sort((a, b) => a.id - b.id);
    return {
      pick(_req, avoid) {
        const s = byId.find((x) => canTake(x) && !isFull(x) && x !== avoid) ?? byId.find((x) => canTake(x) && !isFull(x));
        return s ?? null;
      },
      onTake() {},
      onRelease() {},
      onUp() {},
      onDown() {},
      // the weight plays no part here, except 0 (not usable), read at each pick
      onWeight() {},
    };
  },
};
