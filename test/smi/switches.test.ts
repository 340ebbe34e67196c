import { describe, expect, it } from 'vitest';
import { SWITCHES } from '../support/fake-cluster/mesh/index.mjs';
import { fakeCluster, outline, runAgainst } from './helpers.js';
import { EXPECTED, switchTest } from './switch-expectations.js';

describe('the SMI suite catches every broken rule of the generic simulated mesh, under random balancing', () => {
  it('has an expectation for every switch the simulator offers', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...(SWITCHES as string[])].sort());
  });

  for (const name of SWITCHES as string[]) switchTest(name);

  it('old-crd-version with smi_version auto: tests v1alpha2 and passes, and records the version', async () => {
    const cluster = await fakeCluster('old-crd-version', { seed: 1 });
    try {
      const { suite } = await runAgainst(cluster, { stepTimeoutMs: 3_000, smiVersion: 'auto', specs: ['traffic-access'] });
      expect(outline(suite)).toEqual({ 'traffic-access': 'PASSED 7/7' });
      expect(suite.apiVersions.TrafficTarget).toBe('access.smi-spec.io/v1alpha2');
      expect(suite.cases[0]!.apiVersion).toBe('access.smi-spec.io/v1alpha2');
    } finally {
      await cluster.close();
    }
  });
});
