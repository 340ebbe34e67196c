import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../packages/core/src/kube/client.js';
import { MemoryLogger } from '../../packages/core/src/log.js';
import { startResourceSampler } from '../../packages/core/src/smp/overhead/resources.js';
import { startFakeCluster } from '../support/fake-cluster/index.mjs';
import { createMetricsServer } from '../support/fake-cluster/metrics-server.mjs';
import { until } from '../fake-cluster/clients.js';

/**
 * The mesh's footprint from metrics-server (smp/overhead/resources.ts) against the fake cluster's
 * metrics.k8s.io (test/support/fake-cluster/metrics-server.mjs), and without one.
 */

let cluster: Awaited<ReturnType<typeof startFakeCluster>> | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

function deployment(namespace: string, name: string, containers: string[]) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: containers.map((c) => ({ name: c, image: 'example/app:1' })) } } },
  };
}

async function setUp(metrics?: { firstScrapeAfterMs: number }) {
  cluster = await startFakeCluster();
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  const kube = new KubeClient(kc);
  for (const ns of ['meshed', 'cp']) await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  // The service's pod carries what an injector added (`proxy`); the control plane has two pods.
  await kube.apply(deployment('meshed', 'web', ['web', 'proxy']));
  await kube.apply(deployment('cp', 'destination', ['destination']));
  await kube.apply(deployment('cp', 'identity', ['identity']));
  const c = cluster;
  await until('pods running', () => c.store.list({ group: '', resource: 'pods' }).filter((p: any) => p.status?.phase === 'Running').length === 3 || undefined);
  if (metrics) {
    const usage = ({ container }: { container: string }) =>
      ({ web: { cpuMillicores: 50, memoryMib: 100 }, proxy: { cpuMillicores: 12.5, memoryMib: 30 }, destination: { cpuMillicores: 3, memoryMib: 40 }, identity: { cpuMillicores: 1, memoryMib: 20 } })[container]!;
    cluster.registerAggregatedApi(createMetricsServer({ store: cluster.store, usage, firstScrapeAfterMs: metrics.firstScrapeAfterMs }));
  }
  const logger = new MemoryLogger();
  return { kube, logger, start: () => startResourceSampler({ kube, meshedNamespace: 'meshed', controlPlaneNamespace: 'cp', appContainers: ['web'], intervalMs: 20, logger }) };
}

describe('the mesh footprint from metrics-server', () => {
  it('sums the sidecars (containers the template did not ask for) and the control-plane pods, during the meshed windows only', async () => {
    const { start } = await setUp({ firstScrapeAfterMs: 0 });
    const sampler = await start();
    sampler.window(true);
    sampler.window(false);
    expect(await sampler.stop()).toEqual({
      source: 'metrics.k8s.io/v1beta1',
      samples: 1,
      sidecars: { count: 1, cpu_millicores: { mean: 12.5, max: 12.5 }, memory_mib: { mean: 30, max: 30 } },
      control_plane: { namespace: 'cp', count: 2, cpu_millicores: { mean: 4, max: 4 }, memory_mib: { mean: 60, max: 60 } },
    });
  });

  it('says why there is nothing when metrics-server is absent, and never fails the run', async () => {
    const { start, logger } = await setUp();
    const sampler = await start();
    sampler.window(true);
    expect(await sampler.stop()).toEqual({ unavailable: 'metrics-server is not installed (discovery (/apis) does not list the group metrics.k8s.io)' });
    expect(logger.text()).toContain('no sidecar or control-plane CPU and memory: metrics-server is not installed');
  });

  it('says so when metrics-server has not scraped the pods yet (its first scrape comes after the run)', async () => {
    const { start } = await setUp({ firstScrapeAfterMs: 15_000 });
    const sampler = await start();
    sampler.window(true);
    sampler.window(false);
    expect(await sampler.stop()).toEqual({ unavailable: expect.stringMatching(/^metrics-server gave no sample of the meshed pods during the meshed windows/) });
  });
});
