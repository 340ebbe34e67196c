import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { infraError, inputError } from '../errors.js';
import type { Logger } from '../log.js';
import { downloadVerified } from '../download/download-verified.js';
import { PATTERNS, requireKubernetesVersion, requirePattern } from '../download/patterns.js';
import { createToolCache, type ToolCache } from '../download/tool-cache.js';
import { runChecked } from '../exec.js';
import { noBinaryCache, minikubeCacheKey, minikubeCachePaths, type BinaryCache } from './cache.js';
import { checkReachable, kubeconfigCandidates, kubeconfigPath, loadKubeConfigFile } from '../kube/config.js';
import {
  DEFAULT_DRIVER,
  DEFAULT_PROFILE,
  DEFAULT_WAIT_TIMEOUT_MS,
  KUBERNETES_DEFAULT_VERSION,
  MINIKUBE_DEFAULT_VERSION,
  minikubeDownload,
  minikubeEnv,
  minikubeIsRunning,
  startMinikube,
} from './minikube.js';
import { currentPlatform, requireClusterPlatform, type Platform } from './platform.js';
import { waitForClusterReady } from './readiness.js';
import type { ClusterState } from './teardown.js';
import { DEFAULTS } from '../defaults.js';

/** The input `cluster`. */
export type ClusterMode = 'auto' | 'minikube' | 'existing' | 'none';
export const CLUSTER_MODES: readonly ClusterMode[] = ['auto', 'minikube', 'existing', 'none'];

export interface MinikubeOptions {
  /** `minikube_version` (default: the pinned MINIKUBE_DEFAULT_VERSION). */
  version?: string;
  /** `kubernetes_version` (default: KUBERNETES_DEFAULT_VERSION). */
  kubernetesVersion?: string;
  /** `minikube_driver` (default docker). */
  driver?: string;
  /** `container_runtime` (default: minikube's). */
  containerRuntime?: string;
  cpus?: string;
  memory?: string;
  /** `minikube_start_args`, already split. */
  extraStartArgs?: string[];
  /** Profile name (default `meshspec`). */
  profile?: string;
  /** `minikube start --wait-timeout` (default 6 min). */
  waitTimeoutMs?: number;
  /** MINIKUBE_HOME (default `~/.minikube`). */
  home?: string;
}

export interface DownloadOptions {
  /** The download mirror, already resolved (see download/mirror.ts resolveMirror). */
  mirror?: string;
  /** `allow_unverified_download`. */
  allowUnverified?: boolean;
  /** Defaults to a tool cache under RUNNER_TOOL_CACHE or ~/.cache/meshspec. */
  toolCache?: ToolCache;
}

export interface EnsureClusterOptions {
  cluster: ClusterMode;
  logger: Logger;
  signal?: AbortSignal;
  /** The kubeconfig to use or write (default: KUBECONFIG, else ~/.kube/config). */
  kubeconfig?: string;
  minikube?: MinikubeOptions;
  download?: DownloadOptions;
  /** `github_token` (masked by the caller). Passed to minikube only when serverUrl is github.com. */
  githubToken?: string;
  /** GITHUB_SERVER_URL. */
  serverUrl?: string;
  /** How long the readiness checks may take after the start (default 5 min). */
  readinessTimeoutMs?: number;
  readinessIntervalMs?: number;
  /** How long `auto` waits for the current context to answer (default 5 s). */
  reachabilityTimeoutMs?: number;
  /** @actions/cache for the binaries and ~/.minikube/cache (default: none). */
  binaryCache?: BinaryCache;
  /**
   * Called with the state to persist for the post step as soon as there is something to clean
   * up, i.e. before `minikube start`, so a start that fails half-way is still deleted.
   */
  onState?: (state: ClusterState) => void;
  env?: NodeJS.ProcessEnv;
  platform?: Platform;
  /**
   * Why only a cluster that already exists will do (a mesh said to be deployed, a kubeconfig the
   * user named): `auto` then never starts a minikube, and the messages give this reason and fix
   * instead of speaking of `cluster: existing`, which the user did not set.
   */
  existingRequired?: ExistingRequired;
}

