import type { KubernetesObject } from '@kubernetes/client-node';
import { infraError } from '../../errors.js';
import { describeError, describeRef, refOf, type KubeClient } from '../../kube/client.js';
import type { Logger } from '../../log.js';
import { waitForDeployments } from '../../mesh/control-plane.js';
import type { MeshInfo } from '../../mesh/registry.js';
import { pollUntilReady, withDeadline } from '../../wait.js';
import { addedContainers } from './resources.js';
import type { ServiceObjects } from './service-manifest.js';
import { OVERHEAD_SIDE_LABEL, SIDE_TITLE, type OverheadSide } from './sides.js';

/**
 * Puts one copy of the service in each side's namespace and takes it away again: the meshed
 * namespace carries the mesh's injection markers, the plain one its opt-out markers. A namespace
 * that existed before the run is kept (only the objects applied into it are deleted).
 */

export interface SideDeployment {
  side: OverheadSide;
  namespace: string;
  service: ServiceObjects;
}

export interface DeployedSides {
  /** Deletes what was created, waiting (bounded) until the namespaces are gone; never throws. */
  cleanup(): Promise<void>;
}

export interface DeployOptions {
  kube: KubeClient;
  mesh: MeshInfo;
  logger: Logger;
  signal?: AbortSignal;
  /** How long the Deployments may take to be available, and the namespaces to go. */
  readyTimeoutMs: number;
}

const NS = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', name });

function namespaceObject(side: OverheadSide, name: string, mesh: MeshInfo): KubernetesObject {
  const markers = side === 'meshed' ? mesh.injection : (mesh.optOut ?? {});
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: { ...(markers.labels ?? {}), 'app.kubernetes.io/managed-by': 'meshspec', [OVERHEAD_SIDE_LABEL]: side },
      annotations: { ...(markers.annotations ?? {}) },
    },
  };
}

/** Waits until a namespace left by an earlier run has finished terminating, so new pods can go in. */
async function waitNamespaceGone(kube: KubeClient, name: string, options: DeployOptions): Promise<void> {
  await pollUntilReady(
    async () => ((await kube.read(NS(name))) ? `namespace ${name} is still terminating` : undefined),
    { what: `namespace ${name}`, timeoutMs: options.readyTimeoutMs, intervalMs: 500, signal: options.signal },
  );
}

export async function deploySides(sides: readonly SideDeployment[], options: DeployOptions): Promise<DeployedSides> {
  const { kube, logger } = options;
  const created: string[] = [];
  const applied: KubernetesObject[] = [];
  const cleanup = async () => {
    // After a cancellation too: the run's signal is not passed on, each call has its own deadline.
    for (const o of [...applied].reverse()) {
      if (created.includes(o.metadata?.namespace ?? '')) continue; // goes with its namespace
      await kube.delete(refOf(o)).catch((error: unknown) => logger.warn(`could not delete ${describeRef(refOf(o))}: ${describeError(error).message}`));
    }
    for (const name of created) {
      await kube.delete(NS(name)).catch((error: unknown) => logger.warn(`could not delete namespace ${name}: ${describeError(error).message}; delete it with kubectl delete namespace ${name}`));
    }
    for (const name of created) {
      await waitNamespaceGone(kube, name, { ...options, signal: undefined }).catch((error: unknown) => logger.warn(`${(error as Error).message}; it will go on terminating in the cluster`));
    }
  };
  try {
    for (const { side, namespace, service } of sides) {
      const existing = await kube.read(NS(namespace));
      if (existing?.metadata?.deletionTimestamp) {
        logger.info(`namespace ${namespace} is still terminating from an earlier run; waiting for it to go`);
        await waitNamespaceGone(kube, namespace, options);
      }
      const before = existing && !existing.metadata?.deletionTimestamp;
      await kube.apply(namespaceObject(side, namespace, options.mesh));
      if (!before) created.push(namespace);
      else logger.notice(`namespace ${namespace} existed before this run: it is kept afterwards, only the service copied into it is removed`);
      for (const note of service.notes) logger.info(`${SIDE_TITLE[side]}: ${note}`);
      for (const o of service.objects) {
        await kube.apply(o);
        applied.push(o);
      }
    }
    for (const { side, namespace, service } of sides) {
      logger.info(`waiting for the service ${SIDE_TITLE[side]} (${namespace}): ${service.deployments.join(', ')}`);
      await waitForDeployments(kube.kc, service.deployments.map((name) => ({ namespace, name })), { what: `the service ${SIDE_TITLE[side]}`, timeoutMs: options.readyTimeoutMs, signal: options.signal, logger });
      await checkSidecars(side, namespace, service, options);
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { cleanup };
}

/**
 * The comparison means something only if the mesh injected the meshed copy and left the plain one
 * alone; either failing is said at once, not discovered as a zero overhead.
 */
async function checkSidecars(side: OverheadSide, namespace: string, service: ServiceObjects, options: DeployOptions): Promise<void> {
  const { kube, mesh } = options;
  for (const o of service.objects.filter((x) => x.kind === 'Deployment')) {
    const labels = (o as { spec?: { selector?: { matchLabels?: Record<string, string> } } }).spec?.selector?.matchLabels ?? {};
    const selector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
    const pods = await withDeadline(() => kube.listPods(namespace, selector), options.readyTimeoutMs, { what: `list pods of ${namespace}/${o.metadata?.name}`, signal: options.signal });
    for (const pod of pods.filter((p) => !p.metadata?.deletionTimestamp)) {
      const added = addedContainers(pod, service.appContainers);
      const name = `${namespace}/${pod.metadata?.name}`;
      if (side === 'meshed' && added.length === 0) {
        throw infraError(
          `pod ${name} got no sidecar: ${mesh.displayName} did not inject the namespace marked ${markersText(mesh.injection)}. ` +
            `Check that ${mesh.displayName} is installed and its injector is running (or set install_mesh: true / meshspec mesh install ${mesh.id}); without a sidecar there is no overhead to measure`,
        );
      }
      if (side === 'plain' && added.length > 0) {
        throw infraError(
          `pod ${name} got ${added.join(', ')} although its namespace ${mesh.optOut ? `is marked ${markersText(mesh.optOut)}` : 'carries no injection marker'}: ` +
            `${mesh.displayName} injects it anyway, so there is no copy without the mesh to compare with. Exclude ${namespace} from injection in the mesh's configuration`,
        );
      }
    }
  }
}

function markersText(m: MeshInfo['injection']): string {
  const all = { ...(m.labels ?? {}), ...(m.annotations ?? {}), ...(m.podAnnotations ?? {}) };
  return Object.entries(all).map(([k, v]) => `${k}: ${v}`).join(', ') || '(nothing)';
}
