import type { Logger } from '../log.js';
import { MANAGED_BY_LABEL } from './engine.js';
import { describeError, KubeClient } from '../kube/client.js';
import { resolveKubeConfig, type KubeTarget } from '../kube/config.js';

/**
 * Deletes namespaces a run left behind (a cancelled workflow may kill the main step before its own
 * cleanup finishes). Used by the action's post step with the names main saved in state. Only
 * namespaces this tool labelled as its own are deleted, so a stale name cannot remove anything else.
 * Best effort: returns what it deleted and logs what it could not.
 */
export async function deleteLeftoverNamespaces(target: KubeTarget, names: string[], logger: Logger): Promise<string[]> {
  if (names.length === 0) return [];
  const { kc } = resolveKubeConfig(target);
  const kube = new KubeClient(kc);
  kube.requestTimeoutMs = 15_000;
  const deleted: string[] = [];
  for (const name of names) {
    try {
      const ns = await kube.read({ apiVersion: 'v1', kind: 'Namespace', name });
      if (!ns) continue;
      if (ns.metadata?.labels?.[MANAGED_BY_LABEL] !== 'meshspec') {
        logger.warn(`namespace ${name} is not labelled app.kubernetes.io/managed-by=meshspec; left alone`);
        continue;
      }
      if (ns.metadata?.deletionTimestamp) continue;
      await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name });
      deleted.push(name);
      logger.info(`deleted namespace ${name}, left behind by the SMI run`);
    } catch (error) {
      logger.warn(`could not delete namespace ${name}: ${describeError(error).message}; delete it with kubectl delete namespace ${name}`);
    }
  }
  return deleted;
}
