import type { Logger } from '../../log.js';
import type { KubeClient } from '../../kube/client.js';

/**
 * The namespace the load Jobs run in. It is created when missing and then deleted afterwards;
 * one that existed before (the user's own, perhaps labelled for sidecar injection) is left alone.
 */
export async function ensureLoadNamespace(kube: KubeClient, namespace: string, logger: Logger): Promise<{ created: boolean }> {
  const found = await kube.read({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  if (found) return { created: false };
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'app.kubernetes.io/managed-by': 'meshspec' } } });
  logger.info(`created namespace ${namespace} for the load pods (deleted afterwards)`);
  return { created: true };
}

export async function deleteLoadNamespace(kube: KubeClient, namespace: string, logger: Logger): Promise<void> {
  try {
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  } catch (error) {
    logger.warn(`could not delete namespace ${namespace}: ${(error as Error).message}; delete it with kubectl delete namespace ${namespace}`);
  }
}
