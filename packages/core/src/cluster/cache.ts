import { join } from 'node:path';
import { cacheVersionKey } from '../download/tool-cache.js';

/**
 * Hosted runners start every job on a fresh VM, so the tool cache does not outlive the job.
 * The minikube binary and `~/.minikube/cache` (the kic base image and the preloaded images,
 * about 1 GB) are kept with @actions/cache instead (src/github/binary-cache.ts), behind this interface so the CLI and the
 * tests run without the cache service. A cache failure only warns: it costs time, not the run.
 */
export interface BinaryCache {
  /** Restores and returns whether the exact key was hit. */
  restore(paths: string[], key: string): Promise<boolean>;
  save(paths: string[], key: string): Promise<void>;
}

export interface MinikubeCacheKeyParts {
  os: string;
  arch: string;
  driver: string;
  containerRuntime?: string;
  minikubeVersion: string;
  kubernetesVersion: string;
}

/** One key per combination that changes what minikube downloads. */
export function minikubeCacheKey(p: MinikubeCacheKeyParts): string {
  return ['meshspec-minikube', p.os, p.arch, p.driver, p.containerRuntime || 'default', p.minikubeVersion, p.kubernetesVersion].join('-');
}

/** What is cached: minikube's download cache and the minikube binary in the tool cache. */
export function minikubeCachePaths(minikubeHome: string, toolCacheRoot: string, minikubeVersion: string, arch: string): string[] {
  const toolDir = join(toolCacheRoot, 'minikube', cacheVersionKey(minikubeVersion), arch);
  return [join(minikubeHome, 'cache'), toolDir, `${toolDir}.complete`];
}

/** A cache that never hits, for the CLI and tests. */
export const noBinaryCache: BinaryCache = {
  restore: async () => false,
  save: async () => {},
};
