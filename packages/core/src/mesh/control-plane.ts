import { AppsV1Api, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import { pollUntilReady } from '../wait.js';
import { shortError } from '../cluster/readiness.js';

/** A Deployment a healthy control plane has. */
export interface DeploymentRef {
  namespace: string;
  name: string;
}

/**
 * How to recognise a mesh's control plane in a cluster: the Deployments a real install creates
 * (the first one's image tag is the mesh version). `mesh_deployed: true` checks exactly these.
 */
export interface ControlPlaneSpec {
  namespace: string;
  deployments: DeploymentRef[];
}

/** Why a Deployment is not ready yet, or undefined when its replicas are all Ready. */
function deploymentNotReady(d: V1Deployment): string | undefined {
  const want = d.spec?.replicas ?? 1;
  const ready = d.status?.readyReplicas ?? 0;
  const generation = d.metadata?.generation;
  const observed = d.status?.observedGeneration;
  if (generation !== undefined && observed !== undefined && observed < generation) return 'its new spec is not rolled out yet';
  if (ready < want) return `${ready}/${want} replicas Ready`;
  return undefined;
}

async function readDeployment(apps: AppsV1Api, ref: DeploymentRef): Promise<V1Deployment | undefined> {
  try {
    return await apps.readNamespacedDeployment({ name: ref.name, namespace: ref.namespace });
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

/** The first Deployment that is missing or not ready, described; undefined when all are ready. */
async function firstDeploymentNotReady(kc: KubeConfig, refs: DeploymentRef[]): Promise<string | undefined> {
  const apps = kc.makeApiClient(AppsV1Api);
  for (const ref of refs) {
    const d = await readDeployment(apps, ref).catch((error: unknown) => {
      throw new Error(`cannot read Deployment ${ref.namespace}/${ref.name}: ${shortError(error)}`);
    });
    if (!d) return `Deployment ${ref.namespace}/${ref.name} does not exist yet`;
    const why = deploymentNotReady(d);
    if (why) return `Deployment ${ref.namespace}/${ref.name}: ${why}`;
  }
  return undefined;
}

export interface WaitOptions {
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  logger?: Logger;
  signal?: AbortSignal;
}

/** Waits until every Deployment exists and is Ready; a timeout names the one that was not. */
export async function waitForDeployments(kc: KubeConfig, refs: DeploymentRef[], options: WaitOptions): Promise<void> {
  await pollUntilReady(() => firstDeploymentNotReady(kc, refs), options);
}

/** The Deployments of a control plane that exist, and the ones that do not. */
export async function findDeployments(kc: KubeConfig, refs: DeploymentRef[]): Promise<{ found: V1Deployment[]; missing: DeploymentRef[] }> {
  const apps = kc.makeApiClient(AppsV1Api);
  const found: V1Deployment[] = [];
  const missing: DeploymentRef[] = [];
  for (const ref of refs) {
    const d = await readDeployment(apps, ref);
    if (d) found.push(d);
    else missing.push(ref);
  }
  return { found, missing };
}

/**
 * The version a Deployment runs: the tag of its first container's image (`osm-controller:v1.2.4`,
 * `controller:edge-26.8.3`, `pilot:1.30.3`), else its `app.kubernetes.io/version` label.
 */
export function deploymentVersion(d: V1Deployment): string | undefined {
  const image = d.spec?.template?.spec?.containers?.[0]?.image;
  const tag = image ? imageTag(image) : undefined;
  if (tag && tag !== 'latest') return tag;
  return d.metadata?.labels?.['app.kubernetes.io/version'] ?? d.spec?.template?.metadata?.labels?.['app.kubernetes.io/version'] ?? tag;
}

/** `registry:5000/org/name:tag@sha256:...` -> `tag`. */
function imageTag(image: string): string | undefined {
  const withoutDigest = image.split('@')[0]!;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon === -1 ? undefined : withoutDigest.slice(colon + 1);
}
