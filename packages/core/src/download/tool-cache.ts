import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import * as tc from '@actions/tool-cache';
import { infraError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * The small part of @actions/tool-cache we use, behind an interface so the CLI and the tests run
 * without a runner. The layout is tool-cache's own (`<dir>/<tool>/<version>/<arch>` plus a
 * `.complete` marker), so a runner's hosted tool cache and ours are interchangeable.
 */
export interface ToolCache {
  /** The directory holding a cached tool version, or undefined when it is not cached. */
  find(tool: string, version: string, arch: string): string | undefined;
  /** Downloads a URL to a fresh temporary file and returns its path. */
  download(url: string, headers?: Record<string, string>): Promise<string>;
  /** Copies one file into the cache as `targetName` and returns the tool's directory. */
  cacheFile(sourceFile: string, targetName: string, tool: string, version: string, arch: string): Promise<string>;
  /** A fresh scratch directory (for unpacking archives). */
  scratchDir(): string;
  /** Where tools are cached. */
  readonly root: string;
}

export interface ToolCacheOptions {
  /** Defaults to RUNNER_TOOL_CACHE, else `~/.cache/meshspec/tool-cache`. */
  toolCacheDir?: string;
  /** Defaults to RUNNER_TEMP, else `~/.cache/meshspec/tmp`. */
  tempDir?: string;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

/** The cache directory key tool-cache uses for a version (semver.clean, or the version as is). */
export function cacheVersionKey(version: string): string {
  const m = /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$/.exec(version.trim());
  return m ? m[1]! : version;
}

export function defaultToolCacheDirs(env: NodeJS.ProcessEnv = process.env): { toolCacheDir: string; tempDir: string } {
  const base = join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'meshspec');
  return {
    toolCacheDir: env.RUNNER_TOOL_CACHE || join(base, 'tool-cache'),
    tempDir: env.RUNNER_TEMP || join(base, 'tmp'),
  };
}

export function createToolCache(options: ToolCacheOptions): ToolCache {
  const defaults = defaultToolCacheDirs(options.env);
  const root = options.toolCacheDir ?? defaults.toolCacheDir;
  const temp = options.tempDir ?? defaults.tempDir;
  const { logger } = options;
  // tool-cache reads RUNNER_TOOL_CACHE and RUNNER_TEMP at call time and asserts they are set;
  // outside a runner we point them at our directories before each call.
  const withRunnerDirs = <T>(fn: () => Promise<T>): Promise<T> => {
    process.env.RUNNER_TOOL_CACHE = root;
    process.env.RUNNER_TEMP = temp;
    return quietOutsideRunner(logger, fn);
  };
  return {
    root,
    find(tool, version, arch) {
      // Our own lookup: tc.find only resolves semver versions, and Linkerd's are `edge-26.8.3`.
      const dir = join(root, tool, cacheVersionKey(version), arch);
      return existsSync(dir) && existsSync(`${dir}.complete`) ? dir : undefined;
    },
    async download(url, headers) {
      const dest = join(temp, randomUUID(), basename(new URL(url).pathname) || 'download');
      try {
        return await withRunnerDirs(() => tc.downloadTool(url, dest, undefined, headers));
      } catch (error) {
        const status = error instanceof tc.HTTPError ? `HTTP ${error.httpStatusCode}` : (error as Error).message;
        throw infraError(`download of ${url} failed: ${status}`, { cause: error });
      }
    },
    cacheFile(sourceFile, targetName, tool, version, arch) {
      return withRunnerDirs(() => tc.cacheFile(sourceFile, targetName, tool, version, arch));
    },
    scratchDir() {
      const dir = join(temp, randomUUID());
      mkdirSync(dir, { recursive: true });
      return dir;
    },
  };
}

/**
 * tool-cache reports through @actions/core, which writes `::debug::` workflow commands to stdout.
 * On a runner that is right; in the CLI and in tests it would pollute stdout, so outside a runner
 * those lines are routed to our logger's debug level while `fn` runs. Nothing else is touched.
 */
async function quietOutsideRunner<T>(logger: Logger, fn: () => Promise<T>): Promise<T> {
  if (process.env.GITHUB_ACTIONS === 'true') return fn();
  const original = process.stdout.write;
  const filtered = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    if (typeof chunk === 'string' && chunk.startsWith('::debug::')) {
      logger.debug(chunk.slice('::debug::'.length).trimEnd());
      return true;
    }
    return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  };
  process.stdout.write = filtered as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    if (process.stdout.write === filtered) process.stdout.write = original;
  }
}
