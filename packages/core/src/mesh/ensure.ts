import type { KubeConfig } from '@kubernetes/client-node';
import { infraError, inputError } from '../errors.js';
import type { Logger } from '../log.js';
import { loadKubeConfigFile, readKubeConfigFile, useContext } from '../kube/config.js';
import { CLI_WORDING, type Wording } from '../wording.js';
import { currentPlatform, type Platform } from '../cluster/platform.js';
import type { ClusterState } from '../cluster/teardown.js';
import type { DownloadContext } from '../download/download-verified.js';
import { createToolCache, type ToolCache } from '../download/tool-cache.js';
import { deploymentVersion, findDeployments, waitForDeployments } from './control-plane.js';
import type { InstallContext, InstallPurpose, MeshInstaller, MeshSettings } from './installer.js';
import { MESHES, requireMesh, type MeshInfo } from './registry.js';
import { DEFAULTS } from '../defaults.js';

interface MeshDownloadOptions {
  mirror?: string;
  allowUnverified?: boolean;
  toolCache?: ToolCache;
  /** For GitHub's Releases API (digests of Linkerd edge assets); sent to api.github.com only. */
  githubToken?: string;
}

export interface EnsureMeshOptions {
  /** `service_mesh`: any spelling the registry accepts, or an SMP enum number. */
  mesh: string | number;
  /** `mesh_version` (default: the registry's pinned version). */
  version?: string;
  /** `mesh_deployed`: install nothing, verify the control plane is there. */
  deployed: boolean;
  /** The kubeconfig whose current context is the target cluster (ensureCluster's kubeconfigPath). */
  kubeconfig: string;
  /**
   * Another context of that kubeconfig to verify a deployed mesh on (`smi run --context`). An
   * install runs the mesh's own CLI, which reads the current context, so one is refused there.
   */
  context?: string;
  logger: Logger;
  signal?: AbortSignal;
  download?: MeshDownloadOptions;
  /** How long the control plane may take to become ready (default 5 min). */
  timeoutMs?: number;
  pollIntervalMs?: number;
  /** Called with the state to persist as soon as something was installed that must be removed. */
  onState?: (state: MeshState) => void;
  /** The input name used in messages (default `service_mesh`). */
  where?: string;
  /** Flags or inputs in the fixes messages suggest (default: the CLI's). */
  wording?: Wording;
  env?: NodeJS.ProcessEnv;
  platform?: Platform;
  /** Per-mesh install choices (Traefik Mesh's chart repository and version). */
  settings?: MeshSettings;
  /** `gamma`: the Gateway API CRDs are installed already; no SMI extras (mesh/installer.ts). */
  purpose?: InstallPurpose;
}

/** What the post step needs to remove a mesh we installed (no secrets). */
export interface MeshState {
  meshId: string;
  version?: string;
  /** True only when meshspec installed it. */
  installed: boolean;
  kubeconfigPath: string;
  /** What it was installed for, so the teardown undoes exactly that. */
  purpose?: InstallPurpose;
  /** The install choices (Traefik Mesh's chart repository and version): the uninstall uses the same. */
  settings?: MeshSettings;
}

export interface EnsuredMesh {
  mesh: MeshInfo;
  /** The version installed or found (undefined for `none`). */
  version?: string;
  /** True when meshspec installed it now. */
  installed: boolean;
  /** The control plane's namespace, for diagnostics. */
  namespace?: string;
  /** SMI extras that could not be installed, and why. */
  skippedExtras: string[];
  state: MeshState;
}

/**
 * Gets the chosen mesh onto the cluster: installs it with its pinned, verified CLI or chart and
 * waits for its control plane; or, with `mesh_deployed: true`, installs nothing and verifies that
 * the control plane is there and ready, reading its version. An unknown name is an input error
 * (exit 2) listing the known names.
 */
