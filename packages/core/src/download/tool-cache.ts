import { randomUUID } from 'node:crypto';
import { copyFile, chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fetch } from 'undici';
import { infraError } from '../errors.js';
import type { Logger } from '../log.js';
import { redactUrl } from '../redact.js';

/**
 * Where downloaded tools are kept, behind an interface: the CLI and the tests use the plain
 * folder below, the actions use @actions/tool-cache (src/github/tool-cache.ts). Both share
 * tool-cache's layout (`<root>/<tool>/<version>/<arch>` plus a `.complete` marker), so a runner's
 * hosted tool cache and ours are interchangeable (docs/architecture.md, "The GitHub adapter").
 */
export interface ToolCache {
  /** The directory holding a cached tool version, or undefined when it is not cached. */
  find(tool: string, version: string, arch: string): string | undefined;
  /** Downloads a URL to a fresh temporary file and returns its path; `signal` (the run's cancellation) aborts it. */
  download(url: string, headers?: Record<string, string>, signal?: AbortSignal): Promise<string>;
  /** Copies one file into the cache as `targetName` and returns the tool's directory. */
  cacheFile(sourceFile: string, targetName: string, tool: string, version: string, arch: string): Promise<string>;
  /** A fresh scratch directory (for unpacking archives). */
  scratchDir(): string;
  /** Where tools are cached. */
  readonly root: string;
}

export interface ToolCacheOptions {
  /** Defaults to `$XDG_CACHE_HOME/meshspec/tool-cache`, else `~/.cache/meshspec/tool-cache`. */
  toolCacheDir?: string;
  /** Defaults to `$XDG_CACHE_HOME/meshspec/tmp`, else `~/.cache/meshspec/tmp`. */
  tempDir?: string;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

/** The cache directory key tool-cache uses for a version (semver.clean, or the version as is). */
export function cacheVersionKey(version: string): string {
  const m = /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$/.exec(version.trim());
  return m ? m[1]! : version;
}

/** The CLI's folders: under $XDG_CACHE_HOME/meshspec, falling back to ~/.cache/meshspec. */
export function defaultToolCacheDirs(env: NodeJS.ProcessEnv = process.env): { toolCacheDir: string; tempDir: string } {
  const base = join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'meshspec');
  return { toolCacheDir: join(base, 'tool-cache'), tempDir: join(base, 'tmp') };
}

/** The tool directory for a version, and its `.complete` marker, in tool-cache's layout. */
function toolDir(root: string, tool: string, version: string, arch: string): string {
  return join(root, tool, cacheVersionKey(version), arch);
}

/** Looks a tool up in tool-cache's layout: tc.find resolves only semver, and Linkerd's are `edge-26.8.3`. */
export function findCachedTool(root: string, tool: string, version: string, arch: string): string | undefined {
  const dir = toolDir(root, tool, version, arch);
  return existsSync(dir) && existsSync(`${dir}.complete`) ? dir : undefined;
}

/** A plain folder cache: no runner, no @actions package, nothing written outside its two folders. */
export function createToolCache(options: ToolCacheOptions): ToolCache {
  const defaults = defaultToolCacheDirs(options.env);
  const root = options.toolCacheDir ?? defaults.toolCacheDir;
  const temp = options.tempDir ?? defaults.tempDir;
  return {
    root,
    find: (tool, version, arch) => findCachedTool(root, tool, version, arch),
    async download(url, headers, signal) {
      const dest = join(temp, randomUUID(), basename(new URL(url).pathname) || 'download');
      await mkdir(join(dest, '..'), { recursive: true });
      options.logger.debug(`downloading ${redactUrl(url)}`);
      try {
        const res = await fetch(url, { headers, redirect: 'follow', signal });
        if (!res.ok || !res.body) {
          await res.body?.cancel();
          throw new Error(`HTTP ${res.status}`);
        }
        await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(dest));
        return dest;
      } catch (error) {
        await rm(dest, { force: true });
        throw infraError(`download of ${redactUrl(url)} failed: ${(error as Error).message}`, { cause: error });
      }
    },
    async cacheFile(sourceFile, targetName, tool, version, arch) {
      const dir = toolDir(root, tool, version, arch);
      await rm(dir, { recursive: true, force: true });
      await rm(`${dir}.complete`, { force: true });
      await mkdir(dir, { recursive: true });
      await copyFile(sourceFile, join(dir, targetName));
      await chmod(join(dir, targetName), 0o755);
      await writeFile(`${dir}.complete`, '');
      return dir;
    },
    scratchDir() {
      const dir = join(temp, randomUUID());
      mkdirSync(dir, { recursive: true });
      return dir;
    },
  };
}
