import { afterEach, describe, expect, it } from 'vitest';
import { SWITCHES, describeSwitch } from '../support/fake-cluster/mesh/index.mjs';
import { fakeCluster, namespacesLeft, outline, runAgainst, type FakeCluster } from './helpers.js';

/**
 * Each switch of the simulated mesh breaks one SMI rule. For each one, the suite must fail the
 * right spec at the right step, with a reason that names the rule, and pass every other spec.
 */
interface Expectation {
  spec: string;
  step: string;
  reason: RegExp;
  /** A second spec the same broken rule also fails (allow-by-default breaks path rules too). */
  also?: { spec: string; step: string; reason: RegExp };
}

const EXPECTED: Record<string, Expectation> = {
  'allow-by-default': {
    spec: 'traffic-access',
    step: '3-trafficDefault',
    reason: /traffic is denied by default.*was allowed/,
    // With access control off, an HTTPRouteGroup cannot narrow anything either.
    also: { spec: 'traffic-spec', step: '4-trafficPath', reason: /allows only the paths its pathRegex matches.*GET .*\/echo was allowed/ },
  },
  'ignore-traffictarget-sources': { spec: 'traffic-access', step: '5-trafficAllowed', reason: /admits only its sources.*app-c → GET .*app-b.* was allowed/ },
  'ignore-httproutegroup-paths': { spec: 'traffic-spec', step: '4-trafficPath', reason: /allows only the paths its pathRegex matches.*\/echo was allowed/ },
  'ignore-methods': { spec: 'traffic-spec', step: '6-trafficMethod', reason: /allows only its methods.*POST .*\/echo was allowed/ },
  'ignore-split-weights': { spec: 'traffic-split', step: '9-trafficBGrtC', reason: /spreads traffic by weight.*app-b received 25 and app-c 25/ },
  'zero-weight-traffic': { spec: 'traffic-split', step: '5-trafficOnlyB', reason: /none to a weight-0 backend.*app-c [1-9]/ },
  'no-metrics-api': { spec: 'traffic-metrics', step: '1-metricsApi', reason: /metrics\.smi-spec\.io API .*is not installed/ },
  'missing-crd': { spec: 'traffic-split', step: '1-crd', reason: /CRD trafficsplits\.split\.smi-spec\.io is not installed/ },
  'old-crd-version': { spec: 'traffic-access', step: '1-crd', reason: /TrafficTarget access\.smi-spec\.io\/v1alpha3 \(SMI v0\.6\.0\) is not served; CRD traffictargets\.access\.smi-spec\.io serves v1alpha2/ },
};

const ALL_SPECS = ['traffic-access', 'traffic-spec', 'traffic-split', 'traffic-metrics'];

/**
 * The step timeout for these runs. A broken rule never heals, so each failing step costs exactly
 * this long; but the timeout must also leave room for one whole attempt of every check, or a step
 * fails with "timed out waiting for <step>" instead of the counts that name the broken rule (and a
 * spec that should pass fails too). A traffic-split check is 55 requests through port-forwards
 * (3 resets, 50 calls, 2 reads): about 0.25 s on an idle 2-core machine, 1.2 s with eight busy
 * processes, and over 2 s while other test runs share the machine. 8 s leaves room for that.
 */
const STEP_TIMEOUT_MS = 8_000;

describe('the SMI suite catches every broken rule of the simulated mesh', () => {
  let cluster: FakeCluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it('has an expectation for every switch the simulator offers', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...(SWITCHES as string[])].sort());
  });

  for (const name of SWITCHES as string[]) {
    it(`${name}: ${describeSwitch(name)}`, async () => {
      const want = EXPECTED[name];
      expect(want, `no expectation for switch ${name}`).toBeDefined();
      cluster = await fakeCluster(name);
      const { suite } = await runAgainst(cluster, { stepTimeoutMs: STEP_TIMEOUT_MS });
      const got = outline(suite);
      const failing = [want!, ...(want!.also ? [want!.also] : [])];
      for (const f of failing) {
        expect(got[f.spec], `${f.spec} under ${name}`).toMatch(new RegExp(`^FAILED \\d+/\\d+ step ${f.step}: `));
        expect(got[f.spec]).toMatch(f.reason);
      }
      for (const spec of ALL_SPECS.filter((s) => !failing.some((f) => f.spec === s))) {
        expect(got[spec], `${spec} is untouched by ${name} and must pass`).toMatch(/^PASSED /);
      }
      expect(namespacesLeft(cluster)).toEqual([]);
    });
  }

  it('old-crd-version with smi_version auto: tests v1alpha2 and passes, and records the version', async () => {
    cluster = await fakeCluster('old-crd-version');
    const { suite } = await runAgainst(cluster, { stepTimeoutMs: STEP_TIMEOUT_MS, smiVersion: 'auto', specs: ['traffic-access'] });
    expect(outline(suite)).toEqual({ 'traffic-access': 'PASSED 7/7' });
    expect(suite.apiVersions.TrafficTarget).toBe('access.smi-spec.io/v1alpha2');
    expect(suite.cases[0]!.apiVersion).toBe('access.smi-spec.io/v1alpha2');
  });
});
