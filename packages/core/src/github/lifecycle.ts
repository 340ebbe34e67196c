import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { actionsBinaryCache } from './binary-cache.js';
import { actionsToolCache } from './tool-cache.js';
import { collectDiagnostics } from '../cluster/diagnostics.js';
import { CLUSTER_MODES, ensureCluster, type ClusterMode, type EnsuredCluster, type ExistingRequired, type MinikubeOptions } from '../cluster/ensure.js';
import { minikubeEnv, splitArgs } from '../cluster/minikube.js';
import { teardownCluster, type ClusterState } from '../cluster/teardown.js';
import { resolveMirror } from '../download/mirror.js';
import { inputError } from '../errors.js';
import type { Logger } from '../log.js';
import { ACTION_WORDING } from '../wording.js';
import { ensureMesh, teardownMesh, type EnsuredMesh, type MeshState } from '../mesh/ensure.js';
import type { InstallPurpose, MeshSettings } from '../mesh/installer.js';
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

/** How tools are downloaded: read by the main step and again by the post step, whose uninstall downloads too. */
function readDownloadInputs(): Pick<LifecycleInputs, 'mirror' | 'allowUnverified' | 'githubToken'> {
  // GitHub's token is passed to minikube (rate limits) and to GitHub's API for release digests.
  const githubToken = inputs.optional('github_token');
  maskSecret(githubToken);
  return {
    mirror: resolveMirror(inputs.optional('download_mirror'), process.env),
    allowUnverified: inputs.bool('allow_unverified_download', false),
    githubToken,
  };
}

const meshDownload = (li: Pick<LifecycleInputs, 'mirror' | 'allowUnverified' | 'githubToken'>, logger: Logger) => ({
  mirror: li.mirror,
  allowUnverified: li.allowUnverified,
  githubToken: li.githubToken,
  toolCache: actionsToolCache(logger),
});

export function readLifecycleInputs(): LifecycleInputs {
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
    ...readDownloadInputs(),
    keepCluster: inputs.bool('keep_cluster', false),
  };
}

/**
 * Provides the cluster; its state is saved for the post step before anything is started. A
 * minikube that does not come up leaves its diagnostics in the output directory.
 */
/**
 * `meshDeployed`: the mesh is said to run on a cluster already, so only an existing cluster will
 * do: a minikube started here could not contain it.
 */
export async function provisionCluster(li: LifecycleInputs, outDir: string, logger: Logger, signal: AbortSignal, meshDeployed = false): Promise<EnsuredCluster> {
  state.save(KEEP_STATE, li.keepCluster);
  try {
    return await provision(li, logger, signal, meshDeployed);
  } catch (error) {
    if (!signal.aborted && state.load<ClusterState>(CLUSTER_STATE)?.created) await diagnose(outDir, undefined, [], logger);
    throw error;
  }
}

function provision(li: LifecycleInputs, logger: Logger, signal: AbortSignal, meshDeployed: boolean): Promise<EnsuredCluster> {
  if (li.kubeconfig && !existsSync(li.kubeconfig)) {
    throw inputError(`input kubeconfig: kubeconfig file ${li.kubeconfig} does not exist; give the path of a kubeconfig in the workspace, or leave it empty`);
  }
  if (meshDeployed && li.cluster === 'minikube') {
    throw inputError('input mesh_deployed is true, but cluster: minikube starts a new cluster, which has no mesh yet; use cluster: auto or existing with the kubeconfig of the cluster the mesh runs on, or set mesh_deployed: false to install it');
  }
  // A kubeconfig the user names is the cluster they mean, and a deployed mesh runs on a cluster
  // that exists: `auto` then never replaces it with a minikube, it reports what is wrong.
  const existingRequired: ExistingRequired | undefined = meshDeployed
    ? { because: 'input mesh_deployed is true', fix: 'Set kubeconfig (or KUBECONFIG) to the kubeconfig of the cluster the mesh runs on, or set mesh_deployed: false to let meshspec install the mesh on a new minikube.' }
    : li.kubeconfig
      ? { because: `input kubeconfig is ${li.kubeconfig}`, fix: 'Check the kubeconfig, or leave kubeconfig empty to let meshspec start a minikube.' }
      : undefined;
  return logger.group('Cluster', () =>
    ensureCluster({
      cluster: li.cluster,
      existingRequired,
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
  options: { mesh: MeshInfo; version?: string; deployed: boolean; kubeconfigPath: string; where: string; settings?: MeshSettings; purpose?: InstallPurpose },
  logger: Logger,
  signal: AbortSignal,
): Promise<EnsuredMesh> {
  return logger.group(options.deployed ? 'Mesh (verify)' : 'Mesh', () =>
    ensureMesh({
      mesh: options.mesh.id,
      version: options.version,
      deployed: options.deployed,
      wording: ACTION_WORDING,
      kubeconfig: options.kubeconfigPath,
      logger,
      signal,
      download: meshDownload(li, logger),
      onState: (s) => state.save(MESH_STATE, s),
      where: options.where,
      env: process.env,
      settings: options.settings,
      purpose: options.purpose,
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
    // The uninstall downloads the mesh's tools again: from the same mirror, with the same token and
    // the runner's tool cache (the inputs are there in the post step too).
    await logger.group('Remove the mesh', () => teardownMesh(mesh, { logger, cluster, keepCluster, download: meshDownload(readDownloadInputs(), logger), env: process.env, signal }));
  }
  if (cluster?.created) {
    await logger.group('Delete the cluster', () => teardownCluster(cluster, { keepCluster, logger, env: process.env }));
  }
}
