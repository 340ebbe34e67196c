/** Cluster lifecycle: provide a ready cluster, explain a failure, delete only what we created. */
export { ensureCluster, CLUSTER_MODES, type ClusterMode, type EnsureClusterOptions, type EnsuredCluster, type MinikubeOptions, type DownloadOptions } from './ensure.js';
export { teardownCluster, type ClusterState, type TeardownOptions, type TeardownResult } from './teardown.js';
export { collectDiagnostics, type DiagnosticsOptions } from './diagnostics.js';
export { waitForClusterReady, firstNotReady, type ReadinessOptions } from './readiness.js';
export {
  MINIKUBE_DEFAULT_VERSION,
  KUBERNETES_DEFAULT_VERSION,
  DEFAULT_PROFILE,
  DEFAULT_DRIVER,
  MINIKUBE_PINNED_SHA256,
  minikubeDownload,
  minikubeStartArgs,
  minikubeEnv,
  isGitHubDotCom,
  splitArgs,
} from './minikube.js';
export { noBinaryCache, minikubeCacheKey, type BinaryCache } from './cache.js';
export { currentPlatform, requireClusterPlatform, type Platform } from './platform.js';
