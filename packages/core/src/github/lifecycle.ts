import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { actionsBinaryCache } from './binary-cache.js';
import { actionsToolCache } from './tool-cache.js';
import { collectDiagnostics } from '../cluster/diagnostics.js';
import { CLUSTER_MODES, ensureCluster, type ClusterMode, type EnsuredCluster, type MinikubeOptions } from '../cluster/ensure.js';
import { minikubeEnv, splitArgs } from '../cluster/minikube.js';
import { teardownCluster, type ClusterState } from '../cluster/teardown.js';
import { resolveMirror } from '../download/mirror.js';
import { inputError } from '../errors.js';
import type { Logger } from '../log.js';
import { ensureMesh, teardownMesh, type EnsuredMesh, type MeshState } from '../mesh/ensure.js';
import type { MeshInfo } from '../mesh/registry.js';
import * as inputs from './inputs.js';
import { maskSecret } from './mask.js';
import * as state from './state.js';

/**
 * The cluster and mesh inputs both actions share, and the main/post glue around
 * cluster/ensure.ts and mesh/ensure.ts. State between the steps never holds a secret.
 */
const CLUSTER_STATE = 'cluster';
const MESH_STATE = 'mesh';
const KEEP_STATE = 'keep-cluster';

export interface LifecycleInputs {
  cluster: ClusterMode;
  kubeconfig?: string;
  minikube: MinikubeOptions;
  readinessTimeoutMs?: number;
  mirror?: string;
  allowUnverified: boolean;
  githubToken?: string;
  keepCluster: boolean;
}

const workspacePath = (p: string | undefined): string | undefined => (p ? resolve(process.env.GITHUB_WORKSPACE ?? process.cwd(), p) : undefined);

export function readLifecycleInputs(): LifecycleInputs {
  // GitHub's token is passed to minikube (rate limits) and to GitHub's API for release digests.
  const githubToken = inputs.optional('github_token');
  maskSecret(githubToken);
  return {
    cluster: inputs.choice('cluster', CLUSTER_MODES, 'auto'),
    kubeconfig: workspacePath(inputs.optional('kubeconfig')),
    minikube: {
      version: inputs.optional('minikube_version'),
      kubernetesVersion: inputs.optional('kubernetes_version'),
      driver: inputs.optional('minikube_driver'),
      containerRuntime: inputs.optional('container_runtime'),
      cpus: inputs.optional('cpus'),
      memory: inputs.optional('memory'),
      extraStartArgs: splitArgs(inputs.optional('minikube_start_args')),
    },
    readinessTimeoutMs: inputs.duration('cluster_timeout'),
    mirror: resolveMirror(inputs.optional('download_mirror'), process.env),
    allowUnverified: inputs.bool('allow_unverified_download', false),
    githubToken,
    keepCluster: inputs.bool('keep_cluster', false),
  };
}

/**
 * Provides the cluster; its state is saved for the post step before anything is started. A
 * minikube that does not come up leaves its diagnostics in the output directory.
 */
export async function provisionCluster(li: LifecycleInputs, outDir: string, logger: Logger, signal: AbortSignal): Promise<EnsuredCluster> {
  state.save(KEEP_STATE, li.keepCluster);
  try {
    return await provision(li, logger, signal);
  } catch (error) {
    if (!signal.aborted && state.load<ClusterState>(CLUSTER_STATE)?.created) await diagnose(outDir, undefined, [], logger);
    throw error;
  }
}

function provision(li: LifecycleInputs, logger: Logger, signal: AbortSignal): Promise<EnsuredCluster> {
  if (li.kubeconfig && !existsSync(li.kubeconfig)) {
    throw inputError(`input kubeconfig: kubeconfig file ${li.kubeconfig} does not exist; give the path of a kubeconfig in the workspace, or leave it empty`);
  }
  // A kubeconfig the user names is the cluster they mean: `auto` does not replace it with a
  // minikube when it does not answer, it reports that.
  const mode: ClusterMode = li.cluster === 'auto' && li.kubeconfig ? 'existing' : li.cluster;
  return logger.group('Cluster', () =>
    ensureCluster({
      cluster: mode,
      logger,
      signal,
      kubeconfig: li.kubeconfig,
      minikube: li.minikube,
      download: { mirror: li.mirror, allowUnverified: li.allowUnverified, toolCache: actionsToolCache(logger) },
      githubToken: li.githubToken,
      serverUrl: process.env.GITHUB_SERVER_URL,
      readinessTimeoutMs: li.readinessTimeoutMs,
      binaryCache: actionsBinaryCache(logger),
      onState: (s) => state.save(CLUSTER_STATE, s),
      env: process.env,
    }),
  );
}

/** Installs the mesh, or with `deployed` verifies that it is there; state saved for teardown. */
export async function provisionMesh(
  li: LifecycleInputs,
  options: { mesh: MeshInfo; version?: string; deployed: boolean; kubeconfigPath: string; where: string },
  logger: Logger,
  signal: AbortSignal,
): Promise<EnsuredMesh> {
  return logger.group(options.deployed ? 'Mesh (verify)' : 'Mesh', () =>
    ensureMesh({
      mesh: options.mesh.id,
      version: options.version,
      deployed: options.deployed,
      kubeconfig: options.kubeconfigPath,
      logger,
      signal,
      download: { mirror: li.mirror, allowUnverified: li.allowUnverified, githubToken: li.githubToken, toolCache: actionsToolCache(logger) },
      onState: (s) => state.save(MESH_STATE, s),
      where: options.where,
      env: process.env,
    }),
  );
}

/** Collects diagnostics into the output directory from the main step, so they are uploaded. */
export async function diagnose(outDir: string, cluster: EnsuredCluster | undefined, namespaces: string[], logger: Logger): Promise<void> {
  const s = state.load<ClusterState>(CLUSTER_STATE);
  await logger.group('Diagnostics', () =>
    collectDiagnostics({
      outDir,
      kubeConfig: cluster?.kubeConfig,
      namespaces,
      minikube:
        s?.created && s.minikubePath && s.profile
          ? { path: s.minikubePath, profile: s.profile, env: minikubeEnv({ base: process.env, kubeconfigPath: s.kubeconfigPath ?? '' }) }
          : undefined,
      logger,
    }),
  );
}

/** The post step: removes the mesh we installed, then the cluster we created (unless kept). */
export async function teardownFromState(logger: Logger, signal: AbortSignal): Promise<void> {
  const cluster = state.load<ClusterState>(CLUSTER_STATE);
  const mesh = state.load<MeshState>(MESH_STATE);
  const keepCluster = state.load<boolean>(KEEP_STATE) ?? false;
  if (mesh?.installed) {
    await logger.group('Remove the mesh', () => teardownMesh(mesh, { logger, cluster, keepCluster, env: process.env, signal }));
  }
  if (cluster?.created) {
    await logger.group('Delete the cluster', () => teardownCluster(cluster, { keepCluster, logger, env: process.env }));
  }
}
