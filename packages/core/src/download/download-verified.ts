import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { infraError, inputError } from '../errors.js';
import type { Logger } from '../log.js';
import { parseChecksumFile, sha256File } from './checksum.js';
import { fetchGithubAssetDigest, type ReleaseAssetRef } from './github-release.js';
import { PATTERNS, requirePattern } from './patterns.js';
import type { ToolCache } from './tool-cache.js';
import { runChecked } from '../exec.js';


/** How a download's bytes were checked. */
export type Verification = 'pinned' | 'checksum-file' | 'github-digest' | 'unverified';

export interface DownloadRequest {
  /** Tool-cache name, e.g. `minikube`. */
  toolName: string;
  version: string;
  /** `amd64` or `arm64`. */
  arch: string;
  /** The asset URL, already rewritten for the mirror. */
  url: string;
  /** The executable's name in the cache (defaults to toolName). */
  binaryName?: string;
  /** For a `.tar.gz`: the executable's path inside the archive. Absent for a raw binary. */
  archivePath?: string;
  /** A sha256 recorded in code (pinned default versions). Checked first. */
  sha256?: string;
  /** A digest published next to the file by its own host, e.g. a Helm repository index's `digest`. */
  publishedSha256?: { sha256: string; source: string };
  /** A published checksum file (hex only, sha256sum lines or `<hex> <name>`). */
  checksumUrl?: string;
  /** GitHub's Releases API digest of the asset, for projects that publish no checksum file. */
  githubDigest?: ReleaseAssetRef;
  /** Accept a download that nothing can verify (`allow_unverified_download`). */
  allowUnverified?: boolean;
}

export interface DownloadContext {
  toolCache: ToolCache;
  logger: Logger;
  mirror?: string;
  /** For GitHub's API (rate limits); sent to api.github.com only. */
  githubToken?: string;
  signal?: AbortSignal;
}

export interface DownloadedTool {
  /** The executable. */
  path: string;
  /** True when it came from the tool cache without a download. */
  fromCache: boolean;
  verifiedBy: Verification;
  /** The sha256 of the downloaded file (the archive, for a `.tar.gz`). */
  sha256?: string;
}

/** What we write beside a cached tool, so a later run knows how it was verified. */
interface Provenance {
  url: string;
  sha256: string;
  verifiedBy: Verification;
}
const PROVENANCE = 'meshspec-download.json';

/**
 * Downloads a tool once and verifies it before anything runs it: tool cache lookup, download,
 * sha256 check **before** the file is unpacked, made executable or cached, then into the tool cache.
 * A mismatch deletes the file and stops with a message naming the tool, version, URL and both
 * digests. Nothing is ever executed from an unverified download unless the user allowed it.
 */
