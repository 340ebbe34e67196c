/**
 * How many calls it takes to judge a TrafficSplit's weights, and the rule that judges them. Real
 * proxies balance weighted backends at random (Envoy's weighted clusters, Linkerd's dst overrides),
 * so every count is a draw from a binomial distribution and any fixed count can fail a faithful
 * mesh or pass a wrong one by chance. The sample size n is the smallest for which a threshold
 * exists that fails a mesh honouring the weights, and passes a mesh that ignores them, each with
 * probability below ERROR_BOUND. The sample is judged once: a retry that could pass on luck would
 * undo the bound.
 */

/** The largest chance of a wrong verdict the suite accepts, per judged sample. */
export const ERROR_BOUND = 1e-4;

interface SplitJudgement {
  /** Calls in the judged sample. */
  n: number;
  /** The heavier backend must receive at least this many of the n calls. */
  atLeast: number;
  /** P(a mesh that honours the weights fails), exactly. */
  faithfulFails: number;
  /** P(a mesh that spreads the calls evenly passes), exactly. */
  evenPasses: number;
}

function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log((n - k + i) / i);
  return s;
}

/** The probability mass of Binomial(n, p), as an array indexed by k. */
function binomial(n: number, p: number): number[] {
  const out: number[] = [];
  for (let k = 0; k <= n; k++) out.push(Math.exp(logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log(1 - p)));
  return out;
}

/**
 * For two non-zero, unequal weights: the smallest n and its threshold. The alternative is a mesh
 * that ignores the weights (an even share, as Meshery's `ignore-split-weights` reading has it).
 */
export function judgeUnequalWeights(heavy: number, light: number, bound = ERROR_BOUND, maxN = 5000): SplitJudgement {
  if (!(heavy > light && light > 0)) throw new RangeError(`judgeUnequalWeights needs heavy > light > 0, got ${heavy} and ${light}`);
  const p = heavy / (heavy + light);
  for (let n = 1; n <= maxN; n++) {
    const faithful = binomial(n, p);
    const even = binomial(n, 0.5);
    // faithfulFails(k) = P_faithful(X < k) grows with k; evenPasses(k) = P_even(X >= k) shrinks.
    let below = 0;
    let evenBelow = 0;
    for (let k = 0; k <= n; k++) {
      const evenPasses = 1 - evenBelow;
      if (below < bound && evenPasses < bound) return { n, atLeast: k, faithfulFails: below, evenPasses };
      if (below >= bound) break;
      below += faithful[k]!;
      evenBelow += even[k]!;
    }
  }
  throw new RangeError(`no sample of at most ${maxN} calls tells ${heavy}:${light} from an even split within ${bound}`);
}

/**
 * For a split whose other backends have weight 0: every call must reach the weighted one. A mesh
 * that sends a weight-0 backend traffic at all gives it, at the least, an even share among two;
 * n is the smallest with 0.5^n below the bound. A faithful mesh never fails this.
 */
export function zeroWeightSampleSize(bound = ERROR_BOUND): number {
  return Math.ceil(Math.log(bound) / Math.log(0.5));
}

/**
 * Without a TrafficSplit, the root service balances over its two endpoints: each must receive at
 * least one call. A faithful mesh misses one with probability 2 * 0.5^n.
 */
export function bothBackendsSampleSize(bound = ERROR_BOUND): number {
  return Math.ceil(Math.log(bound / 2) / Math.log(0.5));
}
