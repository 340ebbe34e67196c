import { join } from 'node:path';
import * as actionsCache from '@actions/cache';
import type { Logger } from '../log.js';
import { cacheVersionKey } from '../download/tool-cache.js';

/**
 * Hosted runners start every job on a fresh VM, so the tool cache does not outlive the job.
 * The minikube binary and `~/.minikube/cache` (the kic base image and the preloaded images,
 * about 1 GB) are kept with @actions/cache instead, behind this interface so the CLI and the
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

/** The @actions/cache implementation; outside GitHub Actions it does nothing and says so at debug level. */
export function actionsBinaryCache(logger: Logger, env: NodeJS.ProcessEnv = process.env): BinaryCache {
  const available = (): boolean => {
    if (env.GITHUB_ACTIONS !== 'true') return false;
    try {
      return actionsCache.isFeatureAvailable();
    } catch {
      return false;
    }
  };
  return {
    async restore(paths, key) {
      if (!available()) {
        logger.debug('not inside GitHub Actions (or no cache service): skipping the minikube cache restore');
        return false;
      }
      try {
        const hit = await actionsCache.restoreCache(paths, key);
        logger.info(hit ? `minikube cache restored (${key})` : `no minikube cache for ${key} yet`);
        return hit === key;
      } catch (error) {
        logger.warn(`could not restore the minikube cache ${key}: ${(error as Error).message}`);
        return false;
      }
    },
    async save(paths, key) {
      if (!available()) {
        logger.debug('not inside GitHub Actions (or no cache service): skipping the minikube cache save');
        return;
      }
      try {
        await actionsCache.saveCache(paths, key);
        logger.info(`minikube cache saved (${key})`);
      } catch (error) {
        logger.warn(`could not save the minikube cache ${key}: ${(error as Error).message}`);
      }
    },
  };
}

/** A cache that never hits, for the CLI and tests. */
export const noBinaryCache: BinaryCache = {
  restore: async () => false,
  save: async () => {},
};
