import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { CheckFailed, type TestCase } from '../../packages/core/src/smi/test-case.js';
import { installStep } from '../../packages/core/src/smi/steps.js';
import { sendProbes } from '../../packages/core/src/smi/traffic.js';
import { STANDARD_APPS } from '../../packages/core/src/smi/workloads.js';
import { fakeCluster, kubeFor, namespacesLeft, runAgainst, type FakeCluster } from './helpers.js';

/** Small cases that exercise the engine itself, against the fake cluster. */
function caseOf(steps: TestCase['steps']): TestCase {
  return { spec: 'traffic-access', description: 'engine test', reportedKind: 'TrafficTarget', apps: STANDARD_APPS, steps };
}

describe('the step engine', () => {
  let cluster: FakeCluster;
  beforeAll(async () => {
    cluster = await fakeCluster('faithful');
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('polls a check until it passes, without a fixed wait', async () => {
    let calls = 0;
    const { suite } = await runAgainst(cluster, {
      cases: [caseOf([{ name: 'eventually', description: 'passes on the third attempt', check: async () => {
        calls++;
        if (calls < 3) throw new CheckFailed(`not yet (${calls})`);
      } }])],
    });
    const step = suite.cases[0]!.steps[0]!;
    expect(step).toMatchObject({ status: 'passed', attempts: 3 });
    // 100 ms + 200 ms between the attempts; a fixed wait of seconds would trip the test's timeout.
  }, 5_000);

  it('fails at the deadline with the last reason seen, and marks the rest not run', async () => {
    const { suite } = await runAgainst(cluster, {
      stepTimeoutMs: 600,
      cases: [caseOf([
        { name: 'never', description: 'never passes', rule: 'the rule', check: async () => { throw new CheckFailed('still broken'); } },
        { name: 'after', description: 'not reached' },
      ])],
    });
    const [never, after] = suite.cases[0]!.steps;
    expect(never).toMatchObject({ status: 'failed', reason: 'the rule: still broken (still so at the step timeout, 0.6 s)' });
    expect(after).toMatchObject({ status: 'not-run', reason: 'not run: step 1-never failed' });
    expect(namespacesLeft(cluster)).toEqual([]);
  });

  // The step timeout is a minute; the test's own timeout proves the step did not wait it out.
  it('fails at once when waiting cannot help (retry: false)', { timeout: 10_000 }, async () => {
    const { suite } = await runAgainst(cluster, {
      stepTimeoutMs: 60_000,
      cases: [caseOf([{ name: 'fatal', description: 'x', check: async () => { throw new CheckFailed('CRD x is not installed', { retry: false }); } }])],
    });
    expect(suite.cases[0]!.steps[0]).toMatchObject({ status: 'failed', reason: 'CRD x is not installed', attempts: 1 });
  });

  it("catches Meshery's traffic-spec manifest: `matches` outside `spec` is pruned, so its assert fails", async () => {
    const { suite } = await runAgainst(cluster, {
      stepTimeoutMs: 1_000,
      cases: [caseOf([{
        name: 'install',
        description: "Meshery's 03-install HTTPRouteGroup, as written",
        apply: (ctx) => [{ apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'HTTPRouteGroup', metadata: { name: 'http-rg', namespace: ctx.namespace }, matches: [{ name: 'testMatch', pathRegex: '/metrics', methods: ['*'] }] } as KubernetesObject],
      }])],
    });
    const step = suite.cases[0]!.steps[0]!;
    expect(step.status).toBe('failed');
    expect(step.reason).toMatch(/^HTTPRouteGroup meshspec-traffic-access-\w+\/http-rg does not match what was expected: matches: missing/);
  });

  it('a server that rejects an object fails the step at once with its message (no retry on 4xx)', { timeout: 10_000 }, async () => {
    const { suite } = await runAgainst(cluster, {
      stepTimeoutMs: 60_000,
      cases: [caseOf([{
        name: 'unknownKind',
        description: 'a kind the cluster does not serve',
        apply: (ctx) => [{ apiVersion: 'split.smi-spec.io/v1alpha1', kind: 'TrafficSplit', metadata: { name: 'x', namespace: ctx.namespace }, spec: {} } as KubernetesObject],
      }])],
    });
    expect(suite.cases[0]!.steps[0]).toMatchObject({ status: 'failed' });
    expect(suite.cases[0]!.steps[0]!.reason).toMatch(/^apply TrafficSplit meshspec-traffic-access-\w+\/x: HTTP 404: /);
  });

  it("labels and annotates each namespace for the mesh's sidecar injection, with a fresh suffix, and deletes it", async () => {
    const kube = kubeFor(cluster);
    const seen: Record<string, unknown>[] = [];
    const names: string[] = [];
    const onNamespace = (event: 'created' | 'deleted', name: string) => {
      if (event === 'created') names.push(name);
    };
    await runAgainst(cluster, {
      onNamespace,
      cases: [caseOf([{ name: 'look', description: 'reads its namespace', check: async (ctx) => {
        seen.push((await ctx.kube.read({ apiVersion: 'v1', kind: 'Namespace', name: ctx.namespace }))!.metadata as Record<string, unknown>);
      } }])],
    });
    await runAgainst(cluster, { onNamespace, cases: [caseOf([{ name: 'noop', description: 'nothing' }])] });
    expect(names).toHaveLength(2);
    expect(names[0]).not.toBe(names[1]);
    expect(names[0]).toMatch(/^meshspec-traffic-access-[a-z0-9]{6}$/);
    expect(seen[0]).toMatchObject({
      labels: { 'openservicemesh.io/monitored-by': 'osm', 'app.kubernetes.io/managed-by': 'meshspec', 'meshspec.io/spec': 'traffic-access' },
      annotations: { 'openservicemesh.io/sidecar-injection': 'enabled' },
    });
    for (const n of names) expect(await kube.read({ apiVersion: 'v1', kind: 'Namespace', name: n })).toBeUndefined();
  });

  it('counts a transport error (the /call fails, nothing recorded) as denied, and says so', async () => {
    const outcomes: string[] = [];
    const { suite } = await runAgainst(cluster, {
      cases: [caseOf([
        installStep(STANDARD_APPS),
        { name: 'nowhere', description: 'app-a calls a service that does not exist', check: async (ctx) => {
          await ctx.apps.reset(['app-a'], ctx.signal);
          const [r] = await sendProbes(ctx, [{ from: 'app-a', service: 'no-such-service', path: '/echo' }]);
          outcomes.push(`${r!.verdict}: ${r!.how}`);
        } },
      ])],
    });
    expect(suite.cases[0]!.steps.map((s) => s.status)).toEqual(['passed', 'passed']);
    expect(outcomes).toEqual([expect.stringMatching(/^denied: a transport error \(refused or reset\), nothing recorded; \/call answered 500/)]);
  });
});
