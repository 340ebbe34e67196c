// The simulated mesh's switches. Each one breaks exactly one SMI rule, so that a test can prove
// the conformance suite notices that rule being broken. `faithful` breaks nothing.
//
// A switch is turned into a `Rules` object (all true when faithful); the decision function, the
// CRD list and the metrics API read only these flags, never the switch name, so each switch
// touches exactly the code path of its rule.

/**
 * @typedef {object} Rules
 * @property {boolean} accessControl      TrafficTarget access control is on (deny by default).
 * @property {boolean} checkSources       a TrafficTarget admits only the identities in `sources`.
 * @property {boolean} checkPaths         HTTPRouteGroup `pathRegex` narrows what is allowed.
 * @property {boolean} checkMethods       HTTPRouteGroup `methods` narrow what is allowed.
 * @property {boolean} splitWeights       TrafficSplit distributes by `weight`.
 * @property {boolean} zeroWeightGetsNone a backend with weight 0 receives no traffic.
 * @property {boolean} metricsApi         the metrics.smi-spec.io/v1alpha1 API is served.
 * @property {boolean} trafficSplitCrd    the TrafficSplit CRD is installed.
 * @property {boolean} currentAccessCrd   the TrafficTarget CRD serves the current version (v1alpha3).
 * @property {boolean} countAllTraffic    the metrics API counts every call it saw.
 * @property {boolean} listEdges          the metrics API lists the edges between workloads.
 */

/** @type {Rules} */
const FAITHFUL = Object.freeze({
  accessControl: true,
  checkSources: true,
  checkPaths: true,
  checkMethods: true,
  splitWeights: true,
  zeroWeightGetsNone: true,
  metricsApi: true,
  trafficSplitCrd: true,
  currentAccessCrd: true,
  countAllTraffic: true,
  listEdges: true,
});

/** @type {Record<string, { description: string, breaks: keyof Rules }>} */
const DEFINITIONS = {
  'allow-by-default': {
    description:
      'access control is off (permissive mode): every call is allowed, although SMI denies traffic by default and TrafficTargets allow only what they name',
    breaks: 'accessControl',
  },
  'ignore-traffictarget-sources': {
    description: "a TrafficTarget admits any source identity, not only the ServiceAccounts in its spec.sources",
    breaks: 'checkSources',
  },
  'ignore-httproutegroup-paths': {
    description: "HTTPRouteGroup pathRegex is ignored in TrafficTarget rules: a rule's matches allow every path",
    breaks: 'checkPaths',
  },
  'ignore-methods': {
    description: 'HTTPRouteGroup methods are ignored in TrafficTarget rules: a match allows every HTTP method',
    breaks: 'checkMethods',
  },
  'ignore-split-weights': {
    description:
      "TrafficSplit weights are ignored: traffic is spread evenly over the backends whose weight is not 0",
    breaks: 'splitWeights',
  },
  'zero-weight-traffic': {
    description: 'TrafficSplit backends with weight 0 still receive traffic (as if their weight were 1)',
    breaks: 'zeroWeightGetsNone',
  },
  'no-metrics-api': {
    description: 'the Traffic Metrics API (metrics.smi-spec.io/v1alpha1) is not served',
    breaks: 'metricsApi',
  },
  'metrics-undercount': {
    description: 'the Traffic Metrics API counts only every other call (success_count too low)',
    breaks: 'countAllTraffic',
  },
  'no-edges': {
    description: 'the Traffic Metrics API lists no edges between workloads',
    breaks: 'listEdges',
  },
  'missing-crd': {
    description: 'the TrafficSplit CRD (trafficsplits.split.smi-spec.io) is not installed',
    breaks: 'trafficSplitCrd',
  },
  'old-crd-version': {
    description: 'the TrafficTarget CRD serves only access.smi-spec.io/v1alpha2, not the current v1alpha3',
    breaks: 'currentAccessCrd',
  },
};

/** Switch names, without `faithful`. */
export const SWITCHES = Object.freeze(Object.keys(DEFINITIONS));

/** Every accepted mode: `faithful` and the switches. */
export const MODES = Object.freeze(['faithful', ...SWITCHES]);

/**
 * One line that says which rule the switch breaks.
 * @param {string} name
 * @returns {string}
 */
export function describeSwitch(name) {
  if (name === 'faithful') return 'the faithful mesh: every SMI rule is enforced';
  const def = DEFINITIONS[name];
  if (!def) throw unknownMode(name);
  return def.description;
}

/**
 * The rule flags for a mode.
 * @param {string} [mode]
 * @returns {Rules}
 */
export function rulesFor(mode = 'faithful') {
  if (mode === 'faithful') return FAITHFUL;
  const def = DEFINITIONS[mode];
  if (!def) throw unknownMode(mode);
  return Object.freeze({ ...FAITHFUL, [def.breaks]: false });
}

/** @param {string} name */
function unknownMode(name) {
  return new Error(`unknown mesh mode "${name}"; use one of: ${MODES.join(', ')}`);
}
