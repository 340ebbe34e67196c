import { CoreV1Api, VersionApi, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import { pollUntilReady } from '../wait.js';

export interface ReadinessOptions {
  timeoutMs: number;
  intervalMs?: number;
  logger?: Logger;
  signal?: AbortSignal;
}

/**
 * Waits until the cluster can take work, checking in order and reporting the first thing that is
 * not there yet: the API answers, every node is Ready, every kube-system pod is Ready, and the
 * default service account exists (pods cannot be created in a namespace before it does). This is
 * what Meshery's actions replaced with `sleep 40`.
 */
export async function waitForClusterReady(kc: KubeConfig, options: ReadinessOptions): Promise<void> {
  await pollUntilReady(() => firstNotReady(kc), { what: 'the cluster', ...options });
}

/** One round of the readiness checks: undefined when ready, else what is not. */
export async function firstNotReady(kc: KubeConfig): Promise<string | undefined> {
  const server = kc.getCurrentCluster()?.server ?? 'the API server';
  try {
    await kc.makeApiClient(VersionApi).getCode();
  } catch (error) {
    return `the API server ${server} does not answer (${shortError(error)})`;
  }
  const core = kc.makeApiClient(CoreV1Api);
  const nodes = (await core.listNode()).items;
  if (nodes.length === 0) return 'no node has registered yet';
  for (const node of nodes) {
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready?.status !== 'True') return `node ${node.metadata?.name} is not Ready${ready?.reason ? ` (${ready.reason})` : ''}`;
  }
  // Every kube-system pod present must be Ready. None at all is accepted: minikube's --wait=all has
  // already waited for its system pods, and a bare API server (a test cluster) may run none.
  const pods = (await core.listNamespacedPod({ namespace: 'kube-system' })).items;
  for (const pod of pods) {
    const why = podNotReady(pod);
    if (why) return `pod kube-system/${pod.metadata?.name} is not Ready (${why})`;
  }
  try {
    await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
  } catch (error) {
    return `service account default/default does not exist yet (${shortError(error)})`;
  }
  return undefined;
}

/** Why a pod is not Ready, or undefined when it is (or has completed, as a Job's pod does). */
export function podNotReady(pod: V1Pod): string | undefined {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded') return undefined;
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return undefined;
  const waiting = pod.status?.containerStatuses?.find((s) => s.state?.waiting)?.state?.waiting;
  return [phase ?? 'Unknown', waiting?.reason ?? ready?.reason].filter(Boolean).join(', ');
}

export function shortError(error: unknown): string {
  const e = error as { code?: number; message?: string };
  if (typeof e?.code === 'number') return `HTTP ${e.code}`;
  return (e?.message ?? String(error)).split('\n')[0]!.slice(0, 200);
}
