// The in-cluster load tests' bed: the fake cluster (Job pods as local processes, test/support/fake-cluster/
// process-pods.mjs), a KubeClient on it, and a LoadPlan against a target on 127.0.0.1.
import { readdirSync, readFileSync } from 'node:fs';
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

/** The pid of the load worker of pod `index` whose plan targets 127.0.0.1:`port` (process pods are local processes). */
export function workerPid(index: number, port: number): number | undefined {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (env.includes(`JOB_COMPLETION_INDEX=${index}`) && env.some((e) => e.startsWith('MESHSPEC_LOAD_PLAN=') && new RegExp(`127\\.0\\.0\\.1:${port}(?!\\d)`).test(e))) return Number(pid);
    } catch {
      // gone, or not ours
    }
  }
  return undefined;
}

/** Polls `probe` every 50 ms until it gives a value, failing after `ms`. */
export async function until<T>(what: string, probe: () => T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