export interface ExistingRequired {
  /** `input mesh_deployed is true`. */
  because: string;
  /** What to do, in the caller's own words (flags or inputs). */
  fix: string;
}

export interface EnsuredCluster {
  mode: 'minikube' | 'existing' | 'none';
  /** True when meshspec started the cluster (and the post step will delete it). */
  created: boolean;
  kubeconfigPath?: string;
  context?: string;
  kubeConfig?: KubeConfig;
  /** The API server's version, e.g. v1.35.1. */
  serverVersion?: string;
  /** What to save for the post step (also passed to onState). */
  state: ClusterState;
}

/**
 * Provides the cluster a run needs:
 * - `none`: nothing (SMP against external endpoints);
 * - `existing`: the current kube context, which must answer and be ready;
 * - `minikube`: a verified, pinned minikube started with our profile, then waited for;
 * - `auto`: the current context if it answers within a short deadline, else minikube.
 */
export async function ensureCluster(options: EnsureClusterOptions): Promise<EnsuredCluster> {
  if (!CLUSTER_MODES.includes(options.cluster)) {
    throw inputError(`cluster: "${options.cluster}" is not one of ${CLUSTER_MODES.join(', ')}`);
  }
  const env = options.env ?? process.env;
  const path = kubeconfigPath(options.kubeconfig, env);
  if (options.cluster === 'none') {
    const state: ClusterState = { mode: 'none', created: false };
    return { mode: 'none', created: false, state };
  }
  // With `existing` (or a reason that needs one), tryExisting throws instead of returning undefined.
  const required: ExistingRequired | undefined =
    options.cluster === 'existing'
      ? { because: 'cluster: existing', fix: 'Check the kubeconfig, or use cluster: minikube' }
      : options.cluster === 'auto'
        ? options.existingRequired
        : undefined;
  const existing = options.cluster === 'minikube' ? undefined : await tryExisting(path, options, required, env);
  return existing ?? startCluster(path, options, env);
}

async function tryExisting(path: string, options: EnsureClusterOptions, required: ExistingRequired | undefined, env: NodeJS.ProcessEnv): Promise<EnsuredCluster | undefined> {
  const { logger } = options;
  const strict = required !== undefined;
  if (!existsSync(path)) {
    if (required) {
      const looked = kubeconfigCandidates(options.kubeconfig, env);
      throw inputError(`${required.because}, but no kubeconfig was found: looked at ${looked.join(', ')}. ${required.fix}`);
    }
    logger.info(`cluster: auto: no kubeconfig at ${path}; starting minikube`);
    return undefined;
  }
  let kc: KubeConfig;
  try {
    // The current context, as kubectl and every mesh CLI will use it.
    kc = loadKubeConfigFile(path);
  } catch (error) {
    if (strict) throw error;
    logger.info(`cluster: auto: ${(error as Error).message}; starting minikube`);
    return undefined;
  }
  const context = kc.getCurrentContext();
  const reach = await checkReachable(kc, options.reachabilityTimeoutMs ?? 5000);
  if (!reach.ok) {
    if (required) {
      const server = kc.getCurrentCluster()?.server ?? '(none)';
      throw infraError(`${required.because}, but the API server ${server} (context "${context}" in ${path}) does not answer: ${reach.reason}. ${required.fix}`);
    }
    logger.info(`cluster: auto: context "${context || '(none)'}" does not answer (${reach.reason}); starting minikube`);
    return undefined;
  }
  logger.info(`using the existing cluster: context "${context}" (Kubernetes ${reach.version ?? 'unknown'})`);
  await waitForClusterReady(kc, {
    timeoutMs: options.readinessTimeoutMs ?? DEFAULTS.clusterReadyMs,
    intervalMs: options.readinessIntervalMs,
    logger,
    signal: options.signal,
  });
  const state: ClusterState = { mode: 'existing', created: false, kubeconfigPath: path };
  options.onState?.(state);
  return { mode: 'existing', created: false, kubeconfigPath: path, context, kubeConfig: kc, serverVersion: reach.version, state };
}

