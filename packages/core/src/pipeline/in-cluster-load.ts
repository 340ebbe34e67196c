import { DEFAULTS } from '../defaults.js';
import { inputError, MeshspecError } from '../errors.js';
import { KubeClient } from '../kube/client.js';
import { resolveKubeConfig, type KubeTarget } from '../kube/config.js';
import type { Logger } from '../log.js';
import { deleteLoadNamespace, ensureLoadNamespace } from '../smp/in-cluster/namespace.js';
import { podLoadGenerator } from '../smp/in-cluster/runner.js';
import { assertPodShares } from '../smp/in-cluster/shares.js';
import { loadsFromCluster, type SmpProfile } from '../smp/profile.js';
import type { SmpRunOptions } from './smp.js';

/**
 * Where the load of an SMP run comes from (docs/architecture.md, "Load from inside the cluster"):
 * a profile whose clients are `internal: true` loads from the pods of a Kubernetes Job, any other
 * from this machine. Shared by `meshspec smp run` and smp-action, which name their own settings.
 */
export interface LoadSourceSettings {
  /** --pods / load_pods; undefined when not given (DEFAULTS.loadPods). */
  pods?: number;
  /** --load-image / load_image; default DEFAULTS.loadImage. */
  image?: string;
  /** --load-namespace / load_namespace; default DEFAULTS.loadNamespace. */
  namespace?: string;
  /** --load-start-lead / load_start_lead: how far ahead the pods' common start is set (default DEFAULTS.loadStartLeadMs). */
  startLeadMs?: number;
  /** The cluster: kubectl's lookup order, or the kubeconfig a provisioned cluster wrote. */
  cluster: KubeTarget;
  /** How the settings are named in messages. */
  names: { pods: string; image: string; namespace: string };
  logger: Logger;
}

/** What runSmpProfile takes for in-cluster load: the generator and the cluster's version. */
type InClusterRun = Pick<SmpRunOptions, 'generator' | 'env'>;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The checked pod settings and a client of the cluster they run in (the API server answered). */
export interface InClusterTarget {
  kube: KubeClient;
  pods: number;
  image: string;
  namespace: string;
  /** The API server's version, for the result's env. */
  version: string;
}

/** Checks the pod settings against the profile (before anything starts), then connects to the cluster. */
export async function connectInCluster(profile: SmpProfile, settings: LoadSourceSettings): Promise<InClusterTarget> {
  const { names, logger } = settings;
  const pods = settings.pods ?? DEFAULTS.loadPods;
  if (!Number.isInteger(pods) || pods < 1) throw inputError(`${names.pods}: ${pods} is not a pod count; give a whole number from 1`);
  assertPodShares(profile.clients, pods, { pods: `${names.pods} ${pods}`, client: (i) => `${profile.source}: $.test.clients[${i}]` });
  const namespace = settings.namespace || DEFAULTS.loadNamespace;
  if (!DNS_LABEL.test(namespace)) throw inputError(`${names.namespace}: "${namespace}" is not a namespace name (lowercase letters, digits and '-', at most 63)`);
  const image = settings.image || DEFAULTS.loadImage;
  if (/\s/.test(image)) throw inputError(`${names.image}: "${image}" is not an image reference`);

  let loaded;
  try {
    loaded = resolveKubeConfig(settings.cluster);
  } catch (error) {
    if (error instanceof MeshspecError && error.kind === 'input') {
      throw inputError(`${profile.source}: its clients are internal: true, so the load runs as pods in a cluster, and ${error.message}`, { cause: error });
    }
    throw error;
  }
  const kube = new KubeClient(loaded.kc);
  const version = await kube.ping(loaded.source);
  logger.info(`load from inside the cluster: ${pods} pod${pods === 1 ? '' : 's'} of ${image} on ${loaded.server} (context ${loaded.context}, Kubernetes ${version})`);
  return { kube, pods, image, namespace, version };
}

/**
 * Runs `work` with the load source the profile asks for. For internal clients: refuses a split
 * that cannot be exact (before anything starts), connects to the cluster, creates the namespace
 * when missing (and deletes it afterwards, only then), and hands `work` the pod generator.
 */
export async function withLoadSource<T>(profile: SmpProfile, settings: LoadSourceSettings, work: (load: InClusterRun) => Promise<T>): Promise<T> {
  const { names, logger } = settings;
  if (!loadsFromCluster(profile)) {
    // More than one pod is a request for load the runner cannot give: refuse it. A pod image or
    // namespace (action inputs always have one) only goes unused.
    if ((settings.pods ?? DEFAULTS.loadPods) > 1) {
      throw inputError(`${names.pods}: ${settings.pods} pods apply only to clients with internal: true (load from inside the cluster); ${profile.source} loads from this machine. Set internal: true on every client, or drop ${names.pods}`);
    }
    return work({});
  }
  const { kube, pods, image, namespace, version } = await connectInCluster(profile, settings);
  logger.info(`the load Job runs in namespace ${namespace}`);
  const { created } = await ensureLoadNamespace(kube, namespace, logger);
  try {
    return await work({ generator: podLoadGenerator({ kube, namespace, pods, image, logger, startLeadMs: settings.startLeadMs }), env: { kubernetes_version: version } });
  } finally {
    if (created) await deleteLoadNamespace(kube, namespace, logger);
  }
}
