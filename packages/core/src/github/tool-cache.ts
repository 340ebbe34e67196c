import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as tc from '@actions/tool-cache';
import { infraError } from '../errors.js';
import { createToolCache, findCachedTool, type ToolCache } from '../download/tool-cache.js';
import type { Logger } from '../log.js';

/**
 * The runner's tool cache through @actions/tool-cache, so a tool cached by one action (or a
 * self-hosted runner's warm cache) is found by the next. tool-cache reads RUNNER_TOOL_CACHE and
 * RUNNER_TEMP, which the runner sets; without them (a bundle run by hand) the plain cache serves,
 * and nothing here writes process.env (docs/architecture.md, "The GitHub adapter").
 */
export function actionsToolCache(logger: Logger, env: NodeJS.ProcessEnv = process.env): ToolCache {
  const root = env.RUNNER_TOOL_CACHE;
  const temp = env.RUNNER_TEMP;
  if (!root || !temp) {
    logger.debug('RUNNER_TOOL_CACHE or RUNNER_TEMP is not set: using the plain tool cache');
    return createToolCache({ logger, env });
  }
  return {
    root,
    find: (tool, version, arch) => findCachedTool(root, tool, version, arch),
    async download(url, headers) {
      const dest = join(temp, randomUUID(), basename(new URL(url).pathname) || 'download');
      try {
        return await tc.downloadTool(url, dest, undefined, headers);
      } catch (error) {
        const status = error instanceof tc.HTTPError ? `HTTP ${error.httpStatusCode}` : (error as Error).message;
        throw infraError(`download of ${url} failed: ${status}`, { cause: error });
      }
    },
    cacheFile: (sourceFile, targetName, tool, version, arch) => tc.cacheFile(sourceFile, targetName, tool, version, arch),
    scratchDir() {
      const dir = join(temp, randomUUID());
      mkdirSync(dir, { recursive: true });
      return dir;
    },
  };
}
