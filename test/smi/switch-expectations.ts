import { expect, it } from 'vitest';
import { describeSwitch } from '../support/fake-cluster/mesh/index.mjs';
import type { SmiVersionChoice } from '../../packages/core/src/smi/versions.js';
import { fakeCluster, namespacesLeft, outline, runAgainst, SEEDS } from './helpers.js';

/**
 * The expectations of switches.test.ts and switches-osm.test.ts (two files, so that they run in
 * parallel). Each switch of the simulated mesh breaks one SMI rule. For each one, under random balancing and
 * for every seed, the suite must fail the right spec at the right step, with a reason that names
 * the rule: on the generic simulation, and combined with the OSM profile. Only the specs a switch
 * can touch run, with step timeouts that leave room for one whole attempt of each check (a broken
 * rule never heals, so a failing step costs its whole timeout).
 */
interface Failure {
  spec: string;
  step: string;
  reason: RegExp;
}
export interface Expectation {
  fails: Failure[];
  /** The same switch on the OSM profile, where it differs (OSM serves no metrics API at all). */
  osm?: Failure[];
  smiVersion?: SmiVersionChoice;
}

const noMetricsApi: Failure = { spec: 'traffic-metrics', step: '1-metricsApi', reason: /the mesh serves no metrics\.smi-spec\.io API/ };

export const EXPECTED: Record<string, Expectation> = {
  'allow-by-default': {
    fails: [
      { spec: 'traffic-access', step: '3-trafficDefault', reason: /traffic is denied by default.*was allowed/ },
      // With access control off, an HTTPRouteGroup cannot narrow anything either.
      { spec: 'traffic-spec', step: '4-trafficPath', reason: /allows only the paths its pathRegex matches.*GET .*\/echo was allowed/ },
    ],
  },
  'ignore-traffictarget-sources': { fails: [{ spec: 'traffic-access', step: '5-trafficAllowed', reason: /admits only its sources.*app-c → GET .*app-b.* was allowed/ }] },
  'ignore-httproutegroup-paths': { fails: [{ spec: 'traffic-spec', step: '4-trafficPath', reason: /allows only the paths its pathRegex matches.*\/echo was allowed/ }] },
  'ignore-methods': { fails: [{ spec: 'traffic-spec', step: '6-trafficMethod', reason: /allows only its methods.*POST .*\/echo was allowed/ }] },
  // Either no probe ever looks like 75:25, or the judged sample of 202 calls refutes it.
  'ignore-split-weights': {
    fails: [
      {
        spec: 'traffic-split',
        step: '9-trafficBGrtC',
        reason: /spreads traffic by weight: (of 202 calls to app-svc, app-b received \d+ and app-c \d+; expected of 202 calls app-b receives at least 128|not in effect yet \(no call is lost and app-b receives more than app-c\): of 20 calls to app-svc, app-b received \d+ and app-c \d+)/,
      },
    ],
  },
  'zero-weight-traffic': { fails: [{ spec: 'traffic-split', step: '5-trafficOnlyB', reason: /none to a weight-0 backend: not in effect yet \(every call reaches app-b\): of 20 calls to app-svc, app-b received \d+ and app-c [1-9]/ }] },
  'no-metrics-api': { fails: [noMetricsApi] },
  'metrics-undercount': {
    fails: [
      {
        spec: 'traffic-metrics',
        step: '3-trafficMetrics',
        reason: /TrafficMetrics of deployment app-b-deployment: success_count rose (from \d+ to \d+ \(by [0-9]\) after 10 successful calls; expected a rise of at least 10|by [0-9] of 10 before the step deadline)/,
      },
    ],
    osm: [noMetricsApi],
  },
  'no-edges': { fails: [{ spec: 'traffic-metrics', step: '4-trafficMetricsEdges', reason: /the edges of app-a-deployment have no edge to app-b-deployment \(edges: none\)/ }], osm: [noMetricsApi] },
  'missing-crd': { fails: [{ spec: 'traffic-split', step: '1-crd', reason: /the mesh serves no split\.smi-spec\.io API: CRD trafficsplits\.split\.smi-spec\.io is not installed/ }] },
  // A release pin is what notices an old version: under auto the mesh is tested on v1alpha2.
  'old-crd-version': {
    smiVersion: 'v0.6.0',
    fails: [{ spec: 'traffic-access', step: '1-crd', reason: /TrafficTarget access\.smi-spec\.io\/v1alpha3 \(SMI v0\.6\.0\) is not served; CRD traffictargets\.access\.smi-spec\.io serves v1alpha2/ }],
  },
};

/** Step timeouts per spec: long enough for one attempt of each check on a busy machine. */
const STEP_TIMEOUT_MS: Record<string, number> = { 'traffic-access': 3_000, 'traffic-spec': 3_000, 'traffic-split': 30_000, 'traffic-metrics': 10_000 };

/** One test: the switch on the generic mesh or a profile, every seed at once, each in its own cluster. */
export function switchTest(name: string, profile?: string): void {
  it(`${profile ? `${profile} profile + ` : 'generic mesh: '}${name}: ${describeSwitch(name)} (seeds ${SEEDS.join(', ')})`, { timeout: 90_000 }, async () => {
    const want = EXPECTED[name]!;
    const failing = (profile === 'osm' && want.osm) || want.fails;
    const specs = [...new Set(failing.map((f) => f.spec))];
    const stepTimeoutMs = Math.max(...specs.map((s) => STEP_TIMEOUT_MS[s]!));
    await Promise.all(
      SEEDS.map(async (seed) => {
        const cluster = await fakeCluster(name, { profile, seed });
        try {
          const { suite } = await runAgainst(cluster, { stepTimeoutMs, specs: specs as never, smiVersion: want.smiVersion });
          const got = outline(suite);
          for (const f of failing) {
            expect(got[f.spec], `${f.spec} under ${name}, seed ${seed}`).toMatch(new RegExp(`^FAILED \\d+/\\d+ step ${f.step}: `));
            expect(got[f.spec], `seed ${seed}`).toMatch(f.reason);
          }
          expect(namespacesLeft(cluster)).toEqual([]);
        } finally {
          await cluster.close();
        }
      }),
    );
  });
}


