// The in-cluster load tests' bed: the fake cluster (Job pods as local processes, test/support/fake-cluster/
// process-pods.mjs), a KubeClient on it, and a LoadPlan against a target on 127.0.0.1.
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../packages/core/src/kube/client.js';
import type { LoadPlan } from '../../packages/core/src/smp/loadgen/types.js';
import type { Cluster } from '../fake-cluster/clients.js';

export function kubeFor(cluster: Pick<Cluster, 'kubeconfig'>): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  return new KubeClient(kc);
}

export function planFor(url: string, o: { rps: number; connections: number; durationMs: number; signal?: AbortSignal }): LoadPlan {
  return {
    clients: [{ urls: [url], connections: o.connections, rps: o.rps, method: 'GET', headers: {}, cookies: {} }],
    durationMs: o.durationMs,
    requestTimeoutMs: 5000,
    ...(o.signal ? { signal: o.signal } : {}),
  };
}

/** Objects of the load runs left in a namespace: Jobs, pods and ConfigMaps labelled by meshspec. */
export async function leftovers(kube: KubeClient, namespace: string): Promise<string[]> {
  const selector = 'app.kubernetes.io/managed-by=meshspec';
  const [jobs, pods, cms] = await Promise.all([
    kube.objects.list('batch/v1', 'Job', namespace, undefined, undefined, undefined, undefined, selector),
    kube.core.listNamespacedPod({ namespace, labelSelector: selector }),
    kube.core.listNamespacedConfigMap({ namespace, labelSelector: selector }),
  ]);
  return [
    ...jobs.items.map((j) => `Job ${j.metadata?.name}`),
    ...pods.items.map((p) => `Pod ${p.metadata?.name}`),
    ...cms.items.map((c) => `ConfigMap ${c.metadata?.name}`),
  ];
}