export async function ensureMesh(options: EnsureMeshOptions): Promise<EnsuredMesh> {
  const { logger } = options;
  const mesh = requireMesh(options.mesh, options.where ?? 'service_mesh');
  const base: MeshState = { meshId: mesh.id, installed: false, kubeconfigPath: options.kubeconfig };
  if (mesh.id === 'none') {
    logger.info('service mesh: none (plain Kubernetes)');
    return { mesh, installed: false, skippedExtras: [], state: base };
  }
  const installer = mesh.installer;
  const kc = readKubeConfigFile(options.kubeconfig, options.wording);
  const current = kc.getCurrentContext();
  if (options.context && options.context !== current && !options.deployed && installer) {
    throw inputError(
      `--context ${options.context}: meshspec installs ${mesh.displayName} with its own tools, which act on the current context of ${options.kubeconfig} (${current || 'none'}), ` +
        `not on ${options.context}. Switch to it first (kubectl config use-context ${options.context}), or install the mesh yourself and ${(options.wording ?? CLI_WORDING).meshDeployed}`,
    );
  }
  useContext(kc, options.kubeconfig, options.context);
  const timeoutMs = options.timeoutMs ?? DEFAULTS.controlPlaneMs;

  if (options.deployed) {
    if (!installer) {
      logger.notice(`mesh_deployed: meshspec cannot recognise a ${mesh.displayName} control plane; trusting that it is there`);
      return { mesh, version: options.version, installed: false, skippedExtras: [], state: { ...base, version: options.version } };
    }
    const version = await verifyControlPlane(mesh, installer, options, kc, timeoutMs);
    return { mesh, version, installed: false, namespace: installer.controlPlane.namespace, skippedExtras: [], state: { ...base, version } };
  }

  if (!installer || !mesh.defaultVersion) {
    throw inputError(
      `${options.where ?? 'service_mesh'}: meshspec cannot install ${mesh.displayName}; install it yourself and ${(options.wording ?? CLI_WORDING).meshDeployed}. ` +
        `meshspec installs: ${installableMeshes().join(', ')}`,
    );
  }
  const version = installer.checkVersion(options.version?.trim() || mesh.defaultVersion);
  const already = await findDeployments(kc, installer.controlPlane.deployments);
  if (already.missing.length === 0) {
    const found = deploymentVersion(already.found[0]!);
    logger.notice(`${mesh.displayName} ${found ?? ''} is already installed in ${installer.controlPlane.namespace}; installing nothing, and it will not be removed afterwards`);
    await waitForControlPlane(mesh, installer, options, kc, timeoutMs);
    return { mesh, version: found, installed: false, namespace: installer.controlPlane.namespace, skippedExtras: [], state: { ...base, version: found } };
  }

  logger.info(`installing ${mesh.displayName} ${version}${mesh.kubernetesVersion ? ` (known to work on Kubernetes ${mesh.kubernetesVersion})` : ''}`);
  const state: MeshState = { ...base, version, installed: true, ...(options.purpose ? { purpose: options.purpose } : {}), ...(options.settings && Object.values(options.settings).some((v) => v !== undefined) ? { settings: options.settings } : {}) };
  options.onState?.(state);
  const outcome = await installer.install(version, installContext(options, kc, timeoutMs));
  return { mesh, version, installed: true, namespace: installer.controlPlane.namespace, skippedExtras: outcome.skippedExtras, state };
}

async function verifyControlPlane(mesh: MeshInfo, installer: MeshInstaller, options: EnsureMeshOptions, kc: KubeConfig, timeoutMs: number): Promise<string | undefined> {
  const spec = installer.controlPlane;
  const { found, missing } = await findDeployments(kc, spec.deployments);
  if (missing.length > 0) {
    const context = kc.getCurrentContext();
    throw infraError(
      `the mesh is said to be deployed, but the ${mesh.displayName} control plane is not in the cluster (context "${context}"): ` +
        `no Deployment ${missing.map((m) => `${m.namespace}/${m.name}`).join(', ')}. Install the mesh first, or ${(options.wording ?? CLI_WORDING).meshNotDeployed} to let meshspec install it`,
    );
  }
  await waitForControlPlane(mesh, installer, options, kc, timeoutMs);
  const version = deploymentVersion(found[0]!);
  options.logger.info(`${mesh.displayName} control plane found in ${spec.namespace}: version ${version ?? 'unknown'}`);
  if (options.version && version && options.version.replace(/^v/, '') !== version.replace(/^v/, '')) {
    options.logger.warn(`mesh_version is ${options.version}, but the deployed ${mesh.displayName} runs ${version}; results record ${version}`);
  }
  return version;
}