async function startCluster(path: string, options: EnsureClusterOptions, env: NodeJS.ProcessEnv): Promise<EnsuredCluster> {
  const { logger, signal } = options;
  const platform = requireClusterPlatform(options.platform ?? currentPlatform());
  const mk = options.minikube ?? {};
  const version = mk.version ?? MINIKUBE_DEFAULT_VERSION;
  const kubernetesVersion = requireKubernetesVersion(mk.kubernetesVersion ?? KUBERNETES_DEFAULT_VERSION, 'kubernetes_version');
  const profile = requirePattern(mk.profile ?? DEFAULT_PROFILE, PATTERNS.profile, 'minikube profile', DEFAULT_PROFILE);
  const driver = mk.driver ?? DEFAULT_DRIVER;
  const home = mk.home ?? env.MINIKUBE_HOME ?? join(env.HOME || homedir(), '.minikube');
  const download = options.download ?? {};
  const toolCache = download.toolCache ?? createToolCache({ logger, env });
  const request = minikubeDownload(version, platform, download.mirror);

  const cache = options.binaryCache ?? noBinaryCache;
  const cacheKey = minikubeCacheKey({ ...platform, driver, containerRuntime: mk.containerRuntime, minikubeVersion: request.version, kubernetesVersion });
  const cachePaths = minikubeCachePaths(home, toolCache.root, request.version, platform.arch);
  const cacheHit = await cache.restore(cachePaths, cacheKey);

  const tool = await downloadVerified(
    { ...request, allowUnverified: download.allowUnverified },
    { toolCache, logger, mirror: download.mirror, githubToken: options.githubToken, signal },
  );
  const run = {
    minikube: tool.path,
    env: minikubeEnv({ base: env, kubeconfigPath: path, minikubeHome: mk.home ?? env.MINIKUBE_HOME, githubToken: options.githubToken, serverUrl: options.serverUrl }),
    logger,
    signal,
  };

  const alreadyRunning = await minikubeIsRunning(profile, run);
  const state: ClusterState = { mode: 'minikube', created: !alreadyRunning, profile, minikubePath: tool.path, minikubeHome: mk.home ?? env.MINIKUBE_HOME, kubeconfigPath: path };
  if (alreadyRunning) {
    logger.notice(`minikube profile ${profile} is already running; using it as it is (it will not be deleted afterwards)`);
    // Makes sure the kubeconfig has the profile's context, without touching the cluster.
    await runChecked(run.minikube, ['update-context', `--profile=${profile}`], { env: run.env, logger, signal, what: 'minikube update-context' });
  } else {
    options.onState?.(state);
    await startMinikube(
      {
        profile,
        driver,
        containerRuntime: mk.containerRuntime,
        kubernetesVersion,
        cpus: mk.cpus,
        memory: mk.memory,
        waitTimeoutMs: mk.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS,
        extraArgs: mk.extraStartArgs ?? [],
      },
      run,
    );
  }
  const kc = loadKubeConfigFile(path, profile);
  await waitForClusterReady(kc, {
    timeoutMs: options.readinessTimeoutMs ?? DEFAULTS.clusterReadyMs,
    intervalMs: options.readinessIntervalMs,
    logger,
    signal,
  });
  const reach = await checkReachable(kc, options.reachabilityTimeoutMs ?? 5000);
  if (!cacheHit) await cache.save(cachePaths, cacheKey);
  return { mode: 'minikube', created: state.created, kubeconfigPath: path, context: profile, kubeConfig: kc, serverVersion: reach.version, state };
}