export async function downloadVerified(req: DownloadRequest, ctx: DownloadContext): Promise<DownloadedTool> {
  const { logger, toolCache } = ctx;
  requirePattern(req.toolName, PATTERNS.toolName, 'tool name', 'minikube');
  requirePattern(req.arch, PATTERNS.arch, `${req.toolName} architecture`, 'amd64 or arm64');
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]{0,60}$/.test(req.version)) throw inputError(`${req.toolName} version: "${req.version}" is not a version`);
  const binaryName = req.binaryName ?? req.toolName;
  const label = `${req.toolName} ${req.version} (${req.arch})`;

  const cachedDir = toolCache.find(req.toolName, req.version, req.arch);
  if (cachedDir && existsSync(join(cachedDir, binaryName))) {
    const provenance = readProvenance(cachedDir);
    if (provenance?.verifiedBy !== 'unverified' || req.allowUnverified) {
      logger.debug(`${label}: found in the tool cache at ${cachedDir}`);
      return { path: join(cachedDir, binaryName), fromCache: true, verifiedBy: provenance?.verifiedBy ?? 'checksum-file', sha256: provenance?.sha256 };
    }
    logger.info(`${label}: the cached copy was never verified; downloading it again`);
  }

  const expected = await expectedDigest(req, ctx);
  logger.info(`${label}: downloading ${req.url}`);
  const file = await toolCache.download(req.url, undefined, ctx.signal);
  let scratch: string | undefined;
  try {
    const actual = await sha256File(file);
    if (expected && actual !== expected.sha256) {
      throw infraError(`checksum mismatch: refused ${label} downloaded from ${req.url}`, {
        details: [
          `${req.toolName} ${req.version}: expected sha256 ${expected.sha256} (${describe(expected.verifiedBy, req)})`,
          `${req.toolName} ${req.version}: actual sha256   ${actual}`,
          'The file was deleted and nothing was run. If you use a download mirror, check that it serves the same bytes as upstream.',
        ],
      });
    }
    const verifiedBy: Verification = expected?.verifiedBy ?? 'unverified';
    if (verifiedBy === 'unverified') {
      logger.warn(`${label}: no checksum exists for ${req.url}; using it unverified because allow_unverified_download is true (sha256 ${actual})`);
    } else if (verifiedBy !== 'pinned') {
      logger.notice(
        `${label}: sha256 ${actual} matches the ${describe(verifiedBy, req)}. That proves the download is intact, not who published it; pinned defaults are checked against digests recorded in meshspec.`,
      );
    } else {
      logger.info(`${label}: sha256 ${actual} matches the digest recorded in meshspec`);
    }

    if (req.archivePath) scratch = toolCache.scratchDir();
    const executable = req.archivePath && scratch ? await unpack(file, req.archivePath, scratch, label, ctx) : file;
    chmodSync(executable, 0o755);
    const dir = await toolCache.cacheFile(executable, binaryName, req.toolName, req.version, req.arch);
    writeFileSync(join(dir, PROVENANCE), JSON.stringify({ url: req.url, sha256: actual, verifiedBy } satisfies Provenance));
    return { path: join(dir, binaryName), fromCache: false, verifiedBy, sha256: actual };
  } finally {
    rmSync(dirname(file), { recursive: true, force: true });
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

async function expectedDigest(req: DownloadRequest, ctx: DownloadContext): Promise<{ sha256: string; verifiedBy: Verification } | undefined> {
  if (req.sha256) {
    const sha = req.sha256.toLowerCase();
    if (!PATTERNS.sha256.test(sha)) throw new Error(`${req.toolName} ${req.version}: the recorded sha256 "${req.sha256}" is malformed`);
    return { sha256: sha, verifiedBy: 'pinned' };
  }
  if (req.publishedSha256) {
    const sha = req.publishedSha256.sha256.toLowerCase();
    if (!PATTERNS.sha256.test(sha)) throw infraError(`${req.toolName} ${req.version}: ${req.publishedSha256.source} gives a malformed sha256 "${sha}"`);
    return { sha256: sha, verifiedBy: 'checksum-file' };
  }
  if (req.checksumUrl) {
    const file = await ctx.toolCache.download(req.checksumUrl, undefined, ctx.signal);
    try {
      const assetName = decodeURIComponent(basename(new URL(req.url).pathname));
      const sha = parseChecksumFile(readFileSync(file, 'utf8'), assetName);
      if (!sha) throw infraError(`${req.toolName} ${req.version}: ${req.checksumUrl} holds no sha256 for ${assetName}`);
      return { sha256: sha, verifiedBy: 'checksum-file' };
    } finally {
      rmSync(dirname(file), { recursive: true, force: true });
    }
  }
  if (req.githubDigest) {
    const sha = await fetchGithubAssetDigest(req.githubDigest, { mirror: ctx.mirror, token: ctx.githubToken, signal: ctx.signal });
    return { sha256: sha, verifiedBy: 'github-digest' };
  }
  if (req.allowUnverified) return undefined;
  throw inputError(
    `${req.toolName} ${req.version}: nothing can verify ${req.url} (no checksum is published and meshspec records none for this version). ` +
      'Use the default version, whose digest meshspec records, or set allow_unverified_download: true to accept it unverified.',
  );
}

function describe(verifiedBy: Verification, req: DownloadRequest): string {
  if (verifiedBy === 'pinned') return 'digest recorded in meshspec';
  if (verifiedBy === 'checksum-file') return `published checksum ${req.publishedSha256?.source ?? req.checksumUrl}`;
  if (verifiedBy === 'github-digest') return `digest GitHub's Releases API gives for ${req.githubDigest?.repo}@${req.githubDigest?.tag}`;
  return 'unverified download';
}

async function unpack(archive: string, archivePath: string, dir: string, label: string, ctx: DownloadContext): Promise<string> {
  if (archivePath.split('/').includes('..')) throw new Error(`${label}: archive path ${archivePath} leaves the archive`);
  await runChecked('tar', ['-xzf', archive, '-C', dir], { logger: ctx.logger, signal: ctx.signal, echo: 'debug', what: `unpack ${label}` });
  const executable = join(dir, archivePath);
  if (!existsSync(executable)) throw infraError(`${label}: the archive has no ${archivePath}`);
  return executable;
}

function readProvenance(dir: string): Provenance | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, PROVENANCE), 'utf8')) as Provenance;
  } catch {
    return undefined;
  }
}
