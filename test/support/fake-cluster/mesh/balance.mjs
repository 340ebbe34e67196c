// Load balancing: how the mesh picks one of several weighted choices (TrafficSplit backends,
// a Service's endpoints). A balancer is `{ pick(key, weights) -> index }`; `key` names the
// stream of choices (one client, one destination, one weight configuration), so that choices
// for different streams do not disturb each other. Every weight passed in is > 0.
//
// Two balancers, both driven by an injectable `random` so tests can seed them:
// - roundRobinBalancer: smooth weighted round robin, the algorithm of nginx's `upstream` block,
//   which is the example implementation in the TrafficSplit spec (traffic-split-v1alpha4.md,
//   "Example implementation"). With weights 3:1 it yields exactly 3 of every 4 picks for the
//   first choice, so a suite's "B > C" after 50 calls is decided by the mesh, not by luck.
//   Like Envoy's round robin, each stream starts at a random point of its cycle.
// - randomBalancer: an independent weighted draw per pick, as Envoy's weighted clusters do.

/**
 * A small seeded PRNG (mulberry32): deterministic sequences for tests.
 * @param {number} seed
 * @returns {() => number} values in [0, 1)
 */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** @typedef {{ pick(key: string, weights: number[]): number }} Balancer */

/**
 * @param {() => number} [random]
 * @returns {Balancer}
 */
export function randomBalancer(random = Math.random) {
  return {
    pick(_key, weights) {
      const total = weights.reduce((a, b) => a + b, 0);
      let r = random() * total;
      for (let i = 0; i < weights.length; i++) {
        r -= weights[i];
        if (r < 0) return i;
      }
      return weights.length - 1;
    },
  };
}

/**
 * @param {() => number} [random]  chooses where each new stream starts in its cycle
 * @param {number} [maxStreams]     state is dropped beyond this many streams (bounded memory)
 * @returns {Balancer}
 */
export function roundRobinBalancer(random = Math.random, maxStreams = 10_000) {
  /** @type {Map<string, number[]>} */
  const streams = new Map();
  /** @param {number[]} current @param {number[]} weights */
  const step = (current, weights) => {
    const total = weights.reduce((a, b) => a + b, 0);
    let best = 0;
    for (let i = 0; i < weights.length; i++) {
      current[i] += weights[i];
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    return best;
  };
  return {
    pick(key, weights) {
      // The weights are part of the stream: a changed TrafficSplit starts a fresh cycle.
      const id = `${key}\u0000${weights.join(',')}`;
      let current = streams.get(id);
      if (!current) {
        if (streams.size >= maxStreams) streams.clear();
        current = weights.map(() => 0);
        // One cycle is sum(weights) picks; the start offset is capped to keep huge weights cheap.
        const total = weights.reduce((a, b) => a + b, 0);
        const skip = Math.floor(random() * Math.min(total, 1000));
        for (let i = 0; i < skip; i++) step(current, weights);
        streams.set(id, current);
      }
      return step(current, weights);
    },
  };
}
