import * as actionsCache from '@actions/cache';
import type { BinaryCache } from '../cluster/cache.js';
import type { Logger } from '../log.js';

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