function waitForControlPlane(mesh: MeshInfo, installer: MeshInstaller, options: EnsureMeshOptions, kc: KubeConfig, timeoutMs: number) {
  return waitForDeployments(kc, installer.controlPlane.deployments, {
    what: `the ${mesh.displayName} control plane`,
    timeoutMs,
    intervalMs: options.pollIntervalMs,
    logger: options.logger,
    signal: options.signal,
  });
}

function installContext(options: EnsureMeshOptions, kc: KubeConfig, timeoutMs: number): InstallContext {
  const env = options.env ?? process.env;
  const dl = options.download ?? {};
  const download: DownloadContext = {
    toolCache: dl.toolCache ?? createToolCache({ logger: options.logger, env }),
    logger: options.logger,
    mirror: dl.mirror,
    githubToken: dl.githubToken,
    signal: options.signal,
  };
  return {
    settings: options.settings,
    meshName: requireMesh(options.mesh, options.where ?? 'service_mesh').displayName,
    logger: options.logger,
    signal: options.signal,
    kubeConfig: kc,
    kubeconfigPath: options.kubeconfig,
    env,
    platform: options.platform ?? currentPlatform(),
    download,
    allowUnverified: dl.allowUnverified ?? false,
    timeoutMs,
    pollIntervalMs: options.pollIntervalMs,
    purpose: options.purpose,
  };
}

/** The registry ids meshspec can install. */
export function installableMeshes(): string[] {
  return MESHES.filter((m) => m.installer).map((m) => m.id);
}

export interface MeshTeardownOptions {
  logger: Logger;
  /** The cluster's state: a cluster we created and delete takes the mesh with it. */
  cluster?: ClusterState;
  /** keep_cluster keeps the mesh too, for later steps or debugging. */
  keepCluster?: boolean;
  download?: MeshDownloadOptions;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  platform?: Platform;
}

/**
 * Removes a mesh meshspec installed on a cluster it did not create. A cluster we created is
 * deleted whole (teardownCluster), so there is nothing to uninstall; a mesh that was there before,
 * or `keep_cluster`, leaves everything as it is. Best effort: failures warn.
 */
export async function teardownMesh(state: MeshState | undefined, options: MeshTeardownOptions): Promise<boolean> {
  const { logger } = options;
  if (!state?.installed) {
    logger.info('mesh teardown: nothing to remove (meshspec installed no mesh)');
    return false;
  }
  if (options.cluster?.created && !options.keepCluster) {
    logger.info(`mesh teardown: ${state.meshId} goes away with the cluster meshspec created`);
    return false;
  }
  if (options.keepCluster) {
    logger.notice(`keep_cluster is true: ${state.meshId} is left installed`);
    return false;
  }
  const mesh = requireMesh(state.meshId, 'state');
  if (!mesh.installer || !state.version) return false;
  logger.info(`removing ${mesh.displayName} ${state.version}, which meshspec installed`);
  try {
    const kc = loadKubeConfigFile(state.kubeconfigPath);
    const ctx = installContext(
      { mesh: state.meshId, deployed: false, kubeconfig: state.kubeconfigPath, logger, download: options.download, env: options.env, signal: options.signal, platform: options.platform, purpose: state.purpose, settings: state.settings },
      kc,
      DEFAULTS.controlPlaneMs,
    );
    return await mesh.installer.uninstall(state.version, ctx);
  } catch (error) {
    logger.warn(`could not remove ${mesh.displayName}: ${(error as Error).message}`);
    return false;
  }
}
