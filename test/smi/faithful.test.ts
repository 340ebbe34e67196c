import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeCluster, namespacesLeft, outline, runAgainst, SEEDS, type FakeCluster } from './helpers.js';

describe('the SMI suite against the faithful simulated mesh', () => {
  let cluster: FakeCluster;
  beforeAll(async () => {
    cluster = await fakeCluster('faithful', { seed: 1 });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  // Random balancing, every seed, all at once (each in its own cluster).
  it(`passes every spec: FULL, 100%, seeds ${SEEDS.join(', ')}`, { timeout: 90_000 }, async () => {
    await Promise.all(
      SEEDS.map(async (seed) => {
        const own = await fakeCluster('faithful', { seed });
        try {
          const { suite } = await runAgainst(own, { stepTimeoutMs: 30_000 });
          expect(outline(suite), `seed ${seed}`).toEqual({
            'traffic-access': 'PASSED 7/7',
            'traffic-spec': 'PASSED 6/6',
            'traffic-split': 'PASSED 11/11',
            'traffic-metrics': 'PASSED 4/4',
          });
          expect(suite.score).toMatchObject({ casesPassed: 28, casesTotal: 28, passingPercentage: '100.00' });
          expect(suite.cases.map((c) => c.apiVersion)).toEqual(['access.smi-spec.io/v1alpha3', 'specs.smi-spec.io/v1alpha4', 'split.smi-spec.io/v1alpha4', 'metrics.smi-spec.io/v1alpha1']);
          expect(namespacesLeft(own)).toEqual([]);
        } finally {
          await own.close();
        }
      }),
    );
  });

  it('uses valid service FQDNs and records what the traffic did', async () => {
    const { suite } = await runAgainst(cluster, { specs: ['traffic-access', 'traffic-split'] });
    const notes = suite.cases.flatMap((c) => c.steps.flatMap((s) => s.notes));
    const urls = notes.flatMap((n) => n.match(/http:\/\/[^\s:]+:\d+\/[^\s:]*/g) ?? []);
    expect(urls.length).toBeGreaterThan(0);
    for (const u of urls) expect(u).toMatch(/^http:\/\/app-b\.meshspec-traffic-access-[a-z0-9]{6}\.svc\.cluster\.local:9091\/echo$/);
    expect(notes).toEqual(expect.arrayContaining([expect.stringMatching(/^app-c → GET http:\/\/app-b\.\S+\/echo: denied, recorded as failed/)]));
  });
});
