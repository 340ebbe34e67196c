import type { Logger } from '../log.js';
import { deleteMinikube, minikubeEnv } from './minikube.js';

/**
 * What the main step hands to the post step (kept in the runner's state file, so no secrets):
 * enough to delete the cluster we created and nothing else.
 */
export interface ClusterState {
  /** How the cluster was provided. */
  mode: 'minikube' | 'existing' | 'none';
  /** True only when meshspec started this cluster; nothing else is ever deleted. */
  created: boolean;
  profile?: string;
  /** The verified minikube binary in the tool cache. */
  minikubePath?: string;
  minikubeHome?: string;
  kubeconfigPath?: string;
}

export interface TeardownOptions {
  /** `keep_cluster`: leave the cluster running for later steps or debugging. */
  keepCluster?: boolean;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export interface TeardownResult {
  deleted: boolean;
  /** Why nothing was deleted, for the log. */
  reason?: string;
}

/**
 * Deletes the minikube profile we created, unless keep_cluster is set. A cluster that was there
 * before (an existing context, a profile that already ran) is never touched. Best effort: a
 * failure warns, because a teardown must not turn a green job red.
 */
export async function teardownCluster(state: ClusterState | undefined, options: TeardownOptions): Promise<TeardownResult> {
  const { logger } = options;
  if (!state || state.mode !== 'minikube' || !state.created || !state.profile || !state.minikubePath) {
    const reason = state?.mode === 'existing' ? 'the cluster was there before meshspec ran' : 'meshspec created no cluster';
    logger.info(`cluster teardown: nothing to delete (${reason})`);
    return { deleted: false, reason };
  }
  if (options.keepCluster) {
    const reason = `keep_cluster is true: minikube profile ${state.profile} is left running`;
    logger.notice(reason);
    return { deleted: false, reason };
  }
  const env = minikubeEnv({ base: options.env ?? process.env, kubeconfigPath: state.kubeconfigPath ?? '', minikubeHome: state.minikubeHome });
  if (!state.kubeconfigPath) delete env.KUBECONFIG;
  const deleted = await deleteMinikube(state.profile, { minikube: state.minikubePath, env, logger, signal: options.signal });
  return deleted ? { deleted } : { deleted, reason: `minikube delete --profile=${state.profile} failed` };
}
